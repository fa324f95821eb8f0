"""A large import in Chromium: queued as a job, its page polling with htmx until done;
and the failure path, where the bad rows are listed with their line and reason."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from luodi.catalog.models import Organization
from luodi.ingest import runs
from luodi.ingest.models import ImportRun
from tests.browser.conftest import sign_in
from tests.browser_fixtures import keep_screenshot
from tests.conftest import Personas
from tests.factories import PASSWORD
from tests.ingest.conftest import write_xlsx
from tests.ingest.test_runs import HEADERS, _rows


def _upload_and_check(page, path: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto("/import/")
    page.select_option("select[name=kind]", "organizations")
    page.set_input_files("input[name=file]", str(path))
    page.click("[data-testid=upload-form] button[type=submit]")
    expect(page.locator("select[name=col_2]")).to_have_value("kind")
    page.click("[data-testid=mapping-form] button[type=submit]")
    expect(page.locator("[data-testid=dry-run]")).to_be_visible()


def test_large_import_is_queued_and_shown_done_with_its_counts(
    page, personas: Personas, tmp_path: Path, settings, live_server
) -> None:  # type: ignore[no-untyped-def]
    settings.LUODI_IMPORT_INLINE_ROWS = 5
    settings.LUODI_JOBS_SYNC = False  # the worker is this test, below
    path = write_xlsx(tmp_path / "机构.xlsx", [HEADERS, *_rows(12, bad=(3,))])
    sign_in(page, "staff_user", PASSWORD)
    _upload_and_check(page, path)
    expect(page.locator("[data-testid=bad-count]")).to_have_text("1")

    # The run page's htmx polling runs on a clock the test moves: no request can reach the
    # live server while this thread plays the worker on the same database connection.
    page.clock.install()
    page.click("[data-testid=import-good]")
    run_box = page.locator("[data-testid=import-run]")
    expect(run_box).to_have_attribute("data-status", "queued")
    expect(page.locator("[data-testid=run-progress]")).to_be_visible()
    keep_screenshot(page, "ingest-run-queued-zh")

    # What the worker does with the queued job (other apps' jobs stay in the queue).
    assert runs.execute(ImportRun.objects.get().pk) == "done"
    page.clock.run_for(1500)

    expect(run_box).to_have_attribute("data-status", "done")
    expect(page.locator("[data-testid=created]")).to_have_text("11")
    bad = page.locator("[data-testid=bad-rows] tbody tr")
    expect(bad).to_have_count(1)
    expect(bad.first.locator("td").first).to_have_text("5")
    expect(bad.first).to_contain_text("外星人")
    keep_screenshot(page, "ingest-run-done-zh")
    assert Organization.objects.count() == 2 + 11

    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.reload()
    expect(page.locator("h2").first).to_have_text("3. Done")
    keep_screenshot(page, "ingest-run-done-en")
    page.set_viewport_size({"width": 390, "height": 844})
    keep_screenshot(page, "ingest-run-done-390")
    page.goto("/import/")
    expect(page.locator("[data-testid=recent-runs] tbody tr")).to_have_count(1)
    expect(page.locator("[data-testid=recent-runs]")).to_contain_text("Done")
    keep_screenshot(page, "ingest-recent-runs-390")


def test_large_all_or_nothing_import_lists_bad_rows_then_takes_the_good_ones(
    page, personas: Personas, tmp_path: Path, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.LUODI_IMPORT_INLINE_ROWS = 3  # jobs run inline here: the run is done at once
    path = write_xlsx(tmp_path / "机构.xlsx", [HEADERS, *_rows(6, bad=(1, 4))])
    sign_in(page, "staff_user", PASSWORD)
    _upload_and_check(page, path)

    page.click("[data-testid=import-all]")

    expect(page.locator("[data-testid=import-run]")).to_have_attribute("data-status", "done")
    expect(page.locator("[data-testid=refused]")).to_be_visible()
    bad = page.locator("[data-testid=bad-rows] tbody tr")
    expect(bad).to_have_count(2)
    expect(bad.nth(0).locator("td").first).to_have_text("3")
    expect(bad.nth(0)).to_contain_text("外星人")
    expect(bad.nth(1).locator("td").first).to_have_text("6")
    keep_screenshot(page, "ingest-run-refused-zh")
    assert Organization.objects.count() == 2

    page.click("[data-testid=import-good]")

    expect(page.locator("[data-testid=created]")).to_have_text("4")
    assert ImportRun.objects.filter(status="done").count() == 2
    assert Organization.objects.count() == 2 + 4
