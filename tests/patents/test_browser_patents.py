"""Patents in the browser: add a granted CNIPA invention, read its next annual fee, record
the payment and see the year paid; a mistyped check character is refused beside the field
and nothing is saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from luodi.money import shown
from luodi.patents import domain, fees, numbers
from luodi.patents.fees import add_years
from luodi.patents.models import FeePayment, Patent
from tests.browser_fixtures import sign_in
from tests.conftest import Personas
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser]

DIGITS = "202310123456"


def _fill_patent(page, personas: Personas, number: str, filed, granted) -> None:  # type: ignore[no-untyped-def]
    page.select_option("#id_office", "cnipa")
    page.select_option("#id_kind", "invention")
    page.fill("#id_application_number", number)
    page.fill("#id_title_zh", "一种可降解镁合金骨钉")
    page.fill("#id_filing_date", filed.isoformat())
    page.fill("#id_grant_date", granted.isoformat())
    page.select_option("#id_status", "granted")
    page.select_option("#id_owners", str(personas.org_a.pk))
    page.select_option("#id_reduction", "85")


def test_add_a_patent_and_pay_its_next_fee(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    granted = today - timedelta(days=335)  # about eleven months ago
    filed = add_years(granted, -2) - timedelta(days=10)  # granted in its third year
    expected = fees.next_unpaid(
        fees.schedule(
            office="cnipa",
            kind="invention",
            filing_date=filed,
            grant_date=granted,
            reduction=85,
            paid={},
            today=today,
        )
    )
    assert expected is not None and expected.year == 4
    number = f"{DIGITS}.{numbers.check_character(DIGITS)}"

    sign_in(page, "staff_user", PASSWORD)
    page.goto("/patents/")
    page.get_by_test_id("new-patent").click()
    _fill_patent(page, personas, number, filed, granted)
    page.get_by_test_id("save").click()

    next_fee = page.get_by_test_id("next-fee")
    expect(next_fee).to_contain_text(expected.due_on.isoformat())
    expect(next_fee).to_contain_text(shown(expected.fee_fen))  # ¥180.00 after the 85 % cut
    row = page.get_by_test_id(f"fee-year-{expected.year}")
    expect(row).to_have_attribute("data-state", "due")
    patent = Patent.objects.get()
    assert patent.application_number == number and list(patent.owners.all()) == [personas.org_a]

    form = page.get_by_test_id("pay-form")
    form.locator("summary").click()
    expect(form.locator("#pay-amount")).to_have_value("180.00")  # prefilled: the reduced fee
    page.get_by_test_id("pay-save").click()

    expect(page.get_by_test_id("fee-done")).to_be_visible()
    expect(page.get_by_test_id(f"fee-year-{expected.year}")).to_have_attribute("data-state", "paid")
    expect(page.get_by_test_id(f"fee-paid-{expected.year}")).to_contain_text(today.isoformat())
    payment = FeePayment.objects.get(patent=patent)
    assert (payment.year, payment.amount_fen, payment.paid_on) == (4, 18000, today)


def test_wrong_check_character_is_refused(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    granted = today - timedelta(days=335)
    filed = add_years(granted, -2) - timedelta(days=10)
    good = numbers.check_character(DIGITS)
    wrong = f"{DIGITS}.{'0' if good != '0' else '1'}"

    sign_in(page, "staff_user", PASSWORD)
    page.goto("/patents/new/")
    _fill_patent(page, personas, wrong, filed, granted)
    page.get_by_test_id("save").click()

    field = page.locator(".field.has-error", has=page.locator("#id_application_number"))
    expect(field.locator(".error")).to_be_visible()
    expect(field.locator("#id_application_number")).to_have_value(wrong)
    assert not Patent.objects.exists()
    page.goto("/patents/")
    expect(page.get_by_test_id("empty")).to_be_visible()


def test_pages_fit_a_phone(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    """At 390 px the fee table scrolls inside itself; the pages never scroll sideways."""
    today = timezone.localdate()
    granted = today - timedelta(days=335)
    filed = add_years(granted, -2) - timedelta(days=10)
    patent = domain.save_patent(
        actor=personas.staff,
        patent=None,
        values={
            "office": "cnipa",
            "kind": "invention",
            "application_number": f"{DIGITS}.{numbers.check_character(DIGITS)}",
            "title_zh": "一种用于微创手术的可降解镁合金骨钉及其制备方法",
            "filing_date": filed,
            "grant_date": granted,
            "status": "granted",
            "fee_payer": personas.org_b,
        },
        owners=[personas.org_a, personas.org_b],
    )
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "staff_user", PASSWORD)
    for url in ("/patents/", f"/patents/{patent.pk}/", f"/patents/{patent.pk}/edit/"):
        page.goto(url)
        if url == f"/patents/{patent.pk}/":
            page.get_by_test_id("pay-form").locator("summary").click()
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= 390, (url, width)
