"""Demo partnering: a session at the demo's next matchmaking event (or any demo event) with
the demo park, hospital and association as participants, two booked meetings (one requested
and accepted, one scheduled by the organisers) and one open proposal with its explanation.
Times follow the event, so the demo never goes stale; idempotent; through the domain."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any, Protocol

from django.utils import timezone

from luodi.accounts.models import Role, User
from luodi.engagements.models import Event, EventKind
from luodi.partnering import domain
from luodi.partnering.choices import Origin
from luodi.partnering.models import Participant, PartneringSession

# (username, organization zh name): demo personas of luodi.demo.
SEATS = [("hospital", "四川大学华西医院"), ("park", "成都医学城"), ("staff", "医工融合创新中心")]


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


def _event() -> Event | None:
    demo = Event.objects.filter(is_demo=True)
    return (
        demo.filter(kind=EventKind.MATCHMAKING, starts_at__gte=timezone.now())
        .order_by("starts_at")
        .first()
        or demo.filter(starts_at__gte=timezone.now()).order_by("starts_at").first()
        or demo.order_by("-starts_at").first()
    )


def load(out: Writer) -> None:
    if PartneringSession.objects.filter(is_demo=True).exists():
        return
    actor = User.objects.filter(role=Role.STAFF, is_active=True).order_by("pk").first()
    event = _event()
    seats = []
    for username, org_name in SEATS:
        user = User.objects.filter(username=username).first()
        org = user.memberships.filter(organization__name_zh=org_name).first() if user else None
        if user is not None and org is not None:
            seats.append((user, org.organization))
    if actor is None or event is None or len(seats) < 3:
        out.write("  partnering demo skipped: no staff user, demo event or demo personas\n")
        return
    day = timezone.localtime(event.starts_at).date()
    start = timezone.make_aware(datetime.combine(day, time(14, 0)))
    session = domain.create_session(
        actor=actor,
        event=event,
        windows=[(start, start + timedelta(hours=3))],
        slot_minutes=20,
        tables=8,
        is_demo=True,
    )
    people: list[Participant] = [
        domain.join(actor=user, session=session, organization=org, is_demo=True)
        for user, org in seats
    ]
    hospital, park, association = people
    slots = session.slots()
    requested = domain.propose(
        actor=hospital.user,
        a=hospital,
        b=park,
        starts_at=slots[0],
        message="希望洽谈成果在园区落地的载体与政策。",
        is_demo=True,
    )
    domain.accept(actor=park.user, meeting=requested, side=park)
    domain.schedule(actor=actor, a=hospital, b=association, starts_at=slots[2], is_demo=True)
    domain.propose(
        actor=actor,
        a=park,
        b=association,
        origin=Origin.ENGINE,
        starts_at=slots[4],
        reasons=[{"text": "园区招商方向与协会推介成果领域一致", "ok": True, "delta": 0.1}],
        score=0.1,
        is_demo=True,
    )
    out.write(f"  partnering demo: session at {event} with 2 booked meetings\n")
