"""Reads shared by pages and API: the timetable grid (days × slots × rooms), the slot
choices for placing without drag, review summaries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Avg, Count, Prefetch, Q, QuerySet
from django.utils import timezone

from luodi.conferences.models import Abstract, AbstractAuthor, Conference, Room
from luodi.engagements.models import Session, SessionSpeaker
from luodi.engagements.queries import agenda_conflicts

SPEAKERS = Prefetch(
    "speaker_links",
    queryset=SessionSpeaker.objects.select_related("speaker").order_by("position", "id"),
)
AUTHORS = Prefetch("authors", queryset=AbstractAuthor.objects.order_by("position", "id"))


def days(conference: Conference) -> list[date]:
    event = conference.event
    first = timezone.localtime(event.starts_at).date()
    last = timezone.localtime(event.ends_at).date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def slot_starts(conference: Conference, day: date) -> list[datetime]:
    step = timedelta(minutes=conference.slot_minutes)
    start = timezone.make_aware(datetime.combine(day, conference.day_starts))
    end = timezone.make_aware(datetime.combine(day, conference.day_ends))
    out = []
    while start + step <= end:
        out.append(start)
        start += step
    return out


def slot_value(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def parse_slot(value: str) -> datetime | None:
    try:
        naive = datetime.strptime(value, "%Y-%m-%dT%H:%M")
    except (TypeError, ValueError):
        return None
    return timezone.make_aware(naive)


def slot_choices(conference: Conference) -> list[tuple[str, str]]:
    """Every slot of the programme as (value, label): the select that places without drag."""
    out = []
    for n, day in enumerate(days(conference), start=1):
        for start in slot_starts(conference, day):
            local = timezone.localtime(start)
            out.append((slot_value(start), f"D{n} {local:%m-%d %H:%M}"))
    return out


@dataclass
class Cell:
    room: Room
    slot: datetime
    sessions: list[Session] = field(default_factory=list)
    starts_here: bool = False

    @property
    def value(self) -> str:
        return slot_value(self.slot)


@dataclass
class Row:
    slot: datetime
    cells: list[Cell]


@dataclass
class Day:
    day: date
    rows: list[Row]


def programme_sessions(conference: Conference) -> list[Session]:
    return list(conference.event.sessions.prefetch_related(SPEAKERS).select_related("abstract"))


def grid(conference: Conference, sessions: list[Session]) -> list[Day]:
    """The timetable: per day, one row per slot, one cell per room with the sessions that
    run in it then (a session longer than a slot fills several cells, marked as starting in
    the first)."""
    rooms = list(conference.rooms.all())
    out = []
    step = timedelta(minutes=conference.slot_minutes)
    for day in days(conference):
        rows = []
        for start in slot_starts(conference, day):
            cells = []
            for room in rooms:
                here = [
                    s
                    for s in sessions
                    if s.room.casefold() == room.name.casefold()
                    and s.starts_at < start + step
                    and s.ends_at > start
                ]
                cells.append(
                    Cell(room, start, here, any(start <= s.starts_at < start + step for s in here))
                )
            rows.append(Row(start, cells))
        out.append(Day(day, rows))
    return out


def conflicts(sessions: list[Session]) -> dict[int, list[str]]:
    return agenda_conflicts(sessions)


def with_review_summary(qs: QuerySet[Abstract]) -> QuerySet[Abstract]:
    return qs.annotate(
        avg_score=Avg("reviews__score"),
        n_reviews=Count("reviews", filter=Q(reviews__score__isnull=False)),
        n_assigned=Count("reviews"),
    ).prefetch_related(AUTHORS)


def public_programme(conference: Conference) -> list[tuple[date, list[Session]]]:
    """The published programme by day: every agenda session of the event except those of
    abstracts not (or no longer) accepted; rooms and speakers in protocol order."""
    from luodi.conferences.choices import ACCEPTED

    sessions = (
        conference.event.sessions.filter(
            Q(abstract__isnull=True) | Q(abstract__status__in=ACCEPTED)
        )
        .prefetch_related(SPEAKERS)
        .select_related("abstract")
        .order_by("starts_at", "room", "id")
    )
    by_day: dict[date, list[Session]] = {}
    for s in sessions:
        by_day.setdefault(timezone.localtime(s.starts_at).date(), []).append(s)
    return sorted(by_day.items())
