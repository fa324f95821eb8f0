from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from luodi.catalog.models import Organization
from tests.browser.conftest import sign_in
from tests.conftest import Personas
from tests.factories import PASSWORD
from tests.ingest.conftest import write_xlsx
from tests.ingest.test_tables import HEADERS, ROWS


def test_import_with_two_bad_rows_all_or_nothing_imports_nothing(
    page, personas: Personas, tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "机构.xlsx", [HEADERS, *ROWS])
    before = Organization.objects.count()
    sign_in(page, "staff_user", PASSWORD)

    page.goto("/import/")
    page.select_option("select[name=kind]", "organizations")
    page.set_input_files("input[name=file]", str(path))
    page.click("[data-testid=upload-form] button[type=submit]")
    expect(page.locator("[data-testid=mapping-form]")).to_be_visible()
    expect(page.locator("select[name=col_2]")).to_have_value("kind")
    page.click("[data-testid=mapping-form] button[type=submit]")

    bad = page.locator("[data-testid=bad-rows] tbody tr")
    expect(bad).to_have_count(2)
    expect(bad.nth(0).locator("td").first).to_have_text("4")
    expect(bad.nth(0)).to_contain_text("外星人")
    expect(bad.nth(1).locator("td").first).to_have_text("6")
    expect(page.locator("[data-testid=good-rows]")).to_have_text("3")

    page.click("[data-testid=import-all]")
    expect(page.locator("[data-testid=refused]")).to_be_visible()
    assert Organization.objects.count() == before
