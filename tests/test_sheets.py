"""Every spreadsheet Luodi writes keeps partner text inert (issue #16, items 4 and 5).

Partner-controlled text that a spreadsheet could run (= + - @ tab first) goes through each
real export path: the list exports (ingest.export), the insights report, the attendee export
(the matchmaking report: tests/matchmaking/test_report_cells.py). No cell of the file is a
formula, the text is still there to read, a stored control character (U+000B) neither breaks
the file nor survives in it, and numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.cell.cell import Cell

from luodi import sheets
from luodi.catalog import exports
from luodi.catalog.models import Organization
from luodi.insights import reports
from luodi.pipeline.models import Project
from tests.conftest import Personas, client_for
from tests.engagements.factories import EventFactory, RegistrationFactory
from tests.factories import OrganizationFactory
from tests.insights.fixtures import portfolio

HYPERLINK = '=HYPERLINK("http://x","y")'
FORMULAS = [HYPERLINK, "+1+1", "-2+3", "@SUM(A1)", "\t=1"]
CONTROL = "标题\u000b甲"  # a vertical tab pasted into a title, saved before input was checked
CLEANED = "标题甲"
# Item 4 (formulas) and item 5 (a stored control character) through every writer.
CASES = pytest.mark.parametrize("texts", [FORMULAS, [CONTROL]], ids=["formulas", "control"])
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def cells(content: bytes) -> list[Cell]:
    book = load_workbook(io.BytesIO(content))
    return [cell for ws in book for row in ws.iter_rows() for cell in row]


def assert_inert_xlsx(content: bytes, texts: list[str]) -> list[Cell]:
    every = cells(content)
    assert [c.coordinate for c in every if c.data_type == "f"] == []
    values = [c.value for c in every]
    for text in texts:
        assert text in values
    assert not any(isinstance(v, str) and "\u000b" in v for v in values)
    risky = [
        c for c in every if isinstance(c.value, str) and c.value.startswith(sheets.FORMULA_STARTS)
    ]
    assert all(c.data_type == "s" and c.quotePrefix for c in risky)
    return every


def csv_rows(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def assert_inert_csv(content: bytes, texts: list[str]) -> list[list[str]]:
    rows = csv_rows(content)
    fields = [f for row in rows for f in row]
    # Only numbers may start with a sign: they were written as numbers.
    risky = [f for f in fields if f.startswith(sheets.FORMULA_STARTS) and not NUMBER.fullmatch(f)]
    assert risky == []
    for text in texts:
        expected = "'" + text if text.startswith(sheets.FORMULA_STARTS) else text
        assert expected in fields
    assert not any("\u000b" in f for f in fields)
    return rows


# -- the writer itself ----------------------------------------------------------------------------


def test_xlsx_cells_are_typed_and_text_is_never_a_formula(settings: Any) -> None:
    settings.TIME_ZONE = "Asia/Shanghai"
    when = datetime(2026, 3, 1, 1, 30, tzinfo=UTC)
    row = [-5, 2.5, Decimal("1.25"), date(2026, 1, 2), when, True, None, ["a", "=b"], "#N/A"]
    content = sheets.to_xlsx(
        [sheets.Sheet("t", [row, FORMULAS, [CONTROL]], headers=[f"h{i}" for i in range(9)])]
    )

    ws = load_workbook(io.BytesIO(content)).active
    assert ws is not None
    values = [c.value for c in ws[2]]
    assert values[:3] == [-5, 2.5, 1.25]
    assert [c.data_type for c in ws[2]][:3] == ["n", "n", "n"]
    assert values[3:7] == [datetime(2026, 1, 2), datetime(2026, 3, 1, 9, 30), True, None]
    assert values[7:] == ["a; =b", "#N/A"]
    assert [c.value for c in ws[3]][:5] == FORMULAS
    assert ws["A4"].value == CLEANED
    assert_inert_xlsx(content, [*FORMULAS, CLEANED])


def test_xlsx_header_is_bold_and_frozen_and_widths_count_cjk_double() -> None:
    rows = [["成都生物科技有限公司", "abc", 12345]]
    content = sheets.to_xlsx([sheets.Sheet("a/b:c", rows, headers=["名称", "x", "n"])])

    ws = load_workbook(io.BytesIO(content)).active
    assert ws is not None
    assert ws.title == "a_b_c"
    assert ws.freeze_panes == "A2"
    assert [c.font.b for c in ws[1]] == [True, True, True]
    widths = [ws.column_dimensions[col].width for col in "ABC"]
    assert widths == [22, sheets.MIN_WIDTH, 7]  # 10 CJK characters count 20, plus 2


def test_csv_has_bom_quotes_text_and_prefixes_formula_starts() -> None:
    content = sheets.to_csv(sheets.Sheet("t", [[*FORMULAS, CONTROL, -5, 2.5]], headers=["h"] * 8))

    assert content.startswith("\ufeff".encode())
    line = content.decode("utf-8").splitlines()[1]
    assert line.endswith('"标题甲",-5,2.5')  # text quoted, numbers bare
    assert_inert_csv(content, [*FORMULAS, CLEANED])


def test_download_refuses_unknown_formats_and_several_sheets_in_csv() -> None:
    sheet = sheets.Sheet("t", [[1]])
    with pytest.raises(ValueError):
        sheets.download("pdf", "x", [sheet])
    with pytest.raises(ValueError):
        sheets.download("csv", "x", [sheet, sheet])
    response = sheets.download("xlsx", "a b", [sheet])
    assert response["Content-Disposition"] == 'attachment; filename="a_b.xlsx"'
    assert response["Content-Type"] == sheets.XLSX


# -- ingest.export: list exports (catalog lists, /import/export/, chart exports) -----------------


def shown(texts: list[str]) -> list[str]:
    """What a file must show of `texts`: all of it, less the control characters."""
    return [t.replace("\u000b", "") for t in texts]


@CASES
@pytest.mark.django_db
def test_list_export_xlsx_and_csv_keep_partner_text_inert(
    personas: Personas, texts: list[str]
) -> None:
    names = ["name_zh", "name_en", "address", "description_zh", "description_en"]
    # aliases: a list value, joined before it is neutralized
    OrganizationFactory(aliases=texts, **dict(zip(names, texts, strict=False)))
    client = client_for(personas.staff)
    expected = [*shown(texts), "; ".join(shown(texts))]

    xlsx = client.get("/import/export/organizations.xlsx")
    csv_response = client.get("/import/export/organizations.csv")

    assert (xlsx.status_code, csv_response.status_code) == (200, 200)
    assert_inert_xlsx(xlsx.content, expected)
    assert_inert_csv(csv_response.content, expected)


def test_export_rows_numbers_stay_numbers() -> None:
    rows = [{"n": -5, "x": 2.5, "t": "-2+3"}]
    columns: exports.Columns = [("n", "n"), ("x", "x"), ("t", "t")]

    xlsx = exports.export_rows(rows, columns, "xlsx")
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    assert ws is not None
    assert [(c.value, c.data_type) for c in ws[2]] == [(-5, "n"), (2.5, "n"), ("-2+3", "s")]
    text = exports.export_rows(rows, columns, "csv").content.decode("utf-8")
    assert text.splitlines()[1] == '-5,2.5,"\'-2+3"'


# -- insights: the monthly/quarterly report -------------------------------------------------------


@CASES
@pytest.mark.django_db
def test_insights_report_xlsx_keeps_partner_text_inert(
    personas: Personas, texts: list[str]
) -> None:
    projects = portfolio(personas.org_a)
    Project.objects.filter(pk=projects["p1"].pk).update(title=texts[0])
    Organization.objects.filter(pk=projects["park"].pk).update(name_zh=texts[-1])
    starts = timezone.make_aware(datetime(2026, 3, 1, 9))
    for text in texts:
        EventFactory(
            title_zh=text,
            title_en=text,
            venue=text,
            starts_at=starts,
            ends_at=starts.replace(hour=17),
        )

    data = reports.collect(personas.staff, date(2026, 1, 1), date(2026, 12, 31))
    content = reports.write_xlsx(data)

    assert_inert_xlsx(content, shown(texts))
    ws = load_workbook(io.BytesIO(content))[reports.tables(data)[0][0][:31]]
    landed = {row[0].value: row for row in ws.iter_rows(min_row=2)}
    investment = landed[shown(texts)[0]][2]
    assert (investment.value, investment.data_type) == (1000, "n")


# -- engagements: the attendee export -----------------------------------------------------------


@CASES
@pytest.mark.django_db
def test_attendee_export_xlsx_and_csv_keep_partner_text_inert(
    personas: Personas, texts: list[str]
) -> None:
    event = EventFactory()
    for text in texts:
        RegistrationFactory(event=event, name=text, organization_name=text, position=text)
    client = client_for(personas.staff)
    url = f"/engagements/events/{event.pk}/registrations/"

    xlsx = client.get(url, {"export": "xlsx"})
    csv_response = client.get(url, {"export": "csv"})

    assert (xlsx.status_code, csv_response.status_code) == (200, 200)
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames == ["attendees"]
    assert_inert_xlsx(xlsx.content, shown(texts))
    assert_inert_csv(csv_response.content, shown(texts))
