"""The one spreadsheet writer: every .xlsx and CSV file Luodi hands out is written here.

Partners type much of what staff export (names, titles, registrations, reasons built from
them), so no cell is trusted to be inert:

- Cells are typed: numbers (negative ones too), dates and booleans stay numbers, dates and
  booleans; aware datetimes are shown in local time; everything else becomes text (a list
  joined with "; ").
- Text is never a formula. In .xlsx every text cell is written as a string, never as `<f>`
  (openpyxl would otherwise take "=…" for a formula and "#N/A" for an error), and text
  starting with = + - @ tab or CR also gets Excel's quote prefix, the style Excel gives a
  cell typed with a leading apostrophe, so it stays text when someone edits it; the text
  itself is kept as it was. In CSV such text gets a leading apostrophe (OWASP's advice for
  CSV injection), and every text field is quoted, so a ";" inside it cannot start a new cell
  where Excel splits on semicolons.
- Characters an .xlsx file cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE: most C0 controls)
  are removed, in CSV too, so a record saved before input was checked still exports.
- Column widths come from the header and the first rows (CJK characters count double);
  the header row is bold and frozen.
- CSV is UTF-8 with a byte-order mark, so Excel opens Chinese text correctly.

Writing uses openpyxl's write-only mode: rows stream into the file, so an export of 20,000
records never holds a cell object per value.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from itertools import chain, islice
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import get_valid_filename
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
CONTENT_TYPES = {"xlsx": XLSX, "csv": CSV}

# What Excel (and LibreOffice) may read as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
WIDTH_SAMPLE = 200  # rows looked at for column widths (they are set before rows stream)
MIN_WIDTH, MAX_WIDTH = 6, 80
_SHEET_TITLE_BAD = re.compile(r"[\\/?*\[\]:]")
_BOLD = Font(bold=True)

Value = None | bool | int | float | Decimal | date | datetime | time | str


@dataclass
class Sheet:
    """One table: `headers` (may be empty) and `rows` (any iterable, read once)."""

    title: str
    rows: Iterable[Sequence[Any]]
    headers: Sequence[Any] = field(default_factory=list)


def clean_text(text: str) -> str:
    """Text without the characters an .xlsx file cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def typed(value: Any) -> Value:
    """A cell's value: numbers and dates as they are, anything else as cleaned text."""
    if value is None or isinstance(value, (bool, int, Decimal)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, datetime):
        # Excel has no time zones: show the time where Luodi runs.
        return timezone.localtime(value).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, time):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        return clean_text("; ".join(str(v) for v in value))
    return clean_text(str(value))


def formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


# -- .xlsx --------------------------------------------------------------------------------------


def _xlsx_cell(ws: Any, value: Any, header: bool = False) -> Any:
    value = typed(value)
    risky = isinstance(value, str) and (formula_like(value) or value in ERROR_CODES)
    if not risky and not header:
        return value  # openpyxl types it as it is (None leaves the cell empty)
    cell = WriteOnlyCell(ws, value)
    if risky:
        # openpyxl reads "=…" as a formula and "#N/A" as an error: it is text.
        cell.data_type = "s"
        if formula_like(value):
            cell.quotePrefix = True
    if header:
        cell.font = _BOLD
    return cell


def display_width(value: Value) -> int:
    """Columns a value needs: the longest line, East Asian wide characters counting two."""
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    lines = str(value).splitlines() or [""]
    return max(
        sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line) for line in lines
    )


def column_widths(rows: Iterable[Sequence[Any]]) -> list[int]:
    widths: list[int] = []
    for row in rows:
        for i, value in enumerate(row):
            if i == len(widths):
                widths.append(0)
            widths[i] = max(widths[i], display_width(typed(value)))
    return [min(MAX_WIDTH, max(MIN_WIDTH, w + 2)) for w in widths]


def sheet_title(title: str) -> str:
    """A title Excel accepts: no \\ / ? * [ ] :, at most 31 characters."""
    return _SHEET_TITLE_BAD.sub("_", clean_text(str(title)))[:31] or "Sheet"


def add_sheet(book: Workbook, sheet: Sheet) -> None:
    """Write `sheet` into `book`, a write-only workbook or a normal one."""
    ws = book.create_sheet(sheet_title(sheet.title))
    rows = iter(sheet.rows)
    # Write-only sheets take their widths and frozen pane before the first row.
    sample = list(islice(rows, WIDTH_SAMPLE))
    headers = list(sheet.headers)
    for i, width in enumerate(column_widths([headers, *sample]), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    if headers:
        ws.freeze_panes = "A2"
        ws.append([_xlsx_cell(ws, h, header=True) for h in headers])
    for row in chain(sample, rows):
        ws.append([_xlsx_cell(ws, v) for v in row])


def save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_xlsx(sheets: Iterable[Sheet]) -> bytes:
    book = Workbook(write_only=True)
    for sheet in sheets:
        add_sheet(book, sheet)
    return save(book)


# -- CSV ----------------------------------------------------------------------------------------


def _csv_cell(value: Any) -> Any:
    value = typed(value)
    if isinstance(value, str) and formula_like(value):
        return "'" + value
    return value


def to_csv(sheet: Sheet) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    # QUOTE_NONNUMERIC quotes every text field and leaves numbers bare, so numbers stay numbers.
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC)
    if sheet.headers:
        writer.writerow([_csv_cell(h) for h in sheet.headers])
    for row in sheet.rows:
        writer.writerow([_csv_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8")


# -- downloads ----------------------------------------------------------------------------------


def attachment(content: bytes, filename: str) -> HttpResponse:
    """A download of a written file; the content type follows the file name's extension."""
    name = get_valid_filename(filename)
    response = HttpResponse(content, content_type=CONTENT_TYPES[name.rsplit(".", 1)[-1]])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def download(fmt: str, stem: str, sheets: Sequence[Sheet]) -> HttpResponse:
    """`sheets` as an .xlsx download, or the one sheet as CSV (`fmt` "xlsx" or "csv")."""
    if fmt == "xlsx":
        content = to_xlsx(sheets)
    elif fmt == "csv":
        if len(sheets) != 1:
            raise ValueError("a CSV file holds one sheet")
        content = to_csv(sheets[0])
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    return attachment(content, f"{stem}.{fmt}")
