"""Issue #16, item 8: an upload is read row by row and reading stops at the row limit.

A million short rows fit in a few MB; reading them all to count them held a worker for
half a minute and 449 MB. The bounds here are generous (the old code peaked above 300 MB
on these files); no timing is asserted.
"""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from collections.abc import Callable, Iterable

import pytest

from luodi.ingest import tables

PEAK_LIMIT = 40 * 1024 * 1024  # bytes traced while reading; a 20,000-row table needs ~10 MB

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
_HEADER = b'<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>'


def xlsx_of(
    sheet_rows: Iterable[bytes], extra: dict[str, bytes] | None = None, dimension: bytes = b""
) -> bytes:
    """A minimal workbook whose sheet XML is written directly, row by row: a million rows
    take a few MB on disk and a few seconds to write (openpyxl would take minutes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
                b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                + dimension
                + b"<sheetData>"
            )
            for row in sheet_rows:
                sheet.write(row)
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def _numbers(rows: int) -> Iterable[bytes]:
    yield _HEADER
    for i in range(2, rows + 2):
        yield b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (i, i, i)


def _refusal_and_peak(read: Callable[[], object]) -> tuple[str, int]:
    tracemalloc.start()
    try:
        with pytest.raises(tables.TableError) as refused:
            read()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return str(refused.value), peak


@pytest.mark.slow
def test_a_million_row_csv_is_refused_without_reading_it_whole() -> None:
    data = b"name\n" + b"".join(b"%d\n" % i for i in range(1_000_000))

    message, peak = _refusal_and_peak(lambda: tables.read_table("big.csv", data))

    assert "20000" in message
    assert peak < PEAK_LIMIT, f"{peak / 1e6:.0f} MB"


@pytest.mark.slow
def test_a_million_row_xlsx_without_dimensions_is_refused_without_parsing_it_whole() -> None:
    data = xlsx_of(_numbers(1_000_000))  # ~7 MB; openpyxl once scanned it all for its size

    message, peak = _refusal_and_peak(lambda: tables.read_table("big.xlsx", data))

    assert "20000" in message
    assert peak < PEAK_LIMIT, f"{peak / 1e6:.0f} MB"


def test_rows_up_to_the_limit_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tables, "MAX_ROWS", 3)
    at_limit = xlsx_of(_numbers(3))
    over = b"name\n1\n\n2\n3\n4\n"

    table = tables.read_table("ok.xlsx", at_limit)

    assert [line for line, _cells in table.rows] == [2, 3, 4]
    with pytest.raises(tables.TableError, match="3"):
        tables.read_table("over.csv", over)


def test_a_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    # 100 MB of one repeated shared string compresses to about 100 KB.
    strings = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + b"<si><t>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</t></si>" * 1_700_000
        + b"</sst>"
    )
    data = xlsx_of(_numbers(2), extra={"xl/sharedStrings.xml": strings})
    assert len(data) < 1_000_000

    message, peak = _refusal_and_peak(lambda: tables.read_table("bomb.xlsx", data))

    assert "sharedStrings.xml" in message
    assert peak < PEAK_LIMIT


def test_a_sheet_claiming_every_column_is_not_padded_to_them() -> None:
    # A stored dimension of A1:XFD30000 made every row 16,384 values wide.
    data = xlsx_of(_numbers(20_000), dimension=b'<dimension ref="A1:XFD1048576"/>')

    tracemalloc.start()
    try:
        table = tables.read_table("wide.xlsx", data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert table.headers == ["name"] and len(table.rows) == 20_000
    assert peak < PEAK_LIMIT, f"{peak / 1e6:.0f} MB"


def test_a_row_far_below_the_last_line_excel_has_is_refused() -> None:
    far = [_HEADER, b'<row r="2000000"><c r="A2000000"><v>1</v></c></row>']

    with pytest.raises(tables.TableError, match="20000"):
        tables.read_table("far.xlsx", xlsx_of(far))


def test_a_header_wider_than_the_column_limit_is_refused() -> None:
    header = ",".join(f"c{i}" for i in range(tables.MAX_COLUMNS + 1)).encode()

    with pytest.raises(tables.TableError, match=str(tables.MAX_COLUMNS)):
        tables.read_table("wide.csv", header + b"\n" + b"1\n")
