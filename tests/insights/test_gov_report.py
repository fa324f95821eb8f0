"""The government report after landing: the edited narrative is what the PDF and the Excel
file open with, in the report's language whatever the requester's; the web steps and the
API refuse an empty narrative or a wrong period."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from luodi.insights import gov_report, reports
from luodi.insights.models import JobStatus, ReportJob
from tests.conftest import Personas, client_for
from tests.insights.after_landing_data import build

pytestmark = [pytest.mark.django_db]

needs_font = pytest.mark.skipif(
    not reports.CJK_FONT.exists(),
    reason=f"{reports.CJK_FONT} missing: run `make` (installs fonts-wqy-microhei)",
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


def _texts(job: ReportJob) -> tuple[str, str]:
    pdf = "".join(p.extract_text() for p in PdfReader(job.pdf.open("rb")).pages)
    book = load_workbook(job.xlsx.open("rb"))
    cells = [
        str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row
    ]
    return pdf, "\n".join(cells)


def _issue(personas: Personas, code: str, language: str, narrative: str) -> ReportJob:
    start, end = gov_report.parse_period(code)
    return reports.request_report(
        actor=personas.staff,
        start=start,
        end=end,
        kind="after_landing",
        language=language,
        narrative=narrative,
    )


@needs_font
@pytest.mark.parametrize(
    ("language", "expected", "park"),
    [("zh-hans", "关键指标", "成都医学城"), ("en", "Key numbers", "Chengdu Medical City")],
)
def test_edited_narrative_in_pdf_and_xlsx_in_the_chosen_language(
    personas: Personas, language: str, expected: str, park: str
) -> None:
    data = build(personas)
    personas.staff.language = "en" if language == "zh-hans" else "zh-hans"
    personas.staff.save(update_fields=["language"])
    narrative = "本季度园区新增落地项目三个，编辑后的说明。"

    job = _issue(personas, data.code, language, narrative)

    job.refresh_from_db()
    assert (job.status, job.error) == (JobStatus.DONE, "")
    pdf, xlsx = _texts(job)
    assert narrative in pdf.replace("\n", "") and narrative in xlsx
    assert expected in pdf and expected in xlsx
    assert park in pdf and park in xlsx  # the per-park table, names in that language
    assert data.a.title in pdf  # staff see titles; milestones reached list project A
    assert job.pdf.name.rsplit("/", 1)[-1].startswith("luodi-after-landing-")


@needs_font
def test_viewer_report_names_the_registered_company_never_the_title(
    personas: Personas,
) -> None:
    data = build(personas)
    start, end = gov_report.parse_period(data.code)

    job = reports.request_report(
        actor=personas.viewer,
        start=start,
        end=end,
        kind="after_landing",
        language="zh-hans",
        narrative="说明",
    )

    job.refresh_from_db()
    pdf, xlsx = _texts(job)
    assert job.status == JobStatus.DONE
    for title in (data.a.title, data.b.title, data.c.title):
        assert title not in pdf and title not in xlsx
    assert "成都蓉骨医疗科技有限公司" in pdf


def test_draft_fills_in_the_numbers(personas: Personas) -> None:
    data = build(personas)
    start, end = gov_report.parse_period(data.code)
    row = gov_report.numbers(personas.staff, start, end, gov_report.EVERYTHING)

    from django.utils import translation

    with translation.override("en"):
        text = gov_report.draft_narrative(data.code, row)

    assert text.startswith("This quarter, new landings: 3; projects in production: 1.")
    assert "1,700 of the 15,000 promised (11.3%), of which 700 in the period" in text


def test_parse_period() -> None:
    from datetime import date

    assert gov_report.parse_period("2026-q3") == (date(2026, 7, 1), date(2026, 9, 30))
    assert gov_report.parse_period("2026-12") == (date(2026, 12, 1), date(2026, 12, 31))
    assert gov_report.parse_period("2026-Q4") == (date(2026, 10, 1), date(2026, 12, 31))
    for bad in ("2026-Q5", "2026-13", "26-Q1", "2026-3"):
        with pytest.raises(gov_report.PeriodError):
            gov_report.parse_period(bad)
    assert gov_report.last_quarter(date(2026, 2, 1)) == "2025-Q4"


@needs_font
def test_web_steps_preview_edit_issue(personas: Personas) -> None:
    data = build(personas)
    client = client_for(personas.staff)
    form = {"period": data.code, "scope": "all", "language": "en"}

    first = client.get("/insights/reports/government/")
    preview = client.post("/insights/reports/government/", {**form, "action": "preview"})
    empty = client.post(
        "/insights/reports/government/", {**form, "action": "issue", "narrative": "  "}
    )
    wrong = client.post(
        "/insights/reports/government/",
        {**form, "period": "2026-Q5", "action": "issue", "narrative": "x"},
    )
    future = client.post(
        "/insights/reports/government/", {**form, "period": "2099-Q1", "action": "preview"}
    )
    assert ReportJob.objects.count() == 0
    issued = client.post(
        "/insights/reports/government/", {**form, "action": "issue", "narrative": "Edited."}
    )

    assert first.status_code == 200 and 'data-testid="gov-form"' in first.content.decode()
    html = preview.content.decode()
    assert 'data-testid="gov-issue-form"' in html and "This quarter, new landings: 3" in html
    assert "has-error" in empty.content.decode() and "gov-issue-form" in empty.content.decode()
    assert "has-error" in wrong.content.decode() and "gov-form" in wrong.content.decode()
    assert "has-error" in future.content.decode()
    assert issued.status_code == 302
    job = ReportJob.objects.get()
    assert (job.kind, job.language, job.narrative, job.status) == (
        "after_landing",
        "en",
        "Edited.",
        JobStatus.DONE,
    )


@needs_font
def test_api_accepts_kind_language_narrative_and_old_clients(personas: Personas) -> None:
    data = build(personas)
    client = client_for(personas.staff)

    old = client.post("/api/insights/reports", {"period": "month"}, content_type="application/json")
    gov = client.post(
        "/api/insights/reports",
        {"kind": "after_landing", "period_code": data.code, "language": "en", "narrative": "N."},
        content_type="application/json",
    )
    drafted = client.post(
        "/api/insights/reports",
        {"kind": "after_landing", "period_code": data.code},
        content_type="application/json",
    )
    empty = client.post(
        "/api/insights/reports",
        {"kind": "after_landing", "period_code": data.code, "narrative": ""},
        content_type="application/json",
    )
    wrong = client.post(
        "/api/insights/reports",
        {"kind": "after_landing", "period_code": "2026-Q9", "narrative": "x"},
        content_type="application/json",
    )

    assert old.status_code == 201 and old.json()["kind"] == "portfolio"
    assert gov.status_code == 201, gov.content
    assert (gov.json()["kind"], gov.json()["language"], gov.json()["status"]) == (
        "after_landing",
        "en",
        "done",
    )
    assert drafted.status_code == 201
    job = ReportJob.objects.get(pk=drafted.json()["id"])
    assert job.language == "zh-hans" and job.narrative  # the requester's, the draft
    assert empty.status_code == 422 and "narrative" in empty.json()["error"]["fields"]
    assert wrong.status_code == 422 and "period" in wrong.json()["error"]["fields"]
