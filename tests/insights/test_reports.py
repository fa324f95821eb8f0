from __future__ import annotations

from datetime import date

import pytest
from pypdf import PdfReader

from luodi.insights import reports
from luodi.insights.models import JobStatus, ReportJob
from tests.conftest import Personas, client_for
from tests.factories import AchievementFactory
from tests.insights.fixtures import portfolio, project_with_history
from tests.jobs_util import run_queued_jobs

pytestmark = [pytest.mark.django_db]

needs_font = pytest.mark.skipif(
    not reports.CJK_FONT.exists(),
    reason=f"{reports.CJK_FONT} missing: run `make` (installs fonts-wqy-microhei)",
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


@needs_font
def test_report_pdf_embeds_chinese_text_and_xlsx_has_sheets(personas: Personas) -> None:
    portfolio(personas.org_a)
    achievement = AchievementFactory(owner=personas.org_a, title_zh="肿瘤新药")
    project_with_history(
        personas.org_a, [("lead", 0)], achievement=achievement, title="肿瘤新药转化"
    )
    job = reports.request_report(
        actor=personas.staff, start=date(2026, 1, 1), end=date(2026, 12, 31)
    )

    # (jobs run inline in tests: the report is built by now)

    job.refresh_from_db()
    assert (job.status, job.progress, job.error) == (JobStatus.DONE, 100, "")
    text = "".join(p.extract_text() for p in PdfReader(job.pdf.open("rb")).pages)
    assert text.startswith("落地 · Luodi")
    assert "2026-01-01" in text.splitlines()[0]
    assert "测试园区" in text  # the park of the landings, in Chinese
    from openpyxl import load_workbook

    book = load_workbook(job.xlsx.open("rb"))
    assert len(book.sheetnames) >= 10


def test_claim_is_taken_once(personas: Personas) -> None:
    job = ReportJob.objects.create(
        requested_by=personas.staff, period_start=date(2026, 1, 1), period_end=date(2026, 1, 31)
    )

    assert reports.claim(job.pk) is True
    assert reports.claim(job.pk) is False


def test_missing_font_fails_the_job_with_a_clear_error(
    personas: Personas, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    settings.LUODI_CJK_FONT = tmp_path / "none.ttc"
    job = reports.request_report(
        actor=personas.staff, start=date(2026, 1, 1), end=date(2026, 1, 31)
    )

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "fonts-wqy-microhei" in job.error


@needs_font
def test_report_page_queues_polls_and_downloads(personas: Personas, settings) -> None:  # type: ignore[no-untyped-def]
    settings.LUODI_JOBS_SYNC = False  # see the row before the worker has built it
    client = client_for(personas.partner_a)

    response = client.post("/insights/reports/", {"period": "month"})
    job = ReportJob.objects.get()
    row = client.get(f"/insights/reports/{job.pk}/").content.decode()
    assert run_queued_jobs() == 1
    done = client.get(f"/insights/reports/{job.pk}/").content.decode()
    pdf = client.get(f"/insights/reports/{job.pk}/pdf/")

    assert response.status_code == 302
    assert 'hx-trigger="every 1s"' in row
    assert "hx-trigger" not in done and "download-pdf" in done
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert client_for(personas.partner_b).get(f"/insights/reports/{job.pk}/pdf/").status_code == 404
