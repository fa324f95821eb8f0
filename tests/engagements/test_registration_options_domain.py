"""Registration options in the domain (#22): categories with fee and places checked under the
event's lock, the organiser's questions, consent to the personal-information notice recorded
with the exact text agreed to, invoice details, "fee received", and the demo conference."""

from __future__ import annotations

import io
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.db import connections

from luodi.engagements import demo_registration
from luodi.engagements.domain import events
from luodi.engagements.domain import registration_options as options
from luodi.engagements.models import (
    ConsentText,
    Event,
    Registration,
    RegistrationAnswer,
    RegistrationCategory,
    RegistrationQuestion,
)
from tests.conftest import Personas
from tests.engagements.factories import EventFactory, RegistrationFactory
from tests.factories import UserFactory

TAX_ID = "91510100MA6C123456"


@dataclass
class Conference:
    event: Event
    delegate: RegistrationCategory
    speaker: RegistrationCategory
    student: RegistrationCategory
    visit: RegistrationQuestion
    diet: RegistrationQuestion


def conference(personas: Personas, **kwargs: Any) -> Conference:
    """A published conference of org A: delegate (¥1,200), speaker (free), student (¥400,
    one place); a required yes/no question and an optional choice."""
    event = EventFactory(
        organizer=personas.org_a, kind="conference", title_zh="转化医学大会", **kwargs
    )

    def category(zh: str, en: str, fee: int, position: int, places: int | None = None) -> Any:
        return RegistrationCategory.objects.create(
            event=event, name_zh=zh, name_en=en, fee_fen=fee, capacity=places, position=position
        )

    return Conference(
        event=event,
        delegate=category("代表", "Delegate", 120000, 0),
        speaker=category("讲者", "Speaker", 0, 1),
        student=category("学生", "Student", 40000, 2, places=1),
        visit=RegistrationQuestion.objects.create(
            event=event, label_zh="是否参加园区参观", kind="yesno", required=True, position=0
        ),
        diet=RegistrationQuestion.objects.create(
            event=event, label_zh="饮食要求", kind="choice", choices="无\n清真\n素食", position=1
        ),
    )


def agreed(c: Conference, **kwargs: Any) -> options.Options:
    """Options with consent to the notice in Chinese, the delegate category and the required
    answer; `kwargs` override."""
    values: dict[str, Any] = {
        "consent_version": options.notice(c.event, "zh-hans").version,
        "category_id": c.delegate.pk,
        "answers": {c.visit.pk: "yes"},
    }
    return options.Options(**(values | kwargs))


def register(c: Conference, email: str = "li.na@example.org", **kwargs: Any) -> Registration:
    return events.register(event=c.event, name="李娜", email=email, options=agreed(c, **kwargs))


def refusal(c: Conference, **kwargs: Any) -> options.RegistrationRefused:
    with pytest.raises(options.RegistrationRefused) as info:
        register(c, **kwargs)
    assert not Registration.objects.filter(event=c.event).exists()
    assert not RegistrationAnswer.objects.exists()
    return info.value


# -- register() ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_register_copies_the_fee_and_records_the_text_agreed_to(personas: Personas) -> None:
    c = conference(personas)
    reg = register(c, invoice_title="成都某医院", tax_id=" 91510100ma6c123456 ")

    c.delegate.fee_fen = 150000
    c.delegate.save()
    reg.refresh_from_db()
    shown = options.notice(c.event, "zh-hans")
    assert (reg.category_id, reg.fee_fen) == (c.delegate.pk, 120000)
    assert (reg.invoice_title, reg.tax_id) == ("成都某医院", TAX_ID)
    assert reg.consent_at is not None
    assert reg.consent_version == shown.version
    assert ConsentText.objects.get(version=reg.consent_version).text == shown.text
    assert list(reg.answers.values_list("question_id", "value")) == [(c.visit.pk, "yes")]


@pytest.mark.django_db
def test_the_confirmation_names_the_category_and_its_fee(personas: Personas) -> None:
    c = conference(personas)
    events.send_confirmation(register(c), base_url="https://luodi.example")
    events.send_confirmation(
        register(c, email="wang@example.org", category_id=c.speaker.pk), base_url=""
    )
    paying, free = (m.body for m in mail.outbox[:2])
    assert "代表" in paying and "¥1,200.00" in paying and "主办方" in paying
    assert "讲者" in free and "免费" in free and "¥" not in free


@pytest.mark.django_db
def test_consent_to_the_english_notice_is_recorded_as_that_text(personas: Personas) -> None:
    c = conference(personas)
    english = options.notice(c.event, "en")
    reg = register(c, consent_version=english.version)
    assert english.version != options.notice(c.event, "zh-hans").version
    assert ConsentText.objects.get(version=reg.consent_version).language == "en"


@pytest.mark.django_db
def test_registration_without_consent_is_refused(personas: Personas) -> None:
    c = conference(personas)
    assert refusal(c, consent_version="").field == "consent"
    assert refusal(c, consent_version="0123456789abcdef").field == "consent"


