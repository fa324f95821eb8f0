"""Registration options of the demo academic conferences (every `is_demo` event of kind
conference): categories 代表/Delegate (fee), 讲者/Speaker (free), 学生/Student (reduced) and
企业/Company, two questions, a category on each registration that has none, and — for a
published conference nobody has registered for yet — a few fictional registrants (one asks
for an invoice, one has paid). Made through the domain functions; idempotent: an event that
has categories keeps them, a registration that has a category keeps it."""

from __future__ import annotations

from itertools import cycle
from typing import Any, Protocol

from django.db import transaction

from luodi.accounts.models import User
from luodi.engagements.domain import events
from luodi.engagements.domain import registration_options as options
from luodi.engagements.models import (
    Event,
    EventKind,
    EventStatus,
    QuestionKind,
    Registration,
    RegistrationCategory,
    RegistrationQuestion,
)


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


# name_zh, name_en, fee in fen, places
CATEGORIES: list[tuple[str, str, int, int | None]] = [
    ("代表", "Delegate", 1_200_00, None),
    ("讲者", "Speaker", 0, 40),
    ("学生", "Student", 400_00, 60),
    ("企业", "Company", 2_000_00, None),
]
QUESTIONS: list[dict[str, Any]] = [
    {
        "label_zh": "是否参加第二天下午的园区参观？",
        "label_en": "Will you join the park visit on the afternoon of day two?",
        "kind": QuestionKind.YES_NO,
        "choices": "",
        "required": True,
    },
    {
        "label_zh": "饮食要求",
        "label_en": "Dietary requirements",
        "kind": QuestionKind.CHOICE,
        "choices": "无特殊要求\n清真\n素食",
        "required": False,
    },
]
# name, organization, category index, yes/no, invoice (title, tax id) or None, paid
PEOPLE: list[tuple[str, str, int, str, tuple[str, str] | None, bool]] = [
    ("周子墨", "示例大学生物医学工程学院", 1, "yes", None, False),
    ("何思远", "示例附属医院心内科", 0, "yes", ("示例附属医院", "12510000MB0A12345X"), True),
    ("宋佳怡", "示例医学院", 2, "no", None, False),
    (
        "顾承泽",
        "蓉创精准医疗科技有限公司",
        3,
        "yes",
        ("蓉创精准医疗科技有限公司", "91510100MA6C9K2L3P"),
        False,
    ),
]


def load(out: Writer) -> None:
    actor = (
        User.objects.filter(username="staff").first()
        or User.objects.filter(is_superuser=True).order_by("pk").first()
    )
    if actor is None:
        return
    conferences = Event.objects.filter(is_demo=True, kind=EventKind.CONFERENCE).order_by("pk")
    with transaction.atomic():
        done = [event.title for event in conferences if _options(actor, event)]
    if done:
        out.write(f"  engagements: registration categories for {len(done)} conference(s)\n")


def _options(actor: User, event: Event) -> bool:
    """Give one conference its options; True when anything was added."""
    changed = False
    if not event.registration_categories.exists():
        for zh, en, fee, places in CATEGORIES:
            values = {"name_zh": zh, "name_en": en, "fee_fen": fee, "capacity": places}
            options.add(actor=actor, event=event, model=RegistrationCategory, values=values)
        changed = True
    if not event.registration_questions.exists():
        for values in QUESTIONS:
            options.add(actor=actor, event=event, model=RegistrationQuestion, values=values)
        changed = True
    categories = list(event.registration_categories.order_by("position", "id"))
    # Registrations made before the event had categories: delegates, mostly.
    untyped = list(event.registrations.filter(category__isnull=True).order_by("pk"))
    for reg, category in zip(
        untyped, cycle([categories[0], categories[0], categories[2]]), strict=False
    ):
        Registration.objects.filter(pk=reg.pk).update(category=category, fee_fen=category.fee_fen)
        changed = True
    is_open = event.status == EventStatus.PUBLISHED and event.registration_open
    if is_open and not event.registrations.exists():
        _register(actor, event, categories)
        changed = True
    return changed


def _register(actor: User, event: Event, categories: list[RegistrationCategory]) -> None:
    event = Event.objects.select_related("organizer").get(pk=event.pk)
    notice = options.notice(event, "zh-hans")
    questions = list(event.registration_questions.order_by("position", "id"))
    for i, (name, org, k, yes_no, invoice, paid) in enumerate(PEOPLE):
        answers = {questions[0].pk: yes_no} if questions else {}
        reg = events.register(
            event=event,
            name=name,
            email=f"attendee{i + 1}.{event.pk}@demo.luodi.invalid",
            organization_name=org,
            options=options.Options(
                consent_version=notice.version,
                category_id=categories[k].pk,
                answers=answers,
                invoice_title=invoice[0] if invoice else "",
                tax_id=invoice[1] if invoice else "",
            ),
            actor=actor,
        )
        if paid:
            options.set_fee_received(actor=actor, registration=reg, received=True)
