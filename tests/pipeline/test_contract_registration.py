"""Technology-contract registration (技术合同认定登记): the domain's rules, the agreement page's
section and the API, with who may read and write it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from luodi.accounts.models import AuditEntry
from luodi.concurrency import Conflict
from luodi.pipeline.choices import RegistrationCheck
from luodi.pipeline.domain.agreements import create_agreement
from luodi.pipeline.domain.projects import IllegalTransition
from luodi.pipeline.domain.registration import move_registration, save_registration
from luodi.pipeline.models import Agreement, ContractRegistration
from tests.conftest import Personas, client_for
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.pipeline.factories import make_project

API = "/api/pipeline"
ALL_ITEMS = list(RegistrationCheck.values)
NUMBER = "2025510104000777"


def _agreement(personas: Personas, kind: str = "license") -> Agreement:
    project = make_project(personas.staff, personas.org_a, company=personas.org_b)
    return create_agreement(
        actor=personas.staff,
        project=project,
        values={"kind": kind, "title": "靶点专利独占许可合同"},
        parties=[personas.org_a, personas.org_b],
    )


def _complete(**overrides: Any) -> dict[str, Any]:
    values = {
        "registration_number": NUMBER,
        "registered_on": timezone.localdate() - timedelta(days=3),
        "office": "成都市技术合同登记机构",
        "transaction_value_fen": 500_000_00,
        "technical_income_fen": 420_000_00,
        "checklist": ALL_ITEMS,
        "note": "",
    }
    return values | overrides


def _verbs(registration: ContractRegistration) -> list[str]:
    return list(
        AuditEntry.objects.filter(target_id=str(registration.pk), verb__startswith="registration.")
        .order_by("id")
        .values_list("verb", flat=True)
    )


# -- domain ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["intention", "strategic", "investment", "lease"])
def test_kinds_that_cannot_be_registered_are_refused(personas: Personas, kind: str) -> None:
    agreement = _agreement(personas, kind)
    with pytest.raises(ValidationError) as exc, translation.override("en"):
        save_registration(actor=personas.staff, agreement=agreement, values=_complete())
    assert list(exc.value.message_dict) == ["kind"]
    assert "can be registered" in exc.value.message_dict["kind"][0]
    assert not ContractRegistration.objects.exists()


@pytest.mark.parametrize(
    "kind", ["tech_development", "tech_transfer", "license", "tech_service", "tech_consulting"]
)
def test_the_five_kinds_register_with_one_audit_entry_per_write(
    personas: Personas, kind: str
) -> None:
    agreement = _agreement(personas, kind)
    reg = save_registration(actor=personas.staff, agreement=agreement, values=_complete())
    assert (reg.status, reg.version, reg.currency) == ("preparing", 1, "CNY")
    reg = move_registration(actor=personas.staff, registration=reg, to="submitted")
    reg = move_registration(actor=personas.staff, registration=reg, to="registered")
    assert reg.status == "registered"
    assert _verbs(reg) == ["registration.create", "registration.move", "registration.move"]


def test_registered_needs_every_field_and_the_whole_checklist(personas: Personas) -> None:
    agreement = _agreement(personas)
    reg = save_registration(
        actor=personas.staff,
        agreement=agreement,
        values={"checklist": ALL_ITEMS[:3], "office": "成都市技术合同登记机构"},
    )
    with pytest.raises(ValidationError) as exc, translation.override("en"):
        move_registration(actor=personas.staff, registration=reg, to="registered")
    assert set(exc.value.message_dict) == {
        "registration_number",
        "registered_on",
        "transaction_value_fen",
        "technical_income_fen",
        "checklist",
    }
    # The checklist error names what is still unticked, in words.
    assert "Payment terms" in exc.value.message_dict["checklist"][0]
    reg.refresh_from_db()
    assert reg.status == "preparing"
    assert _verbs(reg) == ["registration.create"]


def test_submitted_needs_the_whole_checklist(personas: Personas) -> None:
    reg = save_registration(
        actor=personas.staff, agreement=_agreement(personas), values={"checklist": ALL_ITEMS[:-1]}
    )
    with pytest.raises(ValidationError) as exc:
        move_registration(actor=personas.staff, registration=reg, to="submitted")
    assert list(exc.value.message_dict) == ["checklist"]
    reg.refresh_from_db()
    assert reg.status == "preparing"


def test_technical_income_above_the_value_and_a_future_date_are_refused(
    personas: Personas,
) -> None:
    agreement = _agreement(personas)
    values = _complete(
        technical_income_fen=500_000_01, registered_on=timezone.localdate() + timedelta(days=1)
    )
    with pytest.raises(ValidationError) as exc:
        save_registration(actor=personas.staff, agreement=agreement, values=values)
    assert set(exc.value.message_dict) == {"technical_income_fen", "registered_on"}
    assert not ContractRegistration.objects.exists()


def test_unknown_checklist_item_and_a_number_used_twice_are_field_errors(
    personas: Personas,
) -> None:
    with pytest.raises(ValidationError) as exc:
        save_registration(
            actor=personas.staff, agreement=_agreement(personas), values={"checklist": ["moon"]}
        )
    assert list(exc.value.message_dict) == ["checklist"]
    save_registration(actor=personas.staff, agreement=_agreement(personas), values=_complete())
    with pytest.raises(ValidationError) as exc:
        save_registration(actor=personas.staff, agreement=_agreement(personas), values=_complete())
    assert list(exc.value.message_dict) == ["registration_number"]


def test_a_stale_version_is_a_conflict_and_nothing_is_saved(personas: Personas) -> None:
    agreement = _agreement(personas)
    reg = save_registration(actor=personas.staff, agreement=agreement, values={"note": "first"})
    save_registration(
        actor=personas.staff, agreement=agreement, values={"note": "second"}, expected_version=1
    )
    with pytest.raises(Conflict) as exc:
        save_registration(
            actor=personas.staff, agreement=agreement, values={"note": "third"}, expected_version=1
        )
    assert exc.value.current == 2
    reg.refresh_from_db()
    assert (reg.note, reg.version) == ("second", 2)


def test_a_registered_contract_keeps_its_number_and_checklist(personas: Personas) -> None:
    agreement = _agreement(personas)
    reg = save_registration(actor=personas.staff, agreement=agreement, values=_complete())
    move_registration(actor=personas.staff, registration=reg, to="registered")
    with pytest.raises(ValidationError) as exc:
        save_registration(
            actor=personas.staff,
            agreement=agreement,
            values={"registration_number": "", "checklist": ALL_ITEMS[:2]},
        )
    assert set(exc.value.message_dict) == {"registration_number", "checklist"}
    reg.refresh_from_db()
    assert (reg.registration_number, reg.version) == (NUMBER, 1)


def test_moves_follow_the_table_and_returned_needs_a_reason(personas: Personas) -> None:
    reg = save_registration(
        actor=personas.staff, agreement=_agreement(personas), values=_complete()
    )
    with pytest.raises(IllegalTransition):
        move_registration(actor=personas.staff, registration=reg, to="returned", reason="x")
    move_registration(actor=personas.staff, registration=reg, to="submitted")
    with pytest.raises(ValidationError) as exc:
        move_registration(actor=personas.staff, registration=reg, to="returned", reason=" ")
    assert list(exc.value.message_dict) == ["reason"]
    reg = move_registration(
        actor=personas.staff, registration=reg, to="returned", reason="技术交易额未单列"
    )
    assert (reg.status, reg.return_reason) == ("returned", "技术交易额未单列")
    move_registration(actor=personas.staff, registration=reg, to="submitted")
    reg = move_registration(actor=personas.staff, registration=reg, to="registered")
    with pytest.raises(IllegalTransition):
        move_registration(actor=personas.staff, registration=reg, to="submitted")


# -- the agreement's page ---------------------------------------------------------------------


def _page_url(agreement: Agreement) -> str:
    return f"/projects/agreements/{agreement.pk}/"


def test_staff_fill_in_and_register_on_the_page(personas: Personas) -> None:
    agreement = _agreement(personas)
    client = client_for(personas.staff)
    page = client.get(_page_url(agreement))
    assert page.status_code == 200
    assert b'data-testid="registration"' in page.content
    assert b'data-testid="missing-registration_number"' in page.content

    url = f"/projects/agreements/{agreement.pk}/registration/"
    form = {
        "registration_number": NUMBER,
        "registered_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "office": "成都市技术合同登记机构",
        "transaction_value": "12345.67",
        "technical_income": "10000.05",
        "checklist": ALL_ITEMS,
        "note": "",
    }
    saved = client.post(url, form, HTTP_HX_REQUEST="true")
    assert saved.status_code == 200
    reg = ContractRegistration.objects.get()
    # Yuan typed, fen kept: exactly, never through a float.
    assert (reg.transaction_value_fen, reg.technical_income_fen) == (1234567, 1000005)
    assert "¥12,345.67" in saved.content.decode()

    moved = client.post(f"{url}move/", {"to": "registered"}, HTTP_HX_REQUEST="true")
    assert moved.status_code == 200
    reg.refresh_from_db()
    assert reg.status == "registered"
    assert NUMBER in moved.content.decode()


def test_the_page_refuses_income_above_value_and_a_stale_form(personas: Personas) -> None:
    agreement = _agreement(personas)
    client = client_for(personas.staff)
    url = f"/projects/agreements/{agreement.pk}/registration/"
    bad = client.post(
        url, {"transaction_value": "100", "technical_income": "100.01"}, HTTP_HX_REQUEST="true"
    )
    assert bad.status_code == 400
    assert list(bad.context["reg_form"].errors) == ["technical_income"]
    assert not ContractRegistration.objects.exists()

    assert client.post(url, {"note": "a"}, HTTP_HX_REQUEST="true").status_code == 200
    assert (
        client.post(url, {"note": "b", "version": "1"}, HTTP_HX_REQUEST="true").status_code == 200
    )
    stale = client.post(url, {"note": "c", "version": "1"}, HTTP_HX_REQUEST="true")
    assert stale.status_code == 409
    assert 'data-testid="conflict"' in stale.content.decode()
    assert ContractRegistration.objects.get().note == "b"


def test_marking_registered_too_early_says_what_is_missing(personas: Personas) -> None:
    agreement = _agreement(personas)
    save_registration(
        actor=personas.staff, agreement=agreement, values={"checklist": ALL_ITEMS[:2]}
    )
    response = client_for(personas.staff).post(
        f"/projects/agreements/{agreement.pk}/registration/move/",
        {"to": "registered"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert 'data-testid="registration-move-errors"' in text
    assert 'data-testid="missing-registration_number"' in text
    assert 'data-testid="missing-ownership"' in text
    assert ContractRegistration.objects.get().status == "preparing"


def test_a_party_reads_it_but_cannot_change_it(personas: Personas) -> None:
    agreement = _agreement(personas)
    save_registration(actor=personas.staff, agreement=agreement, values=_complete())
    client = client_for(personas.partner_b)
    page = client.get(_page_url(agreement)).content.decode()
    assert NUMBER in page and "¥500,000.00" in page
    assert 'data-testid="registration-save"' not in page
    url = f"/projects/agreements/{agreement.pk}/registration/"
    assert client.post(url, {"note": "x"}).status_code == 403
    assert client.post(f"{url}move/", {"to": "registered"}).status_code == 403
    assert ContractRegistration.objects.get().status == "preparing"


def _outsider() -> Any:
    outsider = UserFactory(role="partner")
    MembershipFactory(user=outsider, organization=OrganizationFactory())
    return outsider


def test_viewers_and_other_partners_never_see_it(personas: Personas) -> None:
    agreement = _agreement(personas)
    save_registration(actor=personas.staff, agreement=agreement, values=_complete())
    url = f"/projects/agreements/{agreement.pk}/registration/"
    for user in (personas.viewer, _outsider()):
        client = client_for(user)
        assert client.get(_page_url(agreement)).status_code == 404
        assert client.post(url, {"note": "x"}).status_code == 404
        answer = client.get(f"{API}/agreements/{agreement.pk}/registration")
        assert answer.status_code == 404
        assert "50000000" not in answer.content.decode()
        put = client.put(
            f"{API}/agreements/{agreement.pk}/registration", {}, content_type="application/json"
        )
        assert put.status_code == 404
    assert ContractRegistration.objects.get().note == ""


def test_no_section_for_an_agreement_that_cannot_be_registered(personas: Personas) -> None:
    agreement = _agreement(personas, "intention")
    page = client_for(personas.staff).get(_page_url(agreement)).content.decode()
    assert 'data-testid="registration"' not in page
    response = client_for(personas.staff).post(
        f"/projects/agreements/{agreement.pk}/registration/", {"note": "x"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert response.context["reg_form"].non_field_errors()
    assert not ContractRegistration.objects.exists()


# -- the API ----------------------------------------------------------------------------------


def _put(client: Any, agreement: Agreement, body: dict[str, Any], **headers: Any) -> Any:
    return client.put(
        f"{API}/agreements/{agreement.pk}/registration",
        body,
        content_type="application/json",
        **headers,
    )


def _api_complete(**overrides: Any) -> dict[str, Any]:
    values = _complete(**overrides)
    values["registered_on"] = values["registered_on"].isoformat()
    return values


def test_api_fill_in_move_and_read(personas: Personas) -> None:
    agreement = _agreement(personas, "tech_development")
    client = client_for(personas.staff)
    missing = client.get(f"{API}/agreements/{agreement.pk}/registration")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"

    put = _put(client, agreement, _api_complete(checklist=ALL_ITEMS[:5]))
    assert put.status_code == 200
    body = put.json()
    assert body["status"] == "preparing" and body["currency"] == "CNY"
    assert body["transaction_value_fen"] == 500_000_00
    assert body["checklist_missing"] == ALL_ITEMS[5:]
    assert body["allowed_next"] == ["submitted", "registered"]

    moves = f"{API}/agreements/{agreement.pk}/registration/transitions"
    early = client.post(moves, {"to": "registered"}, content_type="application/json")
    assert early.status_code == 422
    assert list(early.json()["error"]["fields"]) == ["checklist"]

    assert _put(client, agreement, _api_complete(version=1)).status_code == 200
    done = client.post(moves, {"to": "registered"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "registered"
    again = client.post(moves, {"to": "submitted"}, content_type="application/json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "illegal_transition"

    partner = client_for(personas.partner_a).get(f"{API}/agreements/{agreement.pk}/registration")
    assert partner.status_code == 200 and partner.json()["registration_number"] == NUMBER


def test_api_stale_version_is_a_409_naming_the_current_version(personas: Personas) -> None:
    agreement = _agreement(personas)
    client = client_for(personas.staff)
    _put(client, agreement, {"note": "first"})
    assert _put(client, agreement, {"note": "second", "version": 1}).status_code == 200
    stale = _put(client, agreement, {"note": "third"}, HTTP_IF_MATCH='"1"')
    assert stale.status_code == 409
    error = stale.json()["error"]
    assert error["code"] == "conflict" and error["fields"]["version"] == ["2"]
    assert error["fields"]["note"] == ["second"]
    assert ContractRegistration.objects.get().note == "second"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"transaction_value_fen": -1}, "transaction_value_fen"),
        ({"transaction_value_fen": 1.5}, "transaction_value_fen"),
        ({"technical_income_fen": 10**20}, "technical_income_fen"),
        ({"checklist": ["moon"]}, "checklist"),
        ({"registered_on": "2020-13-40"}, "registered_on"),
        ({"version": "x"}, "version"),
        ({"transaction_value_fen": 100, "technical_income_fen": 101}, "technical_income_fen"),
    ],
)
def test_api_bad_input_is_a_422_on_the_field(
    personas: Personas, body: dict[str, Any], field: str
) -> None:
    response = _put(client_for(personas.staff), _agreement(personas), body)
    assert response.status_code == 422
    # A list item's error is keyed by its position ("checklist.0").
    assert any(k.split(".")[0] == field for k in response.json()["error"]["fields"])
    assert not ContractRegistration.objects.exists()


def test_api_refuses_a_kind_that_cannot_be_registered_and_a_partner(personas: Personas) -> None:
    lease = _agreement(personas, "lease")
    refused = _put(client_for(personas.staff), lease, {"note": "x"})
    assert refused.status_code == 422 and "kind" in refused.json()["error"]["fields"]
    licence = _agreement(personas)
    forbidden = _put(client_for(personas.partner_a), licence, {"note": "x"})
    assert forbidden.status_code == 403 and forbidden.json()["error"]["code"] == "forbidden"
    assert not ContractRegistration.objects.exists()


def test_openapi_lists_the_registration_endpoints(personas: Personas) -> None:
    paths = client_for(personas.staff).get("/api/openapi.json").json()["paths"]
    assert {"get", "put"} <= set(paths[f"{API}/agreements/{{agreement_id}}/registration"])
    assert "post" in paths[f"{API}/agreements/{{agreement_id}}/registration/transitions"]


# -- the demo ---------------------------------------------------------------------------------


def test_demo_registers_a_licence_and_prepares_a_development_contract(
    personas: Personas,
) -> None:
    import io

    from luodi.pipeline import demo
    from tests.factories import AchievementFactory

    for _ in range(3):
        AchievementFactory(is_demo=True)
    OrganizationFactory(kind="park")
    demo.load(io.StringIO())
    demo.load(io.StringIO())

    regs = {r.agreement.kind: r for r in ContractRegistration.objects.select_related("agreement")}
    assert set(regs) == {"license", "tech_development"}
    licence, development = regs["license"], regs["tech_development"]
    assert licence.status == "registered" and licence.registration_number
    assert development.status == "preparing"
    assert 0 < len(development.checklist) < len(ALL_ITEMS)
    assert all(r.agreement.is_demo for r in regs.values())


def test_the_agreements_list_filters_and_badges_by_registration(personas: Personas) -> None:
    registered = _agreement(personas)
    reg = save_registration(actor=personas.staff, agreement=registered, values=_complete())
    move_registration(actor=personas.staff, registration=reg, to="registered")
    waiting = _agreement(personas, "tech_service")
    other = _agreement(personas, "intention")
    client = client_for(personas.staff)

    def ids(**params: str) -> set[int]:
        items = client.get(f"{API}/agreements", params).json()["items"]
        return {a["id"] for a in items}

    assert ids(registration="registered") == {registered.pk}
    assert ids(registration="none") == {waiting.pk}
    assert other.pk in ids()
    assert client.get(f"{API}/agreements", {"registration": "moon"}).status_code == 422
    page = client.get("/projects/agreements/", {"registration": "registered"}).content.decode()
    assert f'data-testid="registration-badge-{registered.pk}"' in page
    assert f'data-testid="agreement-row-{waiting.pk}"' not in page
