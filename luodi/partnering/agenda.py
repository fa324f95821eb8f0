"""A participant's agenda: their meetings in slot order, as a page and as an iCalendar feed.
The feed's address carries a signed token naming the participant (salted, so it is no key
to anything else); only booked and held meetings block time in it."""

from __future__ import annotations

from django.core import signing
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from luodi import ics
from luodi.partnering.choices import OCCUPYING, MeetingState
from luodi.partnering.models import Meeting, Participant

SALT = "luodi.partnering.feed"


def meetings_of(participant: Participant) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(Q(a=participant) | Q(b=participant))
        .select_related(
            "session__event", "a__organization", "b__organization", "a__user", "b__user"
        )
        .order_by("starts_at", "id")
    )


def feed_token(participant: Participant) -> str:
    return signing.dumps(participant.pk, salt=SALT)


def participant_for_token(token: str) -> Participant | None:
    try:
        pk = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return (
        Participant.objects.select_related("session__event", "user", "organization")
        .filter(pk=pk, user__is_active=True)
        .first()
    )


def agenda_ics(participant: Participant, *, base_url: str = "") -> str:
    event = participant.session.event
    items: list[ics.CalEvent] = []
    for m in meetings_of(participant).filter(state__in=OCCUPYING):
        if m.starts_at is None or m.ends_at is None:
            continue
        other = m.other(participant)
        items.append(
            ics.CalEvent(
                uid=f"partnering-meeting-{m.pk}@luodi",
                summary=_("1:1 meeting: %(org)s") % {"org": other.organization.display_name},
                start=m.starts_at,
                end=m.ends_at,
                description=other.offer[:500],
                location=", ".join(filter(None, [event.venue, m.table_label])),
                status="CONFIRMED" if m.state == MeetingState.BOOKED else "",
            )
        )
    return ics.calendar(items, name=_("Partnering: %(event)s") % {"event": event.title})
