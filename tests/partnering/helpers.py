from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.utils import timezone

from luodi.accounts.models import Role, User
from luodi.catalog.models import Organization
from luodi.engagements.models import Event, EventStatus
from luodi.partnering import domain
from luodi.partnering.models import Participant, PartneringSession
from tests.conftest import Personas
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory


@dataclass
class Setup:
    event: Event
    session: PartneringSession
    a: Participant
    b: Participant
    c: Participant
    organiser: User
    slots: list[datetime]


def make_event(organizer: Organization, days: int = 7) -> Event:
    day = timezone.localdate() + timedelta(days=days)
    start = timezone.make_aware(datetime.combine(day, time(9, 0)))
    return Event.objects.create(
        title_zh="测试对接会",
        title_en="Test partnering event",
        organizer=organizer,
        venue="测试会场",
        starts_at=start,
        ends_at=start + timedelta(hours=9),
        status=EventStatus.PUBLISHED,
    )


def setup(personas: Personas, days: int = 7) -> Setup:
    host = OrganizationFactory(name_zh="主办方", name_en="Host")
    organiser = UserFactory(username="organiser", role=Role.PARTNER)
    MembershipFactory(user=organiser, organization=host)
    event = make_event(host, days)
    start = timezone.make_aware(
        datetime.combine(timezone.localtime(event.starts_at).date(), time(14, 0))
    )
    session = domain.create_session(
        actor=personas.staff,
        event=event,
        windows=[(start, start + timedelta(hours=1))],
        slot_minutes=20,
        tables=2,
    )
    org_c = OrganizationFactory(name_zh="丙机构", name_en="Org C")
    partner_c = UserFactory(username="partner_c", role=Role.PARTNER)
    MembershipFactory(user=partner_c, organization=org_c)
    a = domain.join(actor=personas.partner_a, session=session, organization=personas.org_a)
    b = domain.join(actor=personas.partner_b, session=session, organization=personas.org_b)
    c = domain.join(actor=partner_c, session=session, organization=org_c)
    return Setup(event, session, a, b, c, organiser, session.slots())
