"""The mails of an assessment: the invitation, a reminder before the deadline, the notice
that it closed. Each runs inside a job (tasks.py), never in a request.

Internal reviewers are told through `notifications.notify` (their email preference and own
channels, kind "reminder"); external reviewers, who have no account, by a plain email, which
the queued mail backend hands to the `jobs.send_email` job. Every mail is written in the
recipient's language. Mails name the assessment and its deadline, never the achievement's
title or anything of its dossier: a confidential achievement's name stays on the platform.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from luodi.accounts.models import User
from luodi.assessments import tokens
from luodi.assessments.choices import Status
from luodi.assessments.models import Assessment, Invitation
from luodi.notifications.domain import Message, notify
from luodi.notifications.models import EventKind

REMIND_DAYS = 2  # the reminder goes out this many days before the deadline


def review_link(invitation: Invitation) -> str:
    path = reverse("assessments:review", args=[invitation.assessment_id])
    if invitation.is_external:
        path += "?token=" + tokens.make(invitation)
    return invitation.assessment.base_url.rstrip("/") + path


def _render(name: str, context: dict[str, object]) -> tuple[str, str]:
    text = render_to_string(f"assessments/email/{name}.txt", context)
    subject, _sep, body = text.strip().partition("\n")
    return subject.strip(), body.strip() + "\n"


def _tell(invitation: Invitation, name: str, extra: dict[str, object] | None = None) -> int:
    assessment = invitation.assessment
    context = {"assessment": assessment, "invitation": invitation, **(extra or {})}
    link = review_link(invitation)
    if invitation.user is not None:

        def compose(recipient: User | None, language: str) -> Message:
            subject, body = _render(name, {**context, "link": link})
            return Message(subject=subject, body=body, link=link)

        return notify(
            kind=EventKind.REMINDER,
            compose=compose,
            users=[invitation.user],
            about=assessment.achievement,
            actor_label="assessments",
        )
    with translation.override(invitation.language):
        subject, body = _render(name, {**context, "link": link})
    EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[invitation.email]
    ).send()
    return 1


def send_invitation(invitation_id: int) -> int:
    invitation = (
        Invitation.objects.select_related("assessment", "user").filter(pk=invitation_id).first()
    )
    if invitation is None or invitation.revoked_at is not None:
        return 0
    return _tell(invitation, "invitation")


def send_reminders(today: date | None = None) -> int:
    """Remind, once per assessment, the reviewers who have not finished, REMIND_DAYS before
    the deadline. Claimed by a conditional update of `reminded_at`, so a re-run or a second
    worker sends nothing twice."""
    today = today or timezone.localdate()
    due = Assessment.objects.filter(
        status=Status.OPEN,
        reminded_at__isnull=True,
        deadline__gte=today,
        deadline__lte=today + timedelta(days=REMIND_DAYS),
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(due):
        if not Assessment.objects.filter(pk=pk, reminded_at__isnull=True).update(
            reminded_at=timezone.now()
        ):
            continue  # claimed by another run
        waiting = Invitation.objects.select_related("assessment", "user").filter(
            Q(declared_at__isnull=True) | Q(has_conflict=False, submitted_at__isnull=True),
            assessment_id=pk,
            revoked_at__isnull=True,
        )
        for invitation in waiting:
            sent += _tell(invitation, "reminder")
    return sent


def send_closed(assessment_id: int) -> int:
    """Thank the reviewers who scored; tell the person who opened it that it can be
    summarised."""
    assessment = Assessment.objects.filter(pk=assessment_id).select_related("opened_by").first()
    if assessment is None:
        return 0
    sent = 0
    scored = assessment.invitations.select_related("user").filter(
        submitted_at__isnull=False, revoked_at__isnull=True
    )
    for invitation in scored:
        sent += _tell(invitation, "closed")
    opener = assessment.opened_by
    if opener is not None:
        link = assessment.base_url.rstrip("/") + reverse("assessments:detail", args=[assessment.pk])

        def compose(recipient: User | None, language: str) -> Message:
            subject, body = _render("closed_staff", {"assessment": assessment, "link": link})
            return Message(subject=subject, body=body, link=link)

        sent += notify(
            kind=EventKind.REMINDER,
            compose=compose,
            users=[opener],
            about=assessment.achievement,
            actor_label="assessments",
        )
    return sent
