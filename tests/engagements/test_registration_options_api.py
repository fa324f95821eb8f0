"""Registration options in the API (#22): categories and questions, the notice, registering
with options, "fee received"; bad input answers a structured 4xx (never a 5xx), and invoice
details and answers reach nobody but the event's organisers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from luodi.engagements.models import Registration, RegistrationCategory, RegistrationQuestion
from tests.conftest import Personas, client_for
from tests.engagements.test_registration_options_domain import TAX_ID, Conference, conference
from tests.engagements.test_registration_options_domain import register as register_directly

pytestmark = pytest.mark.django_db

API = "/api/engagements"


def _send(client: Client, method: str, url: str, body: Any = None, **headers: Any) -> Any:
    call = getattr(client, method)
    if body is None:
        return call(url, **headers)
    return call(url, json.dumps(body), content_type="application/json", **headers)


def _error(response: Any) -> dict[str, Any]:
    data = response.json()
    assert set(data) == {"error"}
    return data["error"]


def test_categories_crud_and_order(personas: Personas) -> None:
    c = conference(personas)
    client = client_for(personas.partner_a)
    base = f"{API}/events/{c.event.pk}/registration-categories"

    created = _send(client, "post", base, {"name_zh": "企业", "fee_fen": 200000})
    assert created.status_code == 201
    company = created.json()
    assert (company["fee_fen"], company["position"], company["version"]) == (200000, 3, 1)

    changed = _send(client, "patch", f"{base}/{company['id']}", {"capacity": 5, "version": 1})
    assert changed.status_code == 200 and changed["ETag"] == '"2"'
    assert (changed.json()["capacity"], changed.json()["name_zh"]) == (5, "企业")
    stale = _send(client, "patch", f"{base}/{company['id']}", {"fee_fen": 1, "version": 1})
    assert stale.status_code == 409
    assert _error(stale)["fields"]["version"] == ["2"]

    order = [company["id"], c.student.pk, c.speaker.pk, c.delegate.pk]
    listed = _send(client, "put", f"{base}/order", {"ids": order})
    assert [row["id"] for row in listed.json()] == order
    assert _send(client, "put", f"{base}/order", {"ids": order[:1]}).status_code == 422

    assert _send(client, "delete", f"{base}/{company['id']}").status_code == 204
    register_directly(c)
    in_use = _send(client, "delete", f"{base}/{c.delegate.pk}")
    assert in_use.status_code == 409 and _error(in_use)["code"] == "in_use"
    assert RegistrationCategory.objects.filter(pk=c.delegate.pk).exists()


def test_questions_crud(personas: Personas) -> None:
    c = conference(personas)
    client = client_for(personas.partner_a)
    base = f"{API}/events/{c.event.pk}/registration-questions"
    created = _send(
        client,
        "post",
        base,
        {"label_zh": "房间", "kind": "choice", "choices": ["单人间", "双人间"]},
    )
    assert created.status_code == 201 and created.json()["choices"] == ["单人间", "双人间"]
    one = _send(client, "post", base, {"label_zh": "房间", "kind": "choice", "choices": ["单人间"]})
    assert one.status_code == 422 and list(_error(one)["fields"]) == ["choices"]
    pk = created.json()["id"]
    assert _send(client, "patch", f"{base}/{pk}", {"required": True}).json()["required"] is True
    assert _send(client, "delete", f"{base}/{pk}").status_code == 204
    assert not RegistrationQuestion.objects.filter(pk=pk).exists()


@pytest.mark.parametrize(
    ("method", "tail", "body"),
    [
        ("post", "registration-categories", {"name_zh": "X", "fee_fen": -1}),
        ("post", "registration-categories", {"name_zh": "X", "fee_fen": 10**30}),
        ("post", "registration-categories", {"name_zh": "", "name_en": ""}),
        ("post", "registration-categories", {"name_zh": "X\u000b"}),
        ("post", "registration-categories", {"name_zh": "X", "capacity": 2**40}),
        ("patch", "registration-categories/999999", {"name_zh": "X"}),
        ("patch", "registration-categories/CATEGORY", {"version": "garbled"}),
        ("put", "registration-categories/order", {"ids": [2**62, 1]}),
        ("post", "registration-questions", {"label_zh": "X", "kind": "essay"}),
        ("post", "registration-questions", {"label_zh": "X", "choices": "not a list"}),
        ("put", "privacy-notice", {"custom_zh": "x" * 20001}),
        ("post", "registrations/999999/fee-received", None),
    ],
)
def test_bad_requests_answer_a_structured_4xx(
    personas: Personas, method: str, tail: str, body: Any
) -> None:
    c = conference(personas)
    tail = tail.replace("CATEGORY", str(c.delegate.pk))
    response = _send(
        client_for(personas.partner_a), method, f"{API}/events/{c.event.pk}/{tail}", body
    )
    assert 400 <= response.status_code < 500
    assert _error(response)["code"]


def test_notice_read_and_set(personas: Personas) -> None:
    c = conference(personas)
    client = client_for(personas.partner_a)
    url = f"{API}/events/{c.event.pk}/privacy-notice"
    shown = client.get(url).json()
    assert shown["custom_zh"] == "" and c.event.organizer.name_zh in shown["text"]
    saved = _send(client, "put", url, {"custom_zh": "告知书", "version": shown["event_version"]})
    assert saved.status_code == 200 and saved.json()["text"] == "告知书"
    assert saved.json()["version"] != shown["version"]
    stale = _send(client, "put", url, {"custom_zh": "别的", "version": shown["event_version"]})
    assert stale.status_code == 409


def _payload(c: Conference, **extra: Any) -> dict[str, Any]:
    return {
        "name": "王五",
        "email": "wang@example.org",
        "category_id": c.delegate.pk,
        "answers": {str(c.visit.pk): "yes"},
        "consent": True,
        **extra,
    }


def test_organiser_registers_someone_with_options(personas: Personas) -> None:
    c = conference(personas)
    client = client_for(personas.partner_a)
    response = _send(
        client,
        "post",
        f"{API}/events/{c.event.pk}/registrations",
        _payload(c, invoice_title="某公司", tax_id=TAX_ID),
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["category_id"], body["category"], body["fee_fen"]) == (
        c.delegate.pk,
        "代表",
        120000,
    )
    assert (body["invoice_title"], body["tax_id"]) == ("某公司", TAX_ID)
    assert body["consent_version"] and body["consent_at"]
    assert body["answers"] == [
        {"question_id": c.visit.pk, "question": "是否参加园区参观", "value": "yes"}
    ]


@pytest.mark.parametrize(
    ("extra", "status", "field"),
    [
        ({"consent": False}, 422, "consent"),
        ({"category_id": None}, 422, "category_id"),
        ({"answers": {}}, 422, "answers.VISIT"),
        ({"answers": {"VISIT": "yes", "DIET": "全素"}}, 422, "answers.DIET"),
        ({"answers": {"VISIT": "yes", "999999": "x"}}, 422, "answers.999999"),
        ({"invoice_title": "某公司", "tax_id": "abc"}, 422, "tax_id"),
        (
            {"category_id": "SPEAKER", "invoice_title": "某公司", "tax_id": TAX_ID},
            422,
            "invoice_title",
        ),
        ({"category_id": "STUDENT"}, 409, "category_id"),  # its one place is taken
    ],
)
def test_registration_refusals_name_the_field(
    personas: Personas, extra: dict[str, Any], status: int, field: str
) -> None:
    c = conference(personas)
    register_directly(c, email="first@example.org", category_id=c.student.pk)
    ids = {"VISIT": c.visit.pk, "DIET": c.diet.pk, "SPEAKER": c.speaker.pk, "STUDENT": c.student.pk}

    def swap(value: Any) -> Any:
        if isinstance(value, dict):
            return {str(ids.get(k, k)): v for k, v in value.items()}
        return ids.get(value, value) if isinstance(value, str) else value

    body = _payload(c, **{k: swap(v) for k, v in extra.items()})
    response = _send(
        client_for(personas.partner_a), "post", f"{API}/events/{c.event.pk}/registrations", body
    )
    assert response.status_code == status
    names = {f"answers.{k}": f"answers.{v}" for k, v in ids.items()}
    assert list(_error(response)["fields"]) == [names.get(field, field)]
    assert Registration.objects.count() == 1


def test_fee_received_is_idempotent(personas: Personas) -> None:
    c = conference(personas)
    reg = register_directly(c)
    client = client_for(personas.partner_a)
    url = f"{API}/events/{c.event.pk}/registrations/{reg.pk}/fee-received"
    first = _send(client, "post", url)
    again = _send(client, "post", url)
    assert (first.json()["changed"], again.json()["changed"]) == (True, False)
    assert first.json()["registration"]["paid_at"] == again.json()["registration"]["paid_at"]
    undone = _send(client, "delete", url)
    assert undone.json()["changed"] is True and undone.json()["registration"]["paid_at"] is None


@pytest.mark.parametrize("who", ["partner_b", "viewer", None])
def test_nobody_else_gets_personal_data_through_the_api(
    personas: Personas, who: str | None
) -> None:
    c = conference(personas)
    reg = register_directly(c, invoice_title="成都某医院", tax_id=TAX_ID)
    client = client_for(getattr(personas, who) if who else None)
    base = f"{API}/events/{c.event.pk}"
    for method, url in [
        ("get", f"{base}/registrations"),
        ("post", f"{base}/registrations/{reg.pk}/fee-received"),
        ("delete", f"{base}/registration-categories/{c.speaker.pk}"),
        ("post", f"{base}/check-in"),
    ]:
        body = {"code": reg.code} if url.endswith("check-in") else None
        response = _send(client, method, url, body)
        assert response.status_code in {401, 403}, url
        assert TAX_ID not in response.content.decode()
    reg.refresh_from_db()
    assert reg.paid_at is None and reg.checked_in_at is None


def test_categories_are_public_information_for_whoever_sees_the_event(
    personas: Personas,
) -> None:
    c = conference(personas)
    listed = client_for(personas.viewer).get(f"{API}/events/{c.event.pk}/registration-categories")
    assert [row["name_zh"] for row in listed.json()] == ["代表", "讲者", "学生"]
    draft = conference(personas, status="draft")
    hidden = client_for(personas.partner_b).get(
        f"{API}/events/{draft.event.pk}/registration-categories"
    )
    assert hidden.status_code == 404


def test_staff_see_the_personal_data_organisers_see(personas: Personas) -> None:
    c = conference(personas)
    register_directly(c, invoice_title="成都某医院", tax_id=TAX_ID)
    rows = client_for(personas.staff).get(f"{API}/events/{c.event.pk}/registrations").json()
    assert [r["tax_id"] for r in rows["items"]] == [TAX_ID]
