"""Challenge notifications: invitations to the invited organizations' members, a new
proposal to the challenge's managers, an award to the proposing organization's members —
through luodi.notifications (kind "open call": a challenge is an open call that takes
proposals; each recipient in their language, email and robots as they chose) — and the
confirmation email to the applicant's address with the private link, through Django's
mail, which the job system queues (luodi.jobs.mail).

Called after the writing transaction commits; a failure to queue is logged and never undoes
the write."""

from __future__ import annotations

import logging
from collections.abc import Collection

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _

from luodi.accounts.models import User
from luodi.catalog.models import Organization
from luodi.challenges.models import Challenge, Proposal
from luodi.challenges.rules import managers_of
from luodi.notifications.domain import Message, notify
from luodi.notifications.models import EventKind

log = logging.getLogger(__name__)


def members(org_ids: Collection[int]) -> list[User]:
    return list(
        User.objects.filter(is_active=True, memberships__organization_id__in=list(org_ids))
        .distinct()
        .order_by("pk")
    )


def invitation_message(challenge: Challenge, link: str) -> Message:
    """In the language active when called (notify activates the recipient's)."""
    values = {
        "poster": challenge.poster_name,
        "title": challenge.title,
        "deadline": challenge.deadline.isoformat(),
        "link": link,
    }
    subject = _("Challenge: %(title)s") % values
    body = (
        _(
            "%(poster)s invites your organization to answer the challenge “%(title)s” with a "
            "proposal by %(deadline)s.\n\nRead it and submit here: %(link)s"
        )
        % values
    )
    return Message(subject=subject, body=body, link=link)


def send_invitations(*, challenge_id: int, org_ids: Collection[int], link: str) -> int:
    try:
        challenge = Challenge.objects.select_related("poster").get(pk=challenge_id)
        return notify(
            kind=EventKind.OPEN_CALL,
            compose=lambda user, language: invitation_message(challenge, link),
            users=members(org_ids),
            organizations=Organization.objects.filter(pk__in=list(org_ids)).order_by("pk"),
            about=challenge,
            actor_label="challenge invitation",
        )
    except Exception:
        log.exception("Invitations to challenge %s could not be queued", challenge_id)
        return 0


def new_proposal_message(proposal: Proposal, link: str) -> Message:
    values = {"title": proposal.challenge.title, "proposer": proposal.proposer, "link": link}
    return Message(
        subject=_("New proposal: %(title)s") % values,
        body=_("%(proposer)s submitted a proposal to “%(title)s”.\n\nReview it here: %(link)s")
        % values,
        link=link,
    )


def send_new_proposal(*, proposal_id: int, link: str) -> int:
    """Tell the challenge's managers (not their team robots: a proposal is confidential)."""
    try:
        proposal = Proposal.objects.select_related("challenge", "organization").get(pk=proposal_id)
        return notify(
            kind=EventKind.OPEN_CALL,
            compose=lambda user, language: new_proposal_message(proposal, link),
            users=list(managers_of(proposal.challenge)),
            about=proposal.challenge,
            actor_label="challenge proposal",
        )
    except Exception:
        log.exception("Notice of proposal %s could not be queued", proposal_id)
        return 0


def send_confirmation(*, proposal_id: int, private_link: str) -> None:
    """The applicant's confirmation, in the language they submitted in, with the private
    link to read and withdraw the proposal."""
    try:
        proposal = Proposal.objects.select_related("challenge").get(pk=proposal_id)
        with translation.override(proposal.language or settings.LANGUAGE_CODE):
            values = {
                "name": proposal.applicant_name,
                "title": proposal.challenge.title,
                "proposal": proposal.title,
                "link": private_link,
            }
            subject = _("Proposal received: %(title)s") % values
            body = (
                _(
                    "Hello %(name)s,\n\nyour proposal “%(proposal)s” to the challenge "
                    "“%(title)s” was received. Follow it, or withdraw it, through this private "
                    "link (keep it to yourself):\n%(link)s\n\n— Luodi"
                )
                % values
            )
        EmailMessage(
            subject=subject,
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[proposal.applicant_email],
        ).send()
    except Exception:
        log.exception("Confirmation of proposal %s could not be queued", proposal_id)


def award_message(proposal: Proposal, link: str) -> Message:
    values = {"title": proposal.challenge.title, "proposal": proposal.title, "link": link}
    return Message(
        subject=_("Proposal awarded: %(title)s") % values,
        body=_(
            "Your proposal “%(proposal)s” to the challenge “%(title)s” was awarded. A "
            "transformation project and a draft agreement were opened: %(link)s"
        )
        % values,
        link=link,
    )


def send_award(*, proposal_id: int, link: str) -> int:
    try:
        proposal = Proposal.objects.select_related("challenge").get(pk=proposal_id)
        users = members([proposal.organization_id]) if proposal.organization_id else []
        if proposal.submitted_by is not None and proposal.submitted_by not in users:
            users.append(proposal.submitted_by)
        return notify(
            kind=EventKind.OPEN_CALL,
            compose=lambda user, language: award_message(proposal, link),
            users=users,
            about=proposal.challenge,
            actor_label="challenge award",
        )
    except Exception:
        log.exception("Award notice of proposal %s could not be queued", proposal_id)
        return 0
