"""Demo credentials on the demo academic conference (the engagements event of kind
conference that has a call for abstracts): registrants, their session check-ins, a CME
activity requiring two programme sessions one after the other (credits awarded to who
attended both) and the certificates issued. Fictional people; records
flagged `is_demo` where the model has the flag; made through the domain functions.
Idempotent: does nothing once the demo activity exists."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Protocol

from django.db import transaction
from django.utils import timezone

from luodi.accounts.models import Role, User
from luodi.credentials import domain
from luodi.credentials.models import CmeActivity
from luodi.engagements.models import Event, EventKind, Registration, RegistrationStatus


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


# name, organization, position, phone; how many of the required sessions each attended
PEOPLE = [
    ("林若溪", "示例附属医院心内科", "主治医师", "13800000101", 2),
    ("高子航", "示例医学院影像系", "住院医师", "13800000102", 2),
    ("宋嘉宁", "示例肿瘤医院", "副主任医师", "13800000103", 1),
    ("何文博", "示例大学生物医学工程学院", "讲师", "13800000104", 2),
    ("罗晓彤", "示例护理学院", "护师", "13800000105", 0),
]
PROJECT_CODE = "2025-03-01-088（国）"


def _event() -> Event | None:
    return (
        Event.objects.filter(is_demo=True, kind=EventKind.CONFERENCE, conference__isnull=False)
        .order_by("pk")
        .first()
    )


def _registrations(event: Event) -> list[Registration]:
    """The conference's registrants. The seeded people registered "through the public form"
    before the demo starts: written directly, since the public form's consent and category
    questions are the registrant's to answer, not the demo's."""
    out = []
    for i, (name, org, position, phone, _n) in enumerate(PEOPLE):
        reg, _created = Registration.objects.get_or_create(
            event=event,
            email=f"cme{i + 1}@demo.luodi.invalid",
            defaults={
                "name": name,
                "organization_name": org,
                "position": position,
                "phone": phone,
                "status": RegistrationStatus.CONFIRMED,
                "created_at": timezone.now(),
            },
        )
        out.append(reg)
    return out


def _consecutive(sessions: list[Any]) -> list[Any]:
    """Sessions one person can attend one after the other (parallel rooms skipped)."""
    chosen: list[Any] = []
    for s in sessions:
        if not chosen or s.starts_at >= chosen[-1].ends_at:
            chosen.append(s)
    return chosen


def load(out: Writer) -> None:
    event = _event()
    if event is None:
        out.write("  credentials demo skipped: no academic conference\n")
        return
    if CmeActivity.objects.filter(event=event, is_demo=True).exists():
        return
    actor = (
        User.objects.filter(username="staff").first()
        or User.objects.filter(role=Role.STAFF, is_active=True).order_by("pk").first()
    )
    sessions = list(event.sessions.order_by("starts_at", "room", "id"))
    if actor is None or len(_consecutive(sessions)) < 2:
        out.write("  credentials demo skipped: no staff user or no programme\n")
        return
    required = _consecutive(sessions)[:2]
    with transaction.atomic():
        regs = _registrations(event)
        for reg, (*_rest, attended) in zip(regs, PEOPLE, strict=True):
            for session in required[:attended]:
                domain.check_in_session(actor=actor, session=session, code=reg.code, is_demo=True)
        activity = domain.save_activity(
            actor=actor,
            event=event,
            values={
                "project_code": PROJECT_CODE,
                "title": "医工转化与临床研究方法学习班",
                "credit_type": "I",
                "credits": Decimal("2.0"),
                "hours": Decimal("6.0"),
            },
            sessions=required,
            is_demo=True,
        )
        awarded = domain.award(actor=actor, activity=activity, is_demo=True)
        issued = domain.issue_certificates(actor=actor, event=event, is_demo=True)
    out.write(
        f"  credentials demo: {event} — CME {PROJECT_CODE}, {awarded} credited, "
        f"{issued} certificates\n"
    )
