"""Open-call emails: when a clinical need is published as an open call, the users of the
matched organizations who have an email address get a short message in their language.

Sent after the publishing transaction commits; a failure (per recipient or as a whole) is
logged and never undoes the publishing, which already notified the inbox."""

from __future__ import annotations

import logging
from collections.abc import Collection

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from luodi.accounts.models import User
from luodi.catalog.models import ClinicalNeed

log = logging.getLogger(__name__)


def recipients(org_ids: Collection[int]) -> list[User]:
    """Active members of the organizations with an email address, each once."""
    return list(
        User.objects.filter(is_active=True, memberships__organization_id__in=list(org_ids))
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def open_call_message(user: User, need: ClinicalNeed, link: str) -> tuple[str, str]:
    """Subject and body in the recipient's language (the need's title too)."""
    with translation.override(user.preferred_language()):
        title = need.title
        subject = _("Open call: %(title)s") % {"title": title}
        body = _(
            "Hello %(name)s,\n\n"
            "%(hospital)s published the clinical need “%(title)s” as an open call, and your "
            "organization was matched to it.\n\n"
            "Read it and answer here: %(link)s\n\n"
            "— Luodi"
        ) % {
            "name": user.display_name or user.get_username(),
            "hospital": need.organization.display_name,
            "title": title,
            "link": link,
        }
    return subject, body


def send_open_call_emails(*, need_id: int, org_ids: Collection[int], link: str) -> int:
    """Email every recipient; returns how many messages went out."""
    sent = 0
    try:
        need = ClinicalNeed.objects.select_related("organization").get(pk=need_id)
        users = recipients(org_ids)
    except Exception:
        log.exception("Open-call emails for need %s could not be prepared", need_id)
        return 0
    for user in users:
        try:
            subject, body = open_call_message(user, need, link)
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
            sent += 1
        except Exception:
            # One bad address or a mail server hiccup must not stop the others.
            log.exception("Open-call email for need %s to user %s failed", need_id, user.pk)
    return sent
