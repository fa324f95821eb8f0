"""A survey after a past event, with some answers: a roadshow held six weeks ago by the
innovation center, its attendees (confirmed and checked in), the survey sent to them and
four of six answered. The roadshow presented the achievements of the pipeline's projects
that landed after it, and their companies came, so the attribution page has touches.
Idempotent (the event's title is the key); every record is flagged `is_demo`, no text says
so. The invitations are marked mailed without queueing mail: the addresses go nowhere."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any, Protocol

from django.utils import timezone

from luodi.accounts.models import User
from luodi.catalog.models import Organization
from luodi.engagements.domain import records
from luodi.engagements.models import Event, EventKind, EventStatus, Registration
from luodi.pipeline.choices import ProjectStage
from luodi.pipeline.models import Project
from luodi.surveys import domain, mail
from luodi.surveys.models import Invitation, Response, Survey

TITLE_ZH = "生物医药成果路演（第一期）"
ATTENDEES = [
    ("何晓琳", "蓉创精准医疗"),
    ("唐明", "某医院科研处"),
    ("吴佳", "某投资机构"),
    ("郑凯", "某医疗器械公司"),
    ("许婷", "某高校技术转移中心"),
    ("冯涛", "某生物科技公司"),
    ("曹雪", "某药企"),  # registered, did not come: not invited
]
# (overall, meetings, again 1=yes 2=maybe 3=no, improve)
ANSWERS: list[tuple[str, str, str, str]] = [
    ("5", "4", "1", "希望路演后多留一些一对一交流的时间。"),
    ("4", "5", "1", ""),
    ("4", "3", "2", "会场音响效果一般，后排听不清。"),
    ("3", "", "2", "Please send the slides to attendees afterwards."),
]


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


def _event(actor: User, host: Organization) -> Event:
    day = timezone.localdate() - timedelta(days=45)
    start = timezone.make_aware(datetime.combine(day, time(14, 0)))
    event = Event(
        kind=EventKind.ROADSHOW,
        title_zh=TITLE_ZH,
        title_en="Biomedical achievement roadshow, session one",
        description_zh="六个项目路演，投资机构与园区点评，会后一对一交流。",
        description_en="Six projects pitched, investors and parks comment, then one-to-one talks.",
        organizer=host,
        venue="创新中心路演厅",
        starts_at=start,
        ends_at=start + timedelta(hours=4),
        status=EventStatus.PUBLISHED,
        registration_open=False,
        is_demo=True,
    )
    landed_after = (
        Project.objects.filter(
            is_demo=True,
            achievement__isnull=False,
            transitions__to_stage=ProjectStage.LANDED,
            transitions__created_at__gt=start,
        )
        .select_related("company")
        .distinct()
        .order_by("pk")[:3]
    )
    records.save(
        actor=actor,
        instance=event,
        fields=["title_zh", "starts_at"],
        m2m={"achievements": [p.achievement for p in landed_after]},
    )
    companies = [p.company.name_zh for p in landed_after if p.company is not None]
    attendees = [
        (name, companies[i] if i < len(companies) else org)
        for i, (name, org) in enumerate(ATTENDEES)
    ]
    checked_in = event.starts_at - timedelta(minutes=20)
    for i, (name, org) in enumerate(attendees, 1):
        Registration.objects.create(
            event=event,
            name=name,
            email=f"roadshow{i}@demo.luodi.invalid",
            organization_name=org,
            checked_in_at=checked_in if i < len(ATTENDEES) else None,
            created_at=event.starts_at - timedelta(days=10),
        )
    return event


def load(out: Writer) -> None:
    """Demo data of this app (idempotent)."""
    if Survey.objects.filter(is_demo=True, event__title_zh=TITLE_ZH).exists():
        return
    actor = (
        User.objects.filter(username="staff").first()
        or User.objects.filter(is_superuser=True).order_by("pk").first()
    )
    host = Organization.objects.filter(name_zh="医工融合创新中心").first()
    if actor is None or host is None:
        out.write("  surveys demo skipped: no staff user or innovation center\n")
        return
    event = Event.objects.filter(is_demo=True, title_zh=TITLE_ZH).first() or _event(actor, host)
    survey = domain.create_survey(actor=actor, event=event, is_demo=True)
    survey.sent_at = event.ends_at + timedelta(hours=2)
    survey.closes_at = timezone.now() + timedelta(days=14)
    survey.save(update_fields=["sent_at", "closes_at"])
    mail.invite_attendees(survey)
    Invitation.objects.filter(survey=survey).update(mailed_at=survey.sent_at)
    questions = list(survey.questions.order_by("position"))
    invitations = list(Invitation.objects.filter(survey=survey).order_by("pk"))
    for invitation, values in zip(invitations, ANSWERS, strict=False):
        domain.submit(
            invitation=invitation,
            values={domain.field_name(q): v for q, v in zip(questions, values, strict=True)},
            language="en" if values[3].startswith("Please") else "zh-hans",
            is_demo=True,
        )
    Response.objects.filter(survey=survey).update(is_demo=True)
    out.write(f"  survey after {event.title_zh}: {len(ANSWERS)} answers\n")
