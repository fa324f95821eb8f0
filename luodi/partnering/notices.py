"""Who hears about a meeting: the side that must answer a proposal, and both sides when a
meeting is booked. Through `notifications.notify` (queued jobs, in the caller's
transaction: a rolled-back write sends nothing), as match alerts."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from luodi.accounts.models import User
from luodi.notifications.domain import Message, notify
from luodi.notifications.models import EventKind
from luodi.partnering.models import Meeting


def _when(meeting: Meeting) -> str:
    if meeting.starts_at is None:
        return ""
    return date_format(timezone.localtime(meeting.starts_at), "Y-m-d H:i")


def _link(meeting: Meeting) -> str:
    return reverse("partnering:agenda", args=[meeting.session_id])


def proposed(meeting: Meeting, *, by: User) -> int:
    to = [p.user for p in (meeting.a, meeting.b) if not meeting.accepted_by(p)]

    def compose(user: User | None, language: str) -> Message:
        return Message(
            subject=_("Meeting proposed at %(event)s") % {"event": meeting.session.event.title},
            body=_("%(a)s and %(b)s, %(when)s. Accept or decline it in your agenda.")
            % {
                "a": meeting.a.organization.display_name,
                "b": meeting.b.organization.display_name,
                "when": _when(meeting),
            },
            link=_link(meeting),
        )

    return notify(kind=EventKind.MATCH_ALERT, compose=compose, users=to, about=meeting, actor=by)


def booked(meeting: Meeting, *, by: User) -> int:
    def compose(user: User | None, language: str) -> Message:
        return Message(
            subject=_("Meeting booked at %(event)s") % {"event": meeting.session.event.title},
            body=_("%(a)s and %(b)s, %(when)s, table %(table)s.")
            % {
                "a": meeting.a.organization.display_name,
                "b": meeting.b.organization.display_name,
                "when": _when(meeting),
                "table": meeting.table_label,
            },
            link=_link(meeting),
        )

    return notify(
        kind=EventKind.MATCH_ALERT,
        compose=compose,
        users=[meeting.a.user, meeting.b.user],
        about=meeting,
        actor=by,
    )
