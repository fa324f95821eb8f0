"""The invitations: one email per attendee, in their language, with their private link.

Who is an attendee: a confirmed registration that checked in. Each gets one `Invitation`
row (unique per survey and registration); its mail is claimed by one conditional UPDATE of
`mailed_at` in the same transaction that queues the message (Django's mail is a job,
luodi.jobs.mail), so a second send — or a second run of the job after a worker died —
finds the row claimed and mails nobody twice; a rolled-back claim queues nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from luodi.accounts.models import User, language_codes
from luodi.engagements.models import Registration, RegistrationStatus
from luodi.surveys import tokens
from luodi.surveys.models import Invitation, Survey


def attendees(survey: Survey) -> QuerySet[Registration]:
    return Registration.objects.filter(
        event_id=survey.event_id,
        status=RegistrationStatus.CONFIRMED,
        checked_in_at__isnull=False,
    )


def language_of(email: str) -> str:
    """A registration stores no language: an account with the same address says it, else
    the site's default (the answer page has the language switcher)."""
    user = User.objects.filter(email__iexact=email, is_active=True).only("language").first()
    if user is not None and user.language in language_codes():
        return user.language
    return settings.LANGUAGE_CODE


def invite_attendees(survey: Survey) -> int:
    """Create the missing invitations (attendees checked in since the last send included);
    returns how many were created."""
    have = set(Invitation.objects.filter(survey=survey).values_list("registration_id", flat=True))
    new = [
        Invitation(survey=survey, registration=reg, language=language_of(reg.email))
        for reg in attendees(survey).only("pk", "email")
        if reg.pk not in have
    ]
    # ignore_conflicts: a concurrent send may have created some of them meanwhile.
    Invitation.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def compose(invitation: Invitation, *, base_url: str) -> EmailMessage:
    reg = invitation.registration
    event = invitation.survey.event
    with translation.override(invitation.language or settings.LANGUAGE_CODE):
        values = {
            "name": reg.name,
            "event": event.title,
            "link": base_url + tokens.answer_path(invitation.pk),
        }
        subject = _("A few questions about %(event)s") % values
        body = (
            _(
                "Hello %(name)s,\n\nthank you for coming to %(event)s. Would you answer a few "
                "short questions? It takes two minutes. The organisers see the answers of "
                "everyone together, never who gave them.\n\n%(link)s\n\nThe link is yours "
                "alone: you may change your answers until the survey closes.\n\n— Luodi"
            )
            % values
        )
    return EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[reg.email]
    )


def mail_pending(survey_id: int, *, base_url: str) -> int:
    """Mail every invitation not mailed yet; returns how many were mailed now."""
    survey = Survey.objects.select_related("event").filter(pk=survey_id).first()
    if survey is None or not survey.is_open():
        return 0
    invite_attendees(survey)
    mailed = 0
    pending = Invitation.objects.filter(survey=survey, mailed_at__isnull=True)
    for pk in list(pending.values_list("pk", flat=True)):
        with transaction.atomic():
            claimed = Invitation.objects.filter(pk=pk, mailed_at__isnull=True).update(
                mailed_at=timezone.now()
            )
            if not claimed:
                continue  # another run took it
            invitation = Invitation.objects.select_related("registration").get(pk=pk)
            invitation.survey = survey
            compose(invitation, base_url=base_url).send()
            mailed += 1
    return mailed
