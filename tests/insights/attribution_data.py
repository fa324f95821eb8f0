"""Two landed projects and what came before them, known by hand.

P landed in `park` (owner org_a, company org_b) on LANDED; Q landed in `other` with nothing
before it. Before P's landing: visit V1 (lists P, stop at park), visit V2 (lists P, run by
the other park with only its own stop: its title must never reach park members), visit V4
(org_b visiting with park as a stop, no link), meeting M1 (lists P), event E1 (presents P's
achievement), event E2 (org_b registered), a held one-to-one meeting PM (led to P). Not
counted: V3 (after landing), a cancelled visit, a match record dated after landing.
For staff P has 7 touches, the first 50 days before landing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from luodi.catalog.models import Organization
from luodi.engagements.models import (
    Event,
    EventStatus,
    Meeting,
    Registration,
    Visit,
    VisitStatus,
    VisitStop,
)
from luodi.matchmaking.models import MatchRecord, MatchStatus
from luodi.partnering.choices import MeetingState, Origin
from luodi.partnering.models import Meeting as PartneringMeeting
from luodi.partnering.models import Participant, PartneringSession
from luodi.pipeline.domain.projects import move_project
from luodi.pipeline.models import LandingRecord, Project
from tests.aftercare.factories import TO_LANDED, Parks, make_parks
from tests.conftest import Personas
from tests.factories import OrganizationFactory
from tests.pipeline.factories import make_project

HIDDEN_VISIT = "乙园区专属考察"
LANDED = date(2025, 6, 30)


@dataclass
class World:
    parks: Parks
    p: Project
    q: Project
    center: Organization


def _at(day: date, hh: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hh, 0)))


def landed_on(
    personas: Personas,
    park: Organization,
    title: str,
    day: date,
    company: Organization | None = None,
) -> Project:
    """A project landed in `park` on `day` (its stage history dated, as an import would)."""
    project = make_project(
        personas.staff,
        personas.org_a,
        title=title,
        company=company or personas.org_b,
        target_park=park,
        staff=personas.staff,
    )
    LandingRecord.objects.create(project=project, entity_name=f"{title}有限公司", park=park)
    for n, stage in enumerate(TO_LANDED):
        at = _at(day, 12) - timedelta(days=len(TO_LANDED) - 1 - n)
        move_project(
            actor=personas.staff, project=project, to_stage=stage, confirm_warnings=True, at=at
        )
    project.refresh_from_db()
    return project


def _visit(
    title: str, day: date, organizer: Organization, stop: Organization, **kw: object
) -> Visit:
    visit = Visit.objects.create(title_zh=title, date=day, organizer=organizer, **kw)  # type: ignore[arg-type]
    VisitStop.objects.create(visit=visit, organization=stop, position=1)
    return visit


def _event(title: str, day: date, organizer: Organization) -> Event:
    return Event.objects.create(
        title_zh=title,
        organizer=organizer,
        venue="会场",
        starts_at=_at(day),
        ends_at=_at(day, 17),
        status=EventStatus.PUBLISHED,
    )


def build(personas: Personas) -> World:
    parks = make_parks()
    center = OrganizationFactory(name_zh="创新中心", kind="association")
    p = landed_on(personas, parks.park, "骨科机器人落地项目", LANDED)
    q = landed_on(
        personas,
        parks.other,
        "肿瘤新药落地项目",
        LANDED - timedelta(days=3),
        company=OrganizationFactory(name_zh="丙公司"),
    )

    v1 = _visit("医学城园区考察", LANDED - timedelta(days=30), center, parks.park)
    v1.projects.add(p)
    v2 = _visit(HIDDEN_VISIT, LANDED - timedelta(days=25), parks.other, parks.other)
    v2.projects.add(p)
    v3 = _visit("落地后回访", LANDED + timedelta(days=5), center, parks.park)
    v3.projects.add(p)
    cancelled = _visit(
        "取消的考察", LANDED - timedelta(days=20), center, parks.park, status=VisitStatus.CANCELLED
    )
    cancelled.projects.add(p)
    _visit("企业自行考察", LANDED - timedelta(days=35), center, parks.park, company=personas.org_b)

    m1 = Meeting.objects.create(title="落地条件座谈", starts_at=_at(LANDED - timedelta(days=20)))
    m1.projects.add(p)
    m1.organizations.add(parks.park)

    e1 = _event("成果路演", LANDED - timedelta(days=40), center)
    e1.achievements.add(p.achievement)  # type: ignore[arg-type]
    e2 = _event("产业对接大会", LANDED - timedelta(days=50), center)
    Registration.objects.create(
        event=e2, name="参会人", email="guest@example.org", organization_name=personas.org_b.name_zh
    )

    session = PartneringSession.objects.create(event=e2)
    a = Participant.objects.create(
        session=session, user=personas.partner_a, organization=personas.org_a
    )
    b = Participant.objects.create(
        session=session, user=personas.partner_b, organization=personas.org_b
    )
    PartneringMeeting.objects.create(
        session=session,
        a=a,
        b=b,
        origin=Origin.ORGANISER,
        state=MeetingState.HELD,
        starts_at=_at(LANDED - timedelta(days=50), 14),
        project=p,
    )
    record = MatchRecord.objects.create(
        source_kind="achievement",
        source_id=p.achievement_id,  # type: ignore[arg-type]
        target_kind="company",
        target_id=personas.org_b.pk,
        achievement=p.achievement,
        source_owner=personas.org_a,
        counterparty=personas.org_b,
        status=MatchStatus.INTRODUCED,
        project=p,
    )
    MatchRecord.objects.filter(pk=record.pk).update(created_at=_at(LANDED + timedelta(days=1)))
    return World(parks, p, q, center)
