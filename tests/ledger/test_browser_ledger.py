"""The ledger in the browser: a hospital's transfer office records a royalty received and
sees it in the period's income and net; a received entry without its day is refused beside
the field and nothing is saved; at 390 px the pages never scroll sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from luodi.ledger.models import LedgerEntry
from tests.browser_fixtures import sign_in
from tests.conftest import Personas
from tests.factories import PASSWORD
from tests.ledger.helpers import TODAY, entry

pytestmark = [pytest.mark.browser]


def _fill(page, received: bool = True) -> None:  # type: ignore[no-untyped-def]
    page.select_option("#id_direction", "income")
    page.select_option("#id_kind", "royalty")
    page.fill("#id_amount", "35600.50")
    page.select_option("#id_status", "received")
    page.fill("#id_received_on", TODAY.isoformat() if received else "")


def test_record_a_royalty_received(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    entry(personas.staff, personas.org_a, direction="expense", kind="legal", amount_fen=600_50)
    sign_in(page, "partner_a", PASSWORD)
    page.goto("/ledger/")
    expect(page.get_by_test_id("institution-name")).to_contain_text(personas.org_a.display_name)
    page.get_by_test_id("new-entry").click()
    _fill(page)
    page.get_by_test_id("save").click()

    expect(page.get_by_test_id("income-royalty")).to_have_text("¥35,600.50")
    expect(page.get_by_test_id("income-total")).to_have_text("¥35,600.50")
    expect(page.get_by_test_id("net")).to_have_text("¥35,000.00")
    saved = LedgerEntry.objects.get(kind="royalty")
    assert (saved.amount_fen, saved.status, saved.received_on) == (3_560_050, "received", TODAY)


def test_received_without_a_day_is_refused(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "partner_a", PASSWORD)
    page.goto(f"/ledger/new/?institution={personas.org_a.pk}")
    _fill(page, received=False)
    page.get_by_test_id("save").click()

    field = page.locator(".field.has-error", has=page.locator("#id_received_on"))
    expect(field.locator(".error")).to_be_visible()
    expect(page.locator("#id_amount")).to_have_value("35600.50")
    assert not LedgerEntry.objects.exists()


def test_pages_fit_a_phone(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    e = entry(
        personas.staff,
        personas.org_a,
        status="expected",
        received_on=None,
        note="一种用于微创手术的可降解镁合金骨钉及其制备方法的独占许可合同提成款",
    )
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "partner_a", PASSWORD)
    for url in (
        "/ledger/",
        f"/ledger/new/?institution={personas.org_a.pk}",
        f"/ledger/{e.pk}/edit/",
    ):
        page.goto(url)
        if url == "/ledger/":
            page.get_by_test_id(f"receive-{e.pk}").locator("summary").click()
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= 390, (url, width)
