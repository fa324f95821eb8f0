"""Reads shared by several callers: agenda conflicts, calendar entries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from luodi.accounts.rules import AnyUser
from luodi.engagements import rules
from luodi.engagements.models import Event, Meeting, Session, Visit
from luodi.text import join_items


@dataclass(frozen=True)
class Conflict:
    kind: str  # "room" | "speaker"
    what: str  # the room or the speaker's name
    other: Session

    @property
    def message(self) -> str:
        if self.kind == "room":
            return _("Room %(room)s is already used by “%(other)s” (%(start)s–%(end)s).") % {
                "room": self.what,
                "other": self.other.title,
                "start": timezone.localtime(self.other.starts_at).strftime("%H:%M"),
                "end": timezone.localtime(self.other.ends_at).strftime("%H:%M"),
            }
        return _("%(speaker)s already speaks in “%(other)s” (%(start)s–%(end)s).") % {
            "speaker": self.what,
            "other": self.other.title,
            "start": timezone.localtime(self.other.starts_at).strftime("%H:%M"),
            "end": timezone.localtime(self.other.ends_at).strftime("%H:%M"),
        }


def session_conflicts(
    *,
    event: Event,
    starts_at: datetime,
    ends_at: datetime,
    room: str,
    speaker_names: Iterable[str],
    exclude_pk: int | None = None,
) -> list[Conflict]:
    """Sessions of `event` overlapping [starts_at, ends_at) in the same room or with one of
    the same speakers (touching end-to-start is no overlap)."""
    names = {n.strip().casefold() for n in speaker_names if n.strip()}
    others = event.sessions.all() if exclude_pk is None else event.sessions.exclude(pk=exclude_pk)
    overlapping = others.filter(starts_at__lt=ends_at, ends_at__gt=starts_at).prefetch_related(
        "speaker_links__speaker"
    )
    out: list[Conflict] = []
    for other in overlapping:
        if room.strip() and other.room.strip().casefold() == room.strip().casefold():
            out.append(Conflict("room", other.room, other))
        out.extend(
            Conflict("speaker", sp.name, other)
            for sp in other.speaker_list
            if sp.name.casefold() in names
        )
    return out


def agenda_conflicts(sessions: list[Session]) -> dict[int, list[str]]:
    """For an agenda already loaded (`speaker_links__speaker` prefetched): session id →
    conflict messages."""
    out: dict[int, list[str]] = {}
    for i, a in enumerate(sessions):
        for b in sessions[i + 1 :]:
            if not (a.starts_at < b.ends_at and b.starts_at < a.ends_at):
                continue
            if a.room and a.room.casefold() == b.room.casefold():
                for s, o in ((a, b), (b, a)):
                    out.setdefault(s.pk, []).append(
                        _("Same room as “%(other)s”.") % {"other": o.title}
                    )
            shared = {sp.name for sp in a.speaker_list} & {sp.name for sp in b.speaker_list}
            for name in sorted(shared):
                for s, o in ((a, b), (b, a)):
                    out.setdefault(s.pk, []).append(
                        _("%(speaker)s also speaks in “%(other)s”.")
                        % {"speaker": name, "other": o.title}
                    )
    return out


@dataclass(frozen=True)
class Entry:
    kind: str  # visit | meeting | event | obligation
    title: str
    start: datetime
    end: datetime | None
    url: str
    place: str = ""
    uid: str = ""


def _aware(d: date, t: time) -> datetime:
    return timezone.make_aware(datetime.combine(d, t))


def calendar_entries(
    user: AnyUser,
    start: date,
    end: date,
    organization_id: int | None = None,
) -> list[Entry]:
    """Visits, meetings and events between `start` and `end` (exclusive) the user may see."""
    from django.urls import reverse

    lo, hi = _aware(start, time.min), _aware(end, time.min)
    visits: QuerySet[Visit] = rules.visits_visible_to(user).filter(date__gte=start, date__lt=end)
    meetings: QuerySet[Meeting] = rules.meetings_visible_to(user).filter(
        starts_at__gte=lo, starts_at__lt=hi
    )
    events: QuerySet[Event] = rules.events_visible_to(user).filter(
        starts_at__lt=hi, ends_at__gte=lo
    )
    if organization_id:
        visits = visits.filter(
            Q(organizer_id=organization_id)
            | Q(organizations__id=organization_id)
            | Q(stops__organization_id=organization_id)
        ).distinct()
        meetings = meetings.filter(organizations__id=organization_id).distinct()
        events = events.filter(
            Q(organizer_id=organization_id) | Q(co_organizers__id=organization_id)
        ).distinct()
    out: list[Entry] = []
    for v in visits.prefetch_related("stops__organization"):
        first = _aware(v.date, v.start_time)
        places = join_items(s.label for s in v.stops.all())
        out.append(
            Entry(
                "visit",
                v.title,
                first,
                first + timedelta(hours=4),
                reverse("engagements:visit", args=[v.pk]),
                places,
                f"visit-{v.pk}",
            )
        )
    for m in meetings:
        out.append(
            Entry(
                "meeting",
                m.title,
                m.starts_at,
                m.ends_at,
                reverse("engagements:meeting", args=[m.pk]),
                m.location,
                f"meeting-{m.pk}",
            )
        )
    for e in events:
        out.append(
            Entry(
                "event",
                e.title,
                e.starts_at,
                e.ends_at,
                reverse("engagements:event", args=[e.pk]),
                e.venue,
                f"event-{e.pk}",
            )
        )
    out.extend(_obligations(user, start, end, organization_id))
    out.sort(key=lambda e: e.start)
    return out


def _obligations(
    user: AnyUser, start: date, end: date, organization_id: int | None = None
) -> list[Entry]:
    """Due obligations of the pipeline's agreements the user may see."""
    from django.urls import NoReverseMatch, reverse

    from luodi.pipeline.rules import obligations_visible_to

    qs = obligations_visible_to(user).filter(due_date__gte=start, due_date__lt=end)
    if organization_id:
        qs = qs.filter(agreement__parties__id=organization_id).distinct()
    out = []
    for ob in qs.select_related("agreement"):
        assert ob.due_date is not None
        try:
            url = reverse("pipeline:detail", args=[ob.agreement.project_id])
        except NoReverseMatch:  # the pipeline pages are not mounted (yet)
            url = ""
        out.append(
            Entry(
                "obligation",
                f"{ob.agreement.title}: {ob}",
                _aware(ob.due_date, time(9, 0)),
                None,
                url,
                "",
                f"obligation-{ob.pk}",
            )
        )
    return out
