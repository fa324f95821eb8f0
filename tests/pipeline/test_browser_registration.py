"""Technology-contract registration in the browser: on a licence agreement's page staff fill
in the registration, tick the checklist, mark it registered and see its number and status;
marking it registered with the checklist incomplete says what is missing and changes
nothing."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from luodi.pipeline.choices import RegistrationCheck
from luodi.pipeline.domain.agreements import create_agreement
from luodi.pipeline.domain.registration import save_registration
from luodi.pipeline.models import Agreement, ContractRegistration
from tests.browser_fixtures import sign_in
from tests.conftest import Personas
from tests.factories import PASSWORD
from tests.pipeline.factories import make_project

NUMBER = "2025510104000321"


def _licence(personas: Personas) -> Agreement:
    project = make_project(personas.staff, personas.org_a, company=personas.org_b)
    return create_agreement(
        actor=personas.staff,
        project=project,
        values={"kind": "license", "title": "靶点专利独占许可合同"},
        parties=[personas.org_a, personas.org_b],
    )


def test_staff_register_a_licence_contract(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    agreement = _licence(personas)
    sign_in(page, "staff_user", PASSWORD)
    page.goto(f"/projects/agreements/{agreement.pk}/")

    section = page.get_by_test_id("registration")
    expect(section.get_by_test_id("registration-none")).to_be_visible()
    expect(section.get_by_test_id("missing-registration_number")).to_be_visible()
    section.locator("input[name=registration_number]").fill(NUMBER)
    day = timezone.localdate() - timedelta(days=2)
    section.locator("input[name=registered_on]").fill(day.isoformat())
    section.locator("input[name=office]").fill("成都市技术合同登记机构")
    section.locator("input[name=transaction_value]").fill("800000")
    section.locator("input[name=technical_income]").fill("650000.50")
    for key in RegistrationCheck.values:
        section.locator(f"input[name=checklist][value={key}]").check()
    section.get_by_test_id("registration-save").click()

    expect(section.get_by_test_id("registration-done")).to_be_visible()
    expect(section.get_by_test_id("registration-status")).to_have_attribute(
        "data-status", "preparing"
    )
    expect(section.get_by_test_id("registration-income")).to_have_text("¥650,000.50")
    expect(section.get_by_test_id("registration-missing")).to_have_count(0)
    section.get_by_test_id("registration-to-registered").click()

    expect(section.get_by_test_id("registration-status")).to_have_attribute(
        "data-status", "registered"
    )
    expect(section.get_by_test_id("registration-number")).to_have_text(NUMBER)
    expect(section.get_by_test_id("registration-date")).to_have_text(day.isoformat())
    reg = ContractRegistration.objects.get()
    assert (reg.status, reg.technical_income_fen) == ("registered", 65_000_050)
    # A registered contract is final: no more moves are offered.
    expect(section.get_by_test_id("registration-moves")).to_have_count(0)


def test_marking_registered_with_the_checklist_incomplete_says_what_is_missing(  # type: ignore[no-untyped-def]
    page, personas: Personas
) -> None:
    agreement = _licence(personas)
    save_registration(
        actor=personas.staff,
        agreement=agreement,
        values={
            "registration_number": NUMBER,
            "registered_on": timezone.localdate(),
            "office": "成都市技术合同登记机构",
            "transaction_value_fen": 100_000_00,
            "technical_income_fen": 100_000_00,
            "checklist": list(RegistrationCheck.values)[:3],
        },
    )
    sign_in(page, "staff_user", PASSWORD)
    page.goto(f"/projects/agreements/{agreement.pk}/")

    section = page.get_by_test_id("registration")
    expect(section.get_by_test_id("missing-payment_terms")).to_be_visible()
    section.get_by_test_id("registration-to-registered").click()

    # The refusal is shown (in words, beside the list of what is missing), nothing moved.
    expect(page.get_by_test_id("registration-move-errors")).to_be_visible()
    expect(page.get_by_test_id("missing-ownership")).to_be_visible()
    expect(page.get_by_test_id("missing-registration_number")).to_have_count(0)
    expect(page.get_by_test_id("registration-status")).to_have_attribute("data-status", "preparing")
    reg = ContractRegistration.objects.get()
    assert (reg.status, reg.version) == ("preparing", 1)
