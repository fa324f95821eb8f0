"""Reads shared by pages, the API, the PDFs and the export: who is eligible for what."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from luodi.credentials.models import CmeActivity, CmeCredit, SessionAttendance
from luodi.engagements.models import (
    Event,
    Registration,
    RegistrationStatus,
    Session,
    SessionSpeaker,
    Speaker,
)


def confirmed(event: Event) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED)
        .select_related("category", "badge_print")
        .order_by("name", "id")
    )


def badge_registrations(
    event: Event, *, category_id: int | None = None, only_unprinted: bool = False
) -> QuerySet[Registration]:
    """Whose badges a sheet prints: confirmed registrants, of one category if chosen, and
    only those never printed if asked."""
    regs = confirmed(event)
    if category_id is not None:
        regs = regs.filter(category_id=category_id)
    if only_unprinted:
        regs = regs.filter(badge_print__isnull=True)
    return regs


def attendance_eligible(event: Event) -> QuerySet[Registration]:
    """An attendance certificate needs a confirmed registration that was checked in."""
    return confirmed(event).filter(checked_in_at__isnull=False)


def presenters(event: Event) -> list[tuple[Speaker, list[str]]]:
    """Who presented: the event's agenda speakers who speak in at least one session, with
    the titles of their sessions in time order. Placing an accepted abstract in the
    programme makes its presenting author the session's speaker (conferences' `place`), so
    presenting authors are here as well as invited speakers; an abstract taken out of the
    programme takes its speaker's presentation with it."""
    links = (
        SessionSpeaker.objects.filter(session__event=event)
        .select_related("speaker", "session")
        .order_by("speaker__name", "session__starts_at", "session_id")
    )
    out: dict[int, tuple[Speaker, list[str]]] = {}
    for link in links:
        entry = out.setdefault(link.speaker_id, (link.speaker, []))
        entry[1].append(link.session.title)
    return list(out.values())


@dataclass
class Eligibility:
    registration: Registration
    missed: list[Session] = field(default_factory=list)
    checked_in: bool = False
    credit: CmeCredit | None = None

    @property
    def eligible(self) -> bool:
        return self.checked_in and not self.missed


def eligibility(activity: CmeActivity) -> list[Eligibility]:
    """Each confirmed registrant of the activity's event: eligible when checked in to every
    required session (no required session: checked in to the event), else the sessions they
    missed. A fixed number of queries, whatever the number of people."""
    required = list(activity.required_sessions.order_by("starts_at", "id"))
    attended: dict[int, set[int]] = defaultdict(set)
    for reg_id, session_id in SessionAttendance.objects.filter(
        session__in=required, registration__event_id=activity.event_id
    ).values_list("registration_id", "session_id"):
        attended[reg_id].add(session_id)
    credits = {c.registration_id: c for c in CmeCredit.objects.filter(activity=activity)}
    rows = []
    for reg in confirmed(activity.event):
        rows.append(
            Eligibility(
                registration=reg,
                missed=[s for s in required if s.pk not in attended[reg.pk]],
                checked_in=reg.checked_in_at is not None
                or (bool(required) and bool(attended[reg.pk])),
                credit=credits.get(reg.pk),
            )
        )
    return rows


def activities_of(event: Event, qs: QuerySet[CmeActivity]) -> QuerySet[CmeActivity]:
    return qs.filter(event=event).prefetch_related(
        Prefetch("required_sessions", queryset=Session.objects.order_by("starts_at", "id"))
    )
