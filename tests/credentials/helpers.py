from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.utils import timezone

from luodi.engagements.models import (
    Event,
    EventKind,
    EventStatus,
    Registration,
    RegistrationCategory,
    RegistrationStatus,
    Session,
    SessionSpeaker,
    Speaker,
)
from tests.conftest import Personas

NAMES = ["张三丰", "李清照", "王羲之"]


@dataclass
class Setup:
    event: Event
    morning: Session
    afternoon: Session
    regs: list[Registration]
    cancelled: Registration
    category: RegistrationCategory
    speaker: Speaker


def _at(day: int, hh: int) -> datetime:
    d = timezone.localdate() + timedelta(days=day)
    return timezone.make_aware(datetime.combine(d, time(hh, 0)))


def setup(
    personas: Personas, *, organizer: object = None, title: str = "心血管转化医学大会"
) -> Setup:
    """A published conference of org A (partner_a organises it) with two sessions, three
    confirmed registrants with Chinese names, a cancelled one and an agenda speaker."""
    event = Event.objects.create(
        kind=EventKind.CONFERENCE,
        title_zh=title,
        title_en="Cardiovascular Translation Congress",
        organizer=organizer or personas.org_a,
        venue="华西会议中心",
        starts_at=_at(3, 9),
        ends_at=_at(3, 18),
        status=EventStatus.PUBLISHED,
    )
    category = RegistrationCategory.objects.create(
        event=event, name_zh="医生代表", name_en="Physician"
    )
    morning = Session.objects.create(
        event=event,
        title_zh="上午专题：心衰管理",
        room="主会场",
        starts_at=_at(3, 9),
        ends_at=_at(3, 12),
    )
    afternoon = Session.objects.create(
        event=event,
        title_zh="下午专题：介入治疗",
        room="主会场",
        starts_at=_at(3, 14),
        ends_at=_at(3, 17),
    )
    regs = [
        Registration.objects.create(
            event=event,
            name=name,
            email=f"p{i}@example.org",
            organization_name="四川大学华西医院",
            position="主治医师",
            phone=f"1380000000{i}",
            category=category if i < 2 else None,
        )
        for i, name in enumerate(NAMES)
    ]
    cancelled = Registration.objects.create(
        event=event, name="退会者", email="gone@example.org", status=RegistrationStatus.CANCELLED
    )
    speaker = Speaker.objects.create(event=event, name="钟南山", affiliation="广州医科大学")
    SessionSpeaker.objects.create(session=morning, speaker=speaker, position=0)
    return Setup(event, morning, afternoon, regs, cancelled, category, speaker)