@pytest.mark.django_db
def test_a_changed_notice_needs_consent_again(personas: Personas) -> None:
    c = conference(personas)
    before = agreed(c)
    options.set_notice(
        actor=personas.staff, event=c.event, text_zh="我们的个人信息告知书", text_en=""
    )
    with pytest.raises(options.RegistrationRefused) as info:
        events.register(event=c.event, name="李娜", email="li.na@example.org", options=before)
    assert info.value.field == "consent"
    c.event.refresh_from_db()
    reg = register(c, consent_version=options.notice(c.event, "zh-hans").version)
    assert ConsentText.objects.get(version=reg.consent_version).text == "我们的个人信息告知书"


@pytest.mark.django_db
def test_a_category_is_required_when_the_event_has_categories(personas: Personas) -> None:
    c = conference(personas)
    other = conference(personas)
    assert refusal(c, category_id=None).field == "category"
    assert refusal(c, category_id=other.delegate.pk).field == "category"


@pytest.mark.django_db
def test_an_event_without_categories_registers_free(personas: Personas) -> None:
    event = EventFactory(organizer=personas.org_a)
    consent = options.notice(event, "zh-hans").version
    reg = events.register(
        event=event, name="李娜", email="a@example.org", options=options.Options(consent)
    )
    assert (reg.category_id, reg.fee_fen, reg.status) == (None, 0, "confirmed")


@pytest.mark.django_db
def test_a_full_category_is_refused_and_a_cancellation_frees_its_place(
    personas: Personas,
) -> None:
    c = conference(personas)
    first = register(c, email="a@example.org", category_id=c.student.pk)
    with pytest.raises(options.RegistrationRefused) as info:
        register(c, email="b@example.org", category_id=c.student.pk)
    assert (info.value.field, info.value.code) == ("category", "full")
    assert Registration.objects.filter(event=c.event).count() == 1

    events.cancel_registration(actor=personas.staff, registration=first)
    assert register(c, email="b@example.org", category_id=c.student.pk).category == c.student


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("title", "tax_id", "field"),
    [
        ("某公司", "12345", "tax_id"),  # too short
        ("某公司", "91510100MA6C12345678901", "tax_id"),  # too long
        ("某公司", "91510100-MA6C1234", "tax_id"),  # punctuation
        ("某公司", "", "tax_id"),
        ("", TAX_ID, "invoice_title"),
    ],
)
def test_invoice_details_are_validated(
    personas: Personas, title: str, tax_id: str, field: str
) -> None:
    c = conference(personas)
    assert refusal(c, invoice_title=title, tax_id=tax_id).field == field


@pytest.mark.django_db
def test_no_invoice_details_for_a_free_category(personas: Personas) -> None:
    c = conference(personas)
    error = refusal(c, category_id=c.speaker.pk, invoice_title="某公司", tax_id=TAX_ID)
    assert error.field == "invoice_title"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({}, "visit"),  # required
        ({"visit": "maybe"}, "visit"),
        ({"visit": "yes", "diet": "全素"}, "diet"),  # not one of the choices
    ],
)
def test_answers_are_checked(personas: Personas, answers: dict[str, str], field: str) -> None:
    c = conference(personas)
    ids = {"visit": c.visit.pk, "diet": c.diet.pk}
    error = refusal(c, answers={ids[k]: v for k, v in answers.items()})
    assert error.field == f"q_{ids[field]}"


@pytest.mark.django_db
def test_an_answer_to_another_events_question_is_refused(personas: Personas) -> None:
    c = conference(personas)
    other = conference(personas)
    error = refusal(c, answers={c.visit.pk: "yes", other.diet.pk: "无"})
    assert error.field == f"q_{other.diet.pk}"


