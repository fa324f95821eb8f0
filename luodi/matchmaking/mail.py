"""Open-call and match-alert notifications, through luodi.notifications: members of the
organizations concerned get them by email (unless they turned that kind off) and in their
own group robots, and each organization's team robots get one message too; everyone in
their language.

Called after the publishing (or status-changing) transaction commits; a failure to queue
is logged and never undoes the write, which already notified the inbox. Each delivery is
then a job of its own, retried with backoff when a mail server or a robot fails."""

from __future__ import annotations

import logging
from collections.abc import Collection

from django.utils import translation
from django.utils.translation import gettext as _

from luodi.accounts.models import User
from luodi.catalog.choices import Disclosure, ReviewStatus
from luodi.catalog.models import ClinicalNeed, Organization
from luodi.catalog.rules import achievements_visible_to
from luodi.matchmaking.models import MatchRecord
from luodi.notifications.domain import Message, notify
from luodi.notifications.models import EventKind

log = logging.getLogger(__name__)


def recipients(org_ids: Collection[int]) -> list[User]:
    """Active members of the organizations, each once (whether they hear by email or by
    their own robots is up to their notification settings)."""
    return list(
        User.objects.filter(is_active=True, memberships__organization_id__in=list(org_ids))
        .distinct()
        .order_by("pk")
    )


def open_call_message(user: User | None, need: ClinicalNeed, link: str) -> tuple[str, str]:
    """Subject and body in the recipient's language (the need's title too); for a team's
    robots (`user` None) in the language active when called."""
    language = user.preferred_language() if user else translation.get_language()
    with translation.override(language):
        title = need.title
        subject = _("Open call: %(title)s") % {"title": title}
        values = {
            "hospital": need.organization.display_name,
            "title": title,
            "link": link,
        }
        if user is None:
            body = (
                _(
                    "%(hospital)s published the clinical need “%(title)s” as an open call, and "
                    "your organization was matched to it.\n\n"
                    "Read it and answer here: %(link)s"
                )
                % values
            )
        else:
            body = _(
                "Hello %(name)s,\n\n"
                "%(hospital)s published the clinical need “%(title)s” as an open call, and your "
                "organization was matched to it.\n\n"
                "Read it and answer here: %(link)s\n\n"
                "— Luodi"
            ) % {**values, "name": user.display_name or user.get_username()}
    return subject, body


def send_open_call_emails(*, need_id: int, org_ids: Collection[int], link: str) -> int:
    """Notify the matched organizations' members and team robots of an open call; returns
    how many deliveries were queued. (The name predates robots; callers keep using it.)"""
    try:
        need = ClinicalNeed.objects.select_related("organization").get(pk=need_id)

        def compose(user: User | None, language: str) -> Message:
            subject, body = open_call_message(user, need, link)
            return Message(subject=subject, body=body, link=link)

        return notify(
            kind=EventKind.OPEN_CALL,
            compose=compose,
            users=recipients(org_ids),
            organizations=Organization.objects.filter(pk__in=list(org_ids)).order_by("pk"),
            about=need,
            actor_label="open call",
        )
    except Exception:
        log.exception("Open-call notifications for need %s could not be queued", need_id)
        return 0


def match_alert_message(record: MatchRecord, link: str) -> tuple[str, str]:
    """Subject and body in the active language."""
    assert record.achievement is not None and record.counterparty is not None
    values = {
        "achievement": record.achievement.title,
        "organization": record.counterparty.display_name,
        "status": record.get_status_display(),
        "link": link,
    }
    subject = _("Match: %(achievement)s ↔ %(organization)s") % values
    body = (
        _("The match between “%(achievement)s” and %(organization)s is now: %(status)s.") % values
    )
    if link:
        body += "\n\n" + _("See it here: %(link)s") % values
    return subject, body


def send_match_alert(*, match_id: int, link: str = "") -> int:
    """Tell both sides of an achievement's match (its owner and the counterparty) that its
    status changed, e.g. when the association introduces them. Only people who may see the
    achievement hear of it, and the counterparty's team robots only when it is public, so
    that a confidential achievement's title never reaches a group chat. Returns how many
    deliveries were queued."""
    try:
        record = MatchRecord.objects.select_related("achievement", "counterparty").get(pk=match_id)
        achievement = record.achievement
        if achievement is None or record.counterparty is None:
            return 0  # organization- and need-sourced matches have no alert yet
        owner_id, counterparty_id = achievement.owner_id, record.counterparty_id
        sides = [i for i in (owner_id, counterparty_id) if i is not None]
        users = [
            u
            for u in recipients(sides)
            if achievements_visible_to(u).filter(pk=achievement.pk).exists()
        ]
        public = (
            achievement.disclosure == Disclosure.PUBLIC
            and achievement.status == ReviewStatus.PUBLISHED
            and achievement.archived_at is None
        )
        teams = [i for i in (owner_id, counterparty_id if public else None) if i is not None]

        def compose(user: User | None, language: str) -> Message:
            subject, body = match_alert_message(record, link)
            return Message(subject=subject, body=body, link=link)

        return notify(
            kind=EventKind.MATCH_ALERT,
            compose=compose,
            users=users,
            organizations=Organization.objects.filter(pk__in=teams).order_by("pk"),
            about=record,
            actor_label="match alert",
        )
    except Exception:
        log.exception("Match alert for match %s could not be queued", match_id)
        return 0
