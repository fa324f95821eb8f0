"""A past event organised by a host organization, with attendees: four confirmed and
checked in, one confirmed who did not come, one cancelled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.utils import timezone

from luodi.accounts.models import Role, User
from luodi.catalog.models import Organization
from luodi.engagements.models import Event, EventStatus, Registration, RegistrationStatus
from luodi.surveys import domain
from luodi.surveys.models import Survey
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

ATTENDEE_NAMES = ["欧阳晴", "司马远", "诸葛兰", "上官岚"]


@dataclass
class Setup:
    host: Organization
    organiser: User
    event: Event
    attendees: list[Registration]
    absent: Registration
    cancelled: Registration


def make_event(host: Organization, *, days: int = -3) -> Event:
    day = timezone.localdate() + timedelta(days=days)
    start = timezone.make_aware(datetime.combine(day, time(9, 0)))
    return Event.objects.create(
        title_zh="转化论坛问卷测试",
        title_en="Survey test forum",
        organizer=host,
        venue="测试会场",
        starts_at=start,
        ends_at=start + timedelta(hours=8),
        status=EventStatus.PUBLISHED,
    )


def setup(days: int = -3) -> Setup:
    host = OrganizationFactory(name_zh="问卷主办方", name_en="Survey host")
    organiser = UserFactory(username="organiser", role=Role.PARTNER)
    MembershipFactory(user=organiser, organization=host)
    event = make_event(host, days=days)
    came = event.starts_at + timedelta(minutes=5)
    attendees = [
        Registration.objects.create(
            event=event,
            name=name,
            email=f"attendee{i}@example.org",
            organization_name=f"参会单位{i}",
            checked_in_at=came,
        )
        for i, name in enumerate(ATTENDEE_NAMES, 1)
    ]
    absent = Registration.objects.create(event=event, name="缺席者", email="absent@example.org")
    cancelled = Registration.objects.create(
        event=event,
        name="取消者",
        email="cancelled@example.org",
        status=RegistrationStatus.CANCELLED,
        checked_in_at=came,
    )
    return Setup(host, organiser, event, attendees, absent, cancelled)


def survey_for(s: Setup, *, send: bool = False) -> Survey:
    survey = domain.create_survey(actor=s.organiser, event=s.event)
    if send:
        domain.send(actor=s.organiser, survey=survey, base_url="https://luodi.example.org")
        survey.refresh_from_db()
    return survey


def answers(survey: Survey, *values: str) -> dict[str, str]:
    """Values for the survey's questions in order ("" leaves one out)."""
    qs = list(survey.questions.order_by("position"))
    return {domain.field_name(q): v for q, v in zip(qs, values, strict=False) if v != ""}