@pytest.mark.django_db
def test_a_failed_write_leaves_nothing(personas: Personas, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    c = conference(personas)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(RegistrationAnswer.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        register(c, answers={c.visit.pk: "yes", c.diet.pk: "无"})
    assert not Registration.objects.exists()
    assert not ConsentText.objects.exists()


# -- two registrations for the last place at the same moment ---------------------------------------


def _file_connection(path: Path) -> Any:
    memory = connections["default"]
    return type(memory)({**memory.settings_dict, "NAME": str(path)}, alias="default")


@contextmanager
def _file_copy(path: Path) -> Iterator[None]:
    memory = connections["default"]
    memory.ensure_connection()
    target = sqlite3.connect(path)
    memory.connection.backup(target)
    target.close()
    copy = _file_connection(path)
    connections["default"] = copy
    try:
        yield
    finally:
        copy.close()
        connections["default"] = memory


@pytest.mark.django_db(transaction=True)
def test_two_registrations_for_a_categorys_last_place_take_it_once(
    personas: Personas, tmp_path: Path
) -> None:
    # SQLite's test database is in memory: the threads use a file copy of it; PostgreSQL's
    # threads open their own connections, as two requests do. Both meet the event row lock.
    sqlite = connections["default"].vendor == "sqlite"
    c = conference(personas)
    path = tmp_path / "site.sqlite3"
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def attempt(email: str) -> None:
        if sqlite:
            connections["default"] = _file_connection(path)
        try:
            barrier.wait()
            register(c, email=email, category_id=c.student.pk)
            results[email] = "registered"
        except options.RegistrationRefused as exc:
            results[email] = exc.code
        finally:
            connections["default"].close()

    with _file_copy(path) if sqlite else nullcontext():
        threads = [threading.Thread(target=attempt, args=(f"p{i}@example.org",)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        taken = Registration.objects.filter(category_id=c.student.pk).count()

    assert sorted(results.values()) == ["full", "registered"]
    assert taken == 1


# -- the organiser's options -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_category_in_use_cannot_be_removed(personas: Personas) -> None:
    c = conference(personas)
    reg = register(c)
    events.cancel_registration(actor=personas.staff, registration=reg)
    with pytest.raises(options.CategoryInUse):
        options.remove(actor=personas.staff, item=c.delegate)
    options.remove(actor=personas.staff, item=c.speaker)
    assert list(c.event.registration_categories.values_list("name_zh", flat=True)) == [
        "代表",
        "学生",
    ]


@pytest.mark.django_db
def test_categories_are_added_last_moved_and_ordered(personas: Personas) -> None:
    c = conference(personas)
    company = options.add(
        actor=personas.partner_a,
        event=c.event,
        model=RegistrationCategory,
        values={"name_zh": "企业", "name_en": "Company", "fee_fen": 200000, "capacity": None},
    )
    assert company.position == 3
    options.move(actor=personas.partner_a, item=company, up=True)
    names = lambda: list(c.event.registration_categories.values_list("name_zh", flat=True))  # noqa: E731
    assert names() == ["代表", "讲者", "企业", "学生"]
    order = [c.student.pk, company.pk, c.speaker.pk, c.delegate.pk]
    options.set_order(
        actor=personas.partner_a, event=c.event, model=RegistrationCategory, ids=order
    )
    assert names() == ["学生", "企业", "讲者", "代表"]
    with pytest.raises(ValueError):
        options.set_order(
            actor=personas.partner_a, event=c.event, model=RegistrationCategory, ids=order[:2]
        )


@pytest.mark.django_db
def test_two_edits_of_one_category_the_second_conflicts(personas: Personas) -> None:
    from luodi.concurrency import Conflict

    c = conference(personas)
    loaded = c.delegate.version
    options.update(
        actor=personas.partner_a,
        item=c.delegate,
        values={"fee_fen": 100000},
        expected_version=loaded,
    )
    stale = RegistrationCategory.objects.get(pk=c.delegate.pk)
    with pytest.raises(Conflict):
        options.update(
            actor=personas.staff, item=stale, values={"fee_fen": 1}, expected_version=loaded
        )
    assert RegistrationCategory.objects.get(pk=c.delegate.pk).fee_fen == 100000


@pytest.mark.django_db
def test_fee_received_is_recorded_once(personas: Personas) -> None:
    c = conference(personas)
    reg = register(c)
    assert options.set_fee_received(actor=personas.partner_a, registration=reg, received=True)
    first = reg.paid_at
    assert not options.set_fee_received(actor=personas.partner_a, registration=reg, received=True)
    assert reg.paid_at == first is not None
    assert options.set_fee_received(actor=personas.partner_a, registration=reg, received=False)
    assert reg.paid_at is None


# -- demo ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_conference_gets_categories_once(personas: Personas) -> None:
    UserFactory(username="staff", role="staff")
    published = EventFactory(organizer=personas.org_a, kind="conference", is_demo=True)
    draft = EventFactory(kind="conference", is_demo=True, status="draft")
    earlier = RegistrationFactory(event=draft)

    demo_registration.load(io.StringIO())
    demo_registration.load(io.StringIO())

    for event in (published, draft):
        names = list(event.registration_categories.values_list("name_zh", flat=True))
        assert names == ["代表", "讲者", "学生", "企业"]
        assert event.registration_questions.count() == 2
    earlier.refresh_from_db()
    assert (earlier.category.name_zh, earlier.fee_fen) == ("代表", 120000)
    regs = list(published.registrations.order_by("pk"))
    assert [r.category.name_zh for r in regs] == ["讲者", "代表", "学生", "企业"]
    assert all(r.consent_version for r in regs)
    assert [bool(r.tax_id) for r in regs] == [False, True, False, True]
    assert [bool(r.paid_at) for r in regs] == [False, True, False, False]


@pytest.mark.django_db
def test_engagements_demo_gives_its_conference_categories_and_registers_with_consent() -> None:
    from luodi.engagements import demo

    UserFactory(username="staff", role="staff")
    demo.load(io.StringIO())
    demo.load(io.StringIO())

    conference = Event.objects.get(is_demo=True, kind="conference", title_zh="转化医学学术会议")
    names = list(conference.registration_categories.values_list("name_en", flat=True))
    assert names == ["Delegate", "Speaker", "Student", "Company"]
    forum = Event.objects.get(is_demo=True, kind="forum")
    assert forum.registrations.count() == 3
    assert all(r.consent_version for r in forum.registrations.all())
