"""The annual transformation report in Chromium: a hospital's transfer office chooses itself
and last year, writes the overview in its own words, saves the draft, re-opens it, issues
the report and downloads the PDF and the Excel file; previewing without an institution is
refused beside the field and nothing is saved."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from luodi.insights.models import JobStatus, ReportJob
from luodi.insights.reports import CJK_FONT
from tests.browser_fixtures import sign_in
from tests.conftest import Personas
from tests.factories import PASSWORD
from tests.insights.test_annual_data import SECRET, AnnualRecords, build

pytestmark = pytest.mark.skipif(
    not Path(CJK_FONT).exists(), reason=f"{CJK_FONT} missing: run `make` (fonts-wqy-microhei)"
)

OVERVIEW = "本院全年完成技术合同两项，其中一项已认定登记（浏览器测试）。"


@pytest.fixture
def records(personas: Personas, settings, tmp_path) -> AnnualRecords:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    return build(personas)


def test_build_the_annual_report(page, records: AnnualRecords) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "partner_a", PASSWORD)
    page.goto("/insights/reports/")
    page.get_by_test_id("annual-report-link").click()
    page.get_by_test_id("annual-institution").select_option(str(records.hospital.pk))
    page.get_by_test_id("annual-year").select_option(str(records.year))
    page.get_by_test_id("annual-language").select_option("zh-hans")
    page.get_by_test_id("annual-preview").click()

    overview = page.get_by_test_id("annual-text-overview")
    expect(overview).to_have_value("")
    expect(page.get_by_test_id("annual-table-achievements")).to_contain_text("止血材料独占许可合同")
    expect(page.get_by_test_id("annual-table-contracts")).to_contain_text("2025510107000123")
    overview.fill(OVERVIEW)
    page.get_by_test_id("annual-save").click()

    expect(page.get_by_test_id("annual-draft-state")).to_be_visible()
    expect(page.get_by_test_id("annual-text-overview")).to_have_value(OVERVIEW)
    with page.expect_navigation():
        page.get_by_test_id("annual-issue").click()

    row = page.locator("[data-testid=report-row][data-status=done]").first
    expect(row).to_be_visible(timeout=30_000)
    expect(row.get_by_test_id("report-scope-label")).to_have_text(records.hospital.display_name)
    with page.expect_download() as pdf:
        row.get_by_test_id("download-pdf").click()
    with page.expect_download() as xlsx:
        row.get_by_test_id("download-xlsx").click()
    text = "".join(p.extract_text() for p in PdfReader(pdf.value.path()).pages).replace("\n", "")
    book = load_workbook(io.BytesIO(Path(xlsx.value.path()).read_bytes()))
    cells = [str(c) for ws in book.worksheets for r in ws.iter_rows(values_only=True) for c in r]
    assert OVERVIEW in text and OVERVIEW in cells
    assert "止血材料独占许可合同" in text and SECRET not in text
    job = ReportJob.objects.get()
    assert (job.kind, job.status, job.sections) == (
        "annual_transfer",
        JobStatus.DONE,
        {"overview": OVERVIEW},
    )


def test_preview_without_an_institution_shows_the_field_error(page, records: AnnualRecords) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "partner_a", PASSWORD)
    page.goto("/insights/reports/annual/")
    page.get_by_test_id("annual-institution").select_option("")
    page.get_by_test_id("annual-preview").click()

    field = page.locator(".field.has-error", has=page.get_by_test_id("annual-institution"))
    expect(field.locator(".error")).to_be_visible()
    expect(page.get_by_test_id("annual-text-overview")).to_have_count(0)
    assert not ReportJob.objects.exists()
