"""Registration options on the pages (#22): the organisers' options page (htmx and plain
posts), the public form with categories, questions, invoice details and consent, the
ticket, the registrations page with "fee received", the exports — and who never sees the
invoice details and answers."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client

from luodi.engagements.domain import registration_options as options
from luodi.engagements.models import Registration, RegistrationCategory, RegistrationQuestion
from tests.conftest import Personas, client_for
from tests.engagements.test_registration_options_domain import TAX_ID, Conference, conference
from tests.engagements.test_registration_options_domain import register as register_directly

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _form(c: Conference, **extra: Any) -> dict[str, Any]:
    return {
        "name": "李娜",
        "email": "li.na@example.org",
        "organization_name": "某医院",
        "category": str(c.delegate.pk),
        f"q_{c.visit.pk}": "yes",
        f"q_{c.diet.pk}": "清真",
        "consent": "on",
        "consent_version": options.notice(c.event, "zh-hans").version,
        "website": "",
        **extra,
    }


def _options_url(c: Conference, tail: str = "") -> str:
    return f"/engagements/events/{c.event.pk}/registration-options/{tail}"


# -- the public form ----------------------------------------------------------------------------


def test_public_form_shows_categories_with_fees_questions_and_the_notice(
    personas: Personas,
) -> None:
    c = conference(personas)
    page = client_for(None).get(f"/public/events/{c.event.pk}/").content.decode()
    assert "代表 · ¥1,200.00" in page and "学生 · ¥400.00" in page
    assert "是否参加园区参观" in page and "清真" in page
    assert 'data-testid="privacy-notice"' in page and c.event.organizer.name_zh in page
    assert 'name="tax_id"' in page and 'name="consent"' in page


def test_public_registration_with_category_answers_and_invoice(personas: Personas) -> None:
    c = conference(personas)
    response = client_for(None).post(
        f"/public/events/{c.event.pk}/",
        _form(c, wants_invoice="on", invoice_title="某医院", tax_id="91510100ma6c123456"),
    )
    reg = Registration.objects.get(event=c.event)
    assert response.status_code == 302
    assert (reg.category_id, reg.fee_fen, reg.invoice_title, reg.tax_id) == (
        c.delegate.pk,
        120000,
        "某医院",
        TAX_ID,
    )
    assert dict(reg.answers.values_list("question__label_zh", "value")) == {
        "是否参加园区参观": "yes",
        "饮食要求": "清真",
    }
    ticket = client_for(None).get(response["Location"]).content.decode()
    assert 'data-testid="ticket-category"' in ticket
    assert "代表" in ticket and "¥1,200.00" in ticket


def test_invoice_details_not_asked_for_are_not_kept(personas: Personas) -> None:
    c = conference(personas)
    client_for(None).post(
        f"/public/events/{c.event.pk}/", _form(c, invoice_title="某医院", tax_id="bad")
    )
    reg = Registration.objects.get(event=c.event)
    assert (reg.invoice_title, reg.tax_id) == ("", "")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"consent": ""}, "consent"),
        ({"category": ""}, "category"),
        ({"wants_invoice": "on", "invoice_title": "某医院", "tax_id": "12-34"}, "tax_id"),
        ({"wants_invoice": "on", "invoice_title": "", "tax_id": TAX_ID}, "invoice_title"),
        ({"q_VISIT": ""}, "q_VISIT"),
        ({"q_DIET": "全素"}, "q_DIET"),
        ({"consent_version": "0123456789abcdef"}, "consent"),
    ],
)
def test_public_form_refuses_with_a_field_error_and_saves_nothing(
    personas: Personas, change: dict[str, str], field: str
) -> None:
    c = conference(personas)
    names = {"q_VISIT": f"q_{c.visit.pk}", "q_DIET": f"q_{c.diet.pk}"}
    data = _form(c)
    for key, value in change.items():
        data[names.get(key, key)] = value
    response = client_for(None).post(f"/public/events/{c.event.pk}/", data)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [names.get(field, field)]
    assert not Registration.objects.exists()


def test_a_full_category_refuses_on_the_page(personas: Personas) -> None:
    c = conference(personas)
    register_directly(c, email="first@example.org", category_id=c.student.pk)
    page = client_for(None).get(f"/public/events/{c.event.pk}/").content.decode()
    assert "学生 · ¥400.00 · " in page  # marked full
    response = client_for(None).post(
        f"/public/events/{c.event.pk}/", _form(c, category=str(c.student.pk))
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["category"]
    assert Registration.objects.count() == 1


# -- the organisers' options page ----------------------------------------------------------------


def test_organiser_adds_edits_moves_and_removes_categories_with_htmx(personas: Personas) -> None:
    c = conference(personas)
    client = client_for(personas.partner_a)
    page = client.get(f"/engagements/events/{c.event.pk}/registrations/").content.decode()
    assert _options_url(c) in page

    added = client.post(
        _options_url(c, "categories/"),
        {"name_zh": "企业", "name_en": "Company", "fee": "2000.50", "capacity": ""},
        **HTMX,
    )
    assert added.status_code == 200 and 'id="categories"' in added.content.decode()
    company = RegistrationCategory.objects.get(event=c.event, name_zh="企业")
    assert (company.fee_fen, company.position) == (200050, 3)

    bad = client.post(_options_url(c, "categories/"), {"name_zh": "", "fee": "-1"}, **HTMX)
    assert bad.status_code == 400 and 'role="alert"' in bad.content.decode()

    row = client.get(_options_url(c, f"categories/{company.pk}/edit/"), **HTMX)
    assert 'data-testid="option-edit-row"' in row.content.decode()
    saved = client.post(
        _options_url(c, f"categories/{company.pk}/edit/"),
        {"name_zh": "企业代表", "name_en": "", "fee": "1800", "capacity": "10", "version": "1"},
        **HTMX,
    )
    assert saved.status_code == 200 and saved["HX-Retarget"] == "#categories"
    company.refresh_from_db()
    assert (company.name_zh, company.fee_fen, company.capacity, company.version) == (
        "企业代表",
        180000,
        10,
        2,
    )
    stale = client.post(
        _options_url(c, f"categories/{company.pk}/edit/"),
        {"name_zh": "别的", "name_en": "", "fee": "1", "capacity": "", "version": "1"},
    )
    assert stale.status_code == 409
    assert RegistrationCategory.objects.get(pk=company.pk).name_zh == "企业代表"

    client.post(_options_url(c, f"categories/{company.pk}/move/"), {"dir": "up"}, **HTMX)
    order = list(c.event.registration_categories.values_list("name_zh", flat=True))
    assert order == ["代表", "讲者", "企业代表", "学生"]

    ask = client.get(_options_url(c, f"categories/{company.pk}/remove/"), **HTMX)
    assert 'data-testid="option-confirm-row"' in ask.content.decode()
    gone = client.post(
        _options_url(c, f"categories/{company.pk}/remove/"), {"confirm": "1"}, **HTMX
    )
    assert gone.status_code == 200
    assert not RegistrationCategory.objects.filter(pk=company.pk).exists()


def test_a_category_in_use_is_not_removed_and_the_page_says_why(personas: Personas) -> None:
    c = conference(personas)
    register_directly(c)
    client = client_for(personas.partner_a)
    url = _options_url(c, f"categories/{c.delegate.pk}/remove/")
    refused = client.post(url, {"confirm": "1"}, **HTMX)
    assert refused.status_code == 400
    assert 'data-testid="options-error"' in refused.content.decode()
    plain = client.post(url, {"confirm": "1"}, follow=True)
    assert plain.status_code == 200 and "代表" in plain.content.decode()
    assert RegistrationCategory.objects.filter(pk=c.delegate.pk).exists()


def test_organiser_adds_a_choice_question_and_sets_the_notice(personas: Personas) -> None:
    c = conference(personas)
    client = client_for(personas.partner_a)
    too_few = client.post(
        _options_url(c, "questions/"),
        {"label_zh": "房间", "kind": "choice", "choices": "单人间"},
        **HTMX,
    )
    assert too_few.status_code == 400
    client.post(
        _options_url(c, "questions/"),
        {
            "label_zh": "房间",
            "kind": "choice",
            "choices": "单人间\n双人间\n单人间",
            "required": "on",
        },
        **HTMX,
    )
    question = RegistrationQuestion.objects.get(event=c.event, label_zh="房间")
    assert (question.choice_list, question.required) == (["单人间", "双人间"], True)

    version = c.event.version
    response = client.post(
        _options_url(c, "notice/"),
        {
            "privacy_notice_zh": "本会议的个人信息告知。",
            "privacy_notice_en": "",
            "version": version,
        },
    )
    assert response.status_code == 302
    page = client_for(None).get(f"/public/events/{c.event.pk}/").content.decode()
    assert "本会议的个人信息告知。" in page


@pytest.mark.parametrize("who", ["partner_b", "viewer"])
def test_others_cannot_open_or_change_the_options(personas: Personas, who: str) -> None:
    c = conference(personas)
    client = client_for(getattr(personas, who))
    assert client.get(_options_url(c)).status_code == 403
    assert (
        client.post(_options_url(c, "categories/"), {"name_zh": "X", "fee": "0"}).status_code == 403
    )
    assert (
        client.post(
            _options_url(c, f"categories/{c.speaker.pk}/remove/"), {"confirm": "1"}
        ).status_code
        == 403
    )
    assert Client().get(_options_url(c)).status_code == 302  # to sign-in
    assert c.event.registration_categories.count() == 3


# -- the registrations page and its exports ---------------------------------------------


def _registered(c: Conference) -> Registration:
    reg = register_directly(
        c,
        invoice_title="成都某医院",
        tax_id=TAX_ID,
        answers={c.visit.pk: "yes", c.diet.pk: "清真"},
    )
    return reg


def test_organisers_see_category_fee_invoice_answers_and_consent(personas: Personas) -> None:
    c = conference(personas)
    reg = _registered(c)
    client = client_for(personas.partner_a)
    page = client.get(f"/engagements/events/{c.event.pk}/registrations/").content.decode()
    for text in ("代表", "¥1,200.00", "成都某医院", TAX_ID, "清真", reg.consent_version):
        assert text in page
    assert 'data-testid="unpaid"' in page

    rows = list(csv.reader(io.StringIO(_csv(client, c))))
    assert len(rows) == 2
    row = rows[1]
    for value in ("代表", "1200.00", "成都某医院", TAX_ID, "清真", reg.consent_version):
        assert value in row


def _csv(client: Client, c: Conference) -> str:
    response = client.get(f"/engagements/events/{c.event.pk}/registrations/?export=csv")
    assert response.status_code == 200
    return response.content.decode("utf-8-sig")


def test_mark_fee_received_once(personas: Personas) -> None:
    c = conference(personas)
    reg = _registered(c)
    client = client_for(personas.partner_a)
    url = f"/engagements/events/{c.event.pk}/registrations/{reg.pk}/fee-received/"
    first = client.post(url, {"received": "1"}, **HTMX)
    assert first.status_code == 200 and 'data-paid="yes"' in first.content.decode()
    reg.refresh_from_db()
    paid = reg.paid_at
    client.post(url, {"received": "1"})
    reg.refresh_from_db()
    assert reg.paid_at == paid is not None
    assert client.post(url, {"received": "0"}).status_code == 302
    reg.refresh_from_db()
    assert reg.paid_at is None


@pytest.mark.parametrize("who", ["partner_b", "viewer", None])
def test_nobody_else_gets_invoice_details_or_answers(personas: Personas, who: str | None) -> None:
    c = conference(personas)
    reg = _registered(c)
    client = client_for(getattr(personas, who) if who else None)
    base = f"/engagements/events/{c.event.pk}/registrations/"
    for url in (base, base + "?export=csv", base + "?export=xlsx"):
        response = client.get(url)
        assert response.status_code in {302, 403}, url
        assert TAX_ID.encode() not in response.content
    fee = client.post(f"{base}{reg.pk}/fee-received/", {"received": "1"})
    assert fee.status_code in {302, 403}
    reg.refresh_from_db()
    assert reg.paid_at is None
    public = client.get(f"/public/events/{c.event.pk}/").content.decode()
    assert TAX_ID not in public and "成都某医院" not in public
