"""The annual transformation report built from the records: which contracts it lists, that
its income reconciles with the ledger to the fen, who may build it and what they read, and
the files (Chinese text extractable from the PDF, the Excel sheets)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.db.models import Sum
from openpyxl import load_workbook
from pypdf import PdfReader

from luodi import money
from luodi.accounts.models import Membership
from luodi.insights import annual_drafts, annual_report, api_annual, reports
from luodi.insights.models import JobStatus, ReportJob
from luodi.ledger.choices import EXPENSE_KINDS, INCOME_KINDS
from luodi.ledger.models import LedgerEntry
from luodi.ledger.rules import entries_visible_to
from luodi.ledger.summary import Period, summarize
from tests.conftest import Personas
from tests.insights.test_annual_data import SECRET, AnnualRecords, build
from tests.jobs_util import run_queued_jobs

pytestmark = [pytest.mark.django_db]

needs_font = pytest.mark.skipif(
    not reports.CJK_FONT.exists(),
    reason=f"{reports.CJK_FONT} missing: run `make` (installs fonts-wqy-microhei)",
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def records(personas: Personas) -> AnnualRecords:
    return build(personas)


def _section(data: annual_report.AnnualData, key: str) -> annual_report.Section:
    return next(s for s in data.sections if s.key == key)


def _texts(data: annual_report.AnnualData, key: str) -> list[list[str]]:
    return [
        [annual_report.cell_text(c) for c in row]
        for t in _section(data, key).tables
        for row in t.rows
    ]


def test_technology_contracts_signed_in_the_year_with_achievement_and_registration(
    personas: Personas, records: AnnualRecords
) -> None:
    data = annual_report.collect(personas.staff, records.hospital, records.year)

    transferred = _texts(data, "achievements")
    contracts = _texts(data, "contracts")

    assert [row[0] for row in transferred] == ["止血材料独占许可合同", "支架技术转让合同"]
    assert transferred[0][2:] == ["可降解止血材料", "示例生物科技公司", f"{records.year}-03-10"]
    assert transferred[1][2] == SECRET  # staff may read the confidential title
    assert contracts[0][3:8] == [
        "2025510107000123",
        "80,000,000.00",
        "60,000,000.50",
        f"{records.year}-05-20",
        "成都市技术合同登记处",
    ]
    assert [row[3] for row in contracts] == ["2025510107000123", "—"]
    numbers = {label: annual_report.cell_text(v) for label, v in data.key_numbers}
    assert list(numbers.values())[3:7] == ["2", "1", "80,000,000.00", "60,000,000.50"]


def test_income_and_net_reconcile_with_the_ledger_to_the_fen(
    personas: Personas, records: AnnualRecords
) -> None:
    data = annual_report.collect(personas.staff, records.hospital, records.year)

    ledger = summarize(
        entries_visible_to(personas.staff).filter(institution=records.hospital),
        Period(records.year),
    )
    received = LedgerEntry.objects.filter(
        institution=records.hospital,
        status="received",
        received_on__year=records.year,
    )
    by_hand = {
        d: {
            r["kind"]: r["total"]
            for r in received.filter(direction=d).values("kind").annotate(total=Sum("amount_fen"))
        }
        for d in ("income", "expense")
    }
    assert data.summary.income == ledger.income
    assert data.summary.expenses == ledger.expenses
    assert {k: v for k, v in data.summary.income.items() if v} == by_hand["income"]
    assert {k: v for k, v in data.summary.expenses.items() if v} == by_hand["expense"]
    assert (data.summary.income_fen, data.summary.expense_fen, data.summary.net_fen) == (
        512_345_688,
        123_456,
        512_222_232,
    )
    rows = _texts(data, "income")
    shown = [money.plain(ledger.income[str(k)]) for k in INCOME_KINDS]
    shown += [money.plain(ledger.income_fen)]
    shown += [money.plain(ledger.expenses[str(k)]) for k in EXPENSE_KINDS]
    shown += [money.plain(ledger.expense_fen)]
    shown += [money.plain(v) for v in (ledger.income_fen, ledger.expense_fen, ledger.net_fen)]
    assert [r[1] for r in rows][: len(shown)] == shown
    assert rows[len(shown)][1] == money.plain(7_777_700)  # expected, not received


def test_xlsx_income_sheet_sums_to_the_ledger_in_fen(
    personas: Personas, records: AnnualRecords
) -> None:
    import io

    data = annual_report.collect(personas.staff, records.hospital, records.year)

    book = load_workbook(io.BytesIO(annual_report.write_xlsx(data)))

    assert len(book.sheetnames) == 10
    income = book[book.sheetnames[3]]
    rows = list(income.iter_rows(values_only=True))
    assert len(rows[0]) == 3  # kind, yuan, fen
    # Excel holds the yuan as a number: read back through its text, never float arithmetic.
    assert [Decimal(str(r[1])) for r in rows[1:]] == [money.to_yuan(r[-1]) for r in rows[1:]]
    fen = [r[-1] for r in rows[1:-1]]  # every kind, without the total row
    assert sum(fen) == data.summary.income_fen == rows[-1][-1]


def test_member_reads_its_own_report_without_a_co_partys_confidential_achievement(
    personas: Personas, records: AnnualRecords
) -> None:
    data = annual_report.collect(personas.partner_a, records.hospital, records.year)

    dump = json.dumps(api_annual.as_dict(data), ensure_ascii=False)
    transferred = _texts(data, "achievements")

    assert SECRET not in dump
    assert [row[0] for row in transferred] == ["止血材料独占许可合同", "支架技术转让合同"]
    assert transferred[1][2] not in (SECRET, "—", "")
    assert data.summary.net_fen == 512_222_232


def test_others_cannot_build_it(personas: Personas, records: AnnualRecords) -> None:
    for user in (personas.partner_b, personas.viewer):
        assert annual_report.institution_for(user, records.hospital.pk) is None
        with pytest.raises(annual_report.NotVisible):
            annual_report.collect(user, records.hospital, records.year)
    assert annual_report.institution_for(personas.partner_a, records.hospital.pk) == (
        records.hospital
    )


def test_sections_start_empty_and_keep_the_users_text(
    personas: Personas, records: AnnualRecords
) -> None:
    empty = annual_report.collect(personas.partner_a, records.hospital, records.year)
    written = annual_report.collect(
        personas.partner_a, records.hospital, records.year, {"income": "  本年度收入增长。 "}
    )

    assert [s.text for s in empty.sections] == [""] * 8
    assert all(s.hint for s in empty.sections)
    assert _section(written, "income").text == "本年度收入增长。"


@needs_font
def test_issued_report_has_chinese_pdf_text_and_the_excel_sheets(
    personas: Personas, records: AnnualRecords
) -> None:
    job = annual_drafts.save_and_issue(
        actor=personas.partner_a,
        institution=records.hospital,
        year=records.year,
        language="zh-hans",
        sections={"overview": "本院全年完成成果转化两项。", "grants": "赋权一项，公示中。"},
    )

    job.refresh_from_db()
    assert (job.status, job.error, job.kind) == (JobStatus.DONE, "", "annual_transfer")
    text = "".join(p.extract_text() for p in PdfReader(job.pdf.open("rb")).pages)
    flat = text.replace("\n", "")
    assert "本院全年完成成果转化两项。" in flat and "赋权一项，公示中。" in flat
    assert "止血材料独占许可合同" in flat and "80,000,000.00" in flat
    assert "王测试" in flat  # rewards to people
    assert SECRET not in flat
    book = load_workbook(job.xlsx.open("rb"))
    cells = [str(c) for ws in book.worksheets for r in ws.iter_rows(values_only=True) for c in r]
    assert "本院全年完成成果转化两项。" in cells and "2025510107000123" in cells
    assert job.pdf.name.rsplit("/", 1)[-1].startswith("luodi-annual-transfer-")


def test_build_fails_when_the_requester_may_no_longer_see_the_institution(
    personas: Personas, records: AnnualRecords, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.LUODI_JOBS_SYNC = False
    job = annual_drafts.save_and_issue(
        actor=personas.partner_a,
        institution=records.hospital,
        year=records.year,
        language="zh-hans",
        sections={},
    )
    Membership.objects.filter(user=personas.partner_a).delete()

    assert run_queued_jobs() == 1

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error
    assert not job.pdf


def test_a_draft_is_never_built_and_is_issued_once(
    personas: Personas, records: AnnualRecords, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.LUODI_JOBS_SYNC = False
    draft = annual_drafts.save_draft(
        actor=personas.partner_a,
        institution=records.hospital,
        year=records.year,
        language="en",
        sections={"overview": "Draft text"},
    )
    assert reports.claim(draft.pk) is False

    annual_drafts.issue(actor=personas.partner_a, job=draft)
    with pytest.raises(annual_drafts.AlreadyIssued):
        annual_drafts.issue(actor=personas.partner_a, job=draft)

    assert run_queued_jobs() == 1
    assert ReportJob.objects.get().status == JobStatus.DONE


def test_unknown_or_long_section_text_is_refused() -> None:
    with pytest.raises(ValueError):
        annual_drafts.clean_sections({"nope": "x"})
    with pytest.raises(ValueError):
        annual_drafts.clean_sections({"overview": "字" * (annual_report.TEXT_MAX + 1)})
    assert annual_drafts.clean_sections({"overview": " a ", "income": " "}) == {"overview": "a"}
