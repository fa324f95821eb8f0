"""The government report after landing in Chromium: the quarterly report in Chinese and in
English (preview, edit the drafted narrative, issue, download the PDF and the Excel file),
and a wrong period or an empty narrative refused beside its field."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from luodi.insights.models import ReportJob
from luodi.insights.reports import CJK_FONT
from tests.browser_fixtures import sign_in
from tests.conftest import Personas
from tests.factories import PASSWORD
from tests.insights.after_landing_data import build

pytestmark = pytest.mark.skipif(
    not Path(CJK_FONT).exists(), reason=f"{CJK_FONT} missing: run `make` (fonts-wqy-microhei)"
)


@pytest.fixture
def portfolio(personas: Personas, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    return build(personas)


def _issue(page, code: str, language: str, narrative: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    page.goto("/insights/reports/government/")
    page.get_by_test_id("gov-period").fill(code)
    page.get_by_test_id("gov-language").select_option(language)
    page.get_by_test_id("gov-preview").click()
    expect(page.get_by_test_id("gov-preview-numbers")).to_be_visible()
    text = page.get_by_test_id("gov-narrative")
    draft = text.input_value()
    assert draft.strip()
    text.fill(narrative)
    with page.expect_navigation():
        page.get_by_test_id("gov-issue").click()
    row = page.locator("[data-testid=report-row][data-status=done]").first
    expect(row).to_be_visible(timeout=30_000)
    with page.expect_download() as pdf:
        row.get_by_test_id("download-pdf").click()
    with page.expect_download() as xlsx:
        row.get_by_test_id("download-xlsx").click()
    pdf_text = "".join(p.extract_text() for p in PdfReader(pdf.value.path()).pages)
    assert xlsx.value.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(Path(xlsx.value.path()).read_bytes()))
    cells = "\n".join(
        str(c) for ws in book.worksheets for r in ws.iter_rows(values_only=True) for c in r
    )
    return draft, pdf_text.replace("\n", "") + "\n" + cells


def test_quarterly_report_in_chinese_and_in_english(page, portfolio) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "staff_user", PASSWORD)

    _draft_zh, zh = _issue(
        page, portfolio.code, "zh-hans", "本季度两个园区新增落地三个项目（已编辑）。"
    )
    draft_en, en = _issue(
        page, portfolio.code, "en", "Three projects landed this quarter (edited)."
    )

    assert "本季度两个园区新增落地三个项目（已编辑）。" in zh and "关键指标" in zh
    assert "Three projects landed this quarter (edited)." in en and "Key numbers" in en
    assert "Chengdu Medical City" in en and "成都医学城" in zh
    assert draft_en.startswith("This quarter, new landings: 3; projects in production: 1.")
    jobs = ReportJob.objects.order_by("pk")
    assert [(j.kind, j.language) for j in jobs] == [
        ("after_landing", "zh-hans"),
        ("after_landing", "en"),
    ]


def test_wrong_period_and_empty_narrative_are_refused(page, portfolio) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "staff_user", PASSWORD)
    page.goto("/insights/reports/government/")
    page.get_by_test_id("gov-period").fill("2026-Q5")
    page.get_by_test_id("gov-preview").click()
    expect(page.locator("[data-testid=gov-form] .field.has-error .error")).to_be_visible()
    expect(page.get_by_test_id("gov-preview-numbers")).to_have_count(0)

    page.get_by_test_id("gov-period").fill(portfolio.code)
    page.get_by_test_id("gov-preview").click()
    page.get_by_test_id("gov-narrative").fill("   ")
    page.get_by_test_id("gov-issue").click()

    error = page.locator("[data-testid=gov-issue-form] .field.has-error .error")
    expect(error).to_be_visible()
    expect(page.get_by_test_id("gov-preview-numbers")).to_be_visible()
    assert ReportJob.objects.count() == 0
