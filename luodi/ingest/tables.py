"""Spreadsheet imports: read .xlsx/.csv, suggest a column mapping, clean each row per kind.

Nothing here writes to the database: `clean_row` turns one row into field values (with
organizations and taxonomy terms resolved through a `Resolver`) or a list of reasons.
Line numbers are the ones a spreadsheet shows: the header is line 1.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import override
from openpyxl.reader.excel import ExcelReader
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from luodi import control_chars
from luodi.catalog.models import Organization, Term
from luodi.ingest import dedup
from luodi.ingest.fields import BILINGUAL, FIELDS, REQUIRED_GROUPS, SYNONYMS_ZH, Spec
from luodi.text import join_items

MAX_ROWS = 20_000
# The first line past this many is never read: a file of 10 MB holds a million short rows,
# and reading them all to count them held a worker for half a minute (issue #16).
MAX_COLUMNS = 256
MAX_LINES = 1_048_576  # Excel's own last row; blank lines count here, not in MAX_ROWS
# Uncompressed sizes of the parts of an .xlsx (a zip). The sheet is read as a stream, so
# its bound is generous; openpyxl parses the shared strings and the other parts whole, so a
# small zip that unpacks to gigabytes ("zip bomb") is refused before anything is parsed.
MAX_SHEET_BYTES = 256 * 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 64 * 1024 * 1024
MAX_OTHER_PART_BYTES = 32 * 1024 * 1024
MAX_UNPACKED_BYTES = 512 * 1024 * 1024


class TableError(Exception):
    """The file cannot be used at all (unreadable, empty, no header, too large)."""


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (line as shown in the file, cells)
    filename: str = ""


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _too_many_rows() -> TableError:
    return TableError(
        _("The file has more than %(n)s rows; split it into smaller files.") % {"n": MAX_ROWS}
    )


def _collect(lines: Iterable[Sequence[Any]], filename: str) -> Table:
    """The header and the non-blank rows of `lines`, read no further than the row limit."""
    headers: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    for number, raw in enumerate(lines, start=1):
        if number > MAX_LINES:
            raise _too_many_rows()
        if headers is None:
            headers = [_cell(v) for v in raw[: MAX_COLUMNS + 1]]
            while headers and not headers[-1]:
                headers.pop()
            if not headers:
                raise TableError(_("The file has no header row."))
            if len(headers) > MAX_COLUMNS:
                raise TableError(_("The file has more than %(n)s columns.") % {"n": MAX_COLUMNS})
            continue
        cells = [_cell(v) for v in raw[: len(headers)]]
        if not any(cells):
            continue
        if len(rows) == MAX_ROWS:
            raise _too_many_rows()
        rows.append((number, cells + [""] * (len(headers) - len(cells))))
    if headers is None:
        raise TableError(_("The file has no header row."))
    if not rows:
        raise TableError(_("The file has a header but no data rows."))
    return Table(headers=headers, rows=rows, filename=filename)


def _csv_lines(data: bytes, encoding: str) -> Iterator[list[str]]:
    """The rows of a CSV file, decoded and split as they are read."""
    text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    sample = text.read(4096)
    text.seek(0)
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    yield from csv.reader(text, dialect)


def _read_csv(data: bytes, filename: str) -> Table:
    # UTF-8 (with or without a BOM) first, then GB18030 (Excel's "CSV" on Chinese Windows).
    # A decoding error surfaces while reading, so a GB18030 file is read twice, up to
    # where its first non-UTF-8 byte stands.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return _collect(_csv_lines(data, encoding), filename)
        except UnicodeDecodeError:
            continue
        except csv.Error as exc:
            raise TableError(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc
    raise TableError(_("The file is not UTF-8 or GB18030 text."))


def _check_unpacked_sizes(data: bytes) -> None:
    """Refuse a workbook whose parts unpack to more than openpyxl should be given.

    The sizes are the ones the zip declares; Python's zipfile never unpacks more than the
    declared size of a member (it fails the CRC instead), so they cannot lie."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise TableError(_("The Excel file cannot be read.")) from exc
    total = 0
    for info in members:
        name = info.filename.lower()
        if name.startswith("xl/worksheets/"):
            limit = MAX_SHEET_BYTES
        elif name.endswith("sharedstrings.xml"):
            limit = MAX_SHARED_STRINGS_BYTES
        else:
            limit = MAX_OTHER_PART_BYTES
        total += info.file_size
        if info.file_size > limit or total > MAX_UNPACKED_BYTES:
            raise TableError(
                _(
                    "The Excel file unpacks to too much data (%(part)s); save it again "
                    "from Excel or export it as CSV."
                )
                % {"part": info.filename[:100]}
            )


class _UnsizedSheet(ReadOnlyWorksheet):
    def _get_size(self) -> None:
        # openpyxl looks for the sheet's <dimension> when it opens it and, when there is
        # none (a forged or generated file), parses the whole sheet to learn it has none.
        # Unsized, iter_rows reads only as far as it is asked to.
        return None


class _FirstSheetReader(ExcelReader):
    def read_worksheets(self) -> None:
        """Only the first worksheet, unsized (the others are never read)."""
        for sheet, rel in self.parser.find_sheets():
            if rel.target in self.valid_files and "chartsheet" not in rel.Type:
                worksheet = _UnsizedSheet(self.wb, sheet.name, rel.target, self.shared_strings)
                self.wb._sheets.append(worksheet)
                return


def _xlsx_lines(data: bytes) -> Iterator[Sequence[Any]]:
    """The first sheet's rows as values, parsed as they are read (openpyxl read-only)."""
    reader = _FirstSheetReader(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    try:
        reader.read()
        sheet = reader.wb.worksheets[0]
        assert isinstance(sheet, ReadOnlyWorksheet)
        # A row wider than the limit is cut there: only the header's width is read anyway.
        yield from sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
    finally:
        reader.archive.close()


def _read_xlsx(data: bytes, filename: str) -> Table:
    if not data.startswith(b"PK"):
        raise TableError(_("The file is not an Excel (.xlsx) workbook."))
    _check_unpacked_sizes(data)
    # A damaged or forged workbook fails in many ways (zip, XML, openpyxl's own checks);
    # every one of them means the same thing to the user.
    try:
        return _collect(_xlsx_lines(data), filename)
    except TableError:
        raise
    except Exception as exc:
        raise TableError(_("The Excel file cannot be read.")) from exc


def read_table(filename: str, data: bytes) -> Table:
    """Parse an .xlsx or .csv file; raises TableError when it is unusable.

    Both formats are read row by row and reading stops at the first row past MAX_ROWS, so
    the time and memory a file can take are bounded by the limit, not by the file."""
    name = filename.lower()
    if not data:
        raise TableError(_("The file is empty."))
    if name.endswith(".xlsx"):
        return _read_xlsx(data, filename)
    if name.endswith(".csv"):
        return _read_csv(data, filename)
    raise TableError(_("Only .xlsx and .csv files can be imported."))


# ---------------------------------------------------------------- column mapping


def _header_key(text: str) -> str:
    return dedup.normalize(text).replace(" ", "")


def _label_keys(spec: Spec) -> set[str]:
    keys = {_header_key(spec.key), _header_key(spec.key.replace("_", " "))}
    for language in ("en", "zh-hans"):
        with override(language):
            keys.add(_header_key(str(spec.label)))
    keys.update(_header_key(s) for s in spec.synonyms)
    return keys


def _column_is_cjk(table: Table, column: int) -> bool:
    values = [cells[column] for _, cells in table.rows[:50] if cells[column]]
    cjk = sum(1 for v in values if dedup.has_cjk(v))
    return bool(values) and cjk * 2 >= len(values)


def suggest_mapping(kind: str, table: Table, system: bool = False) -> list[str]:
    """One field key per column ("" = ignored), from header names in Chinese or English.

    Generic headers of bilingual fields ("名称", "Name") become the Chinese or English field
    by the script of the column's values. Fields only the system imports (`Spec.system_only`)
    are suggested to the system only.
    """
    specs = [spec for spec in FIELDS[kind] if system or not spec.system_only]
    by_header: dict[str, str] = {}
    for spec in specs:
        for key in _label_keys(spec):
            by_header.setdefault(key, spec.key)
    generic = {_header_key(s): pair for pair, synonyms in BILINGUAL[kind].items() for s in synonyms}
    mapping: list[str] = []
    used: set[str] = set()
    for column, header in enumerate(table.headers):
        key = _header_key(header)
        choice = by_header.get(key, "")
        if not choice and key in generic:
            zh_field, en_field = generic[key]
            first, second = (
                (zh_field, en_field) if _column_is_cjk(table, column) else (en_field, zh_field)
            )
            choice = first if first not in used else second
        if choice in used:
            choice = ""
        used.add(choice)
        mapping.append(choice)
    return mapping


def check_mapping(kind: str, mapping: list[str], system: bool = False) -> list[str]:
    """Reasons the mapping cannot be used; empty when it can. A person's mapping (not the
    system's) may not name a system-only field: it is unknown to them."""
    keys = {spec.key for spec in FIELDS[kind] if system or not spec.system_only}
    chosen = [m for m in mapping if m]
    problems: list[str] = []
    unknown = sorted({m for m in chosen if m not in keys})
    if unknown:
        problems.append(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(unknown)})
    if not chosen:
        problems.append(_("No column is mapped to a field."))
    twice = sorted({m for m in chosen if chosen.count(m) > 1})
    if twice:
        problems.append(_("Mapped more than once: %(fields)s.") % {"fields": ", ".join(twice)})
    labels = {spec.key: spec.label for spec in FIELDS[kind]}
    for group in REQUIRED_GROUPS[kind]:
        if not any(g in chosen for g in group):
            names = " / ".join(str(labels[g]) for g in group)
            problems.append(_("A column must be mapped to: %(fields)s.") % {"fields": names})
    return problems


# ---------------------------------------------------------------- values


def choice_lookup(choices: type[models.TextChoices]) -> dict[str, str]:
    """Normalized code, English label, Chinese label and synonyms → choice value."""
    lookup: dict[str, str] = {}
    for value, label in choices.choices:
        lookup[_header_key(value)] = value
        for language in ("en", "zh-hans"):
            with override(language):
                lookup[_header_key(str(label))] = value
    for synonym, value in SYNONYMS_ZH.get(choices.__name__, {}).items():
        lookup[_header_key(synonym)] = value
    return lookup


_SPLIT = re.compile(r"[;；、,，|\n]+")
_NAME_LIST = re.compile(r"[;；、|\n]+")
_SEPARATORS = re.compile(r"([;；、,，|\n]+)")
_HARD_SEPARATOR = re.compile(r"[;；|\n]")
_TRUE = {"1", "y", "yes", "true", "是", "同意", "√", "✓", "x"}
_FALSE = {"0", "n", "no", "false", "否", "不同意", ""}


def split_list(text: str) -> list[str]:
    return [part.strip() for part in _SPLIT.split(text) if part.strip()]


def _longest_matches(text: str, table: dict[str, int]) -> list[tuple[int | None, str]]:
    """Split a list cell into known labels, keeping labels that contain a separator
    ("Endocrine, nutritional and metabolic diseases", "内分泌、营养和代谢疾病") whole."""
    pieces = _SEPARATORS.split(text)
    parts, seps = pieces[0::2], pieces[1::2]
    out: list[tuple[int | None, str]] = []
    i = 0
    while i < len(parts):
        for j in range(len(parts) - 1, i - 1, -1):
            span = "".join(parts[k] + (seps[k] if k < j else "") for k in range(i, j + 1))
            # Labels hold commas and 、, never ; | or a line break: "VI; II" is two
            # chapters, not "VIII" (the key drops punctuation).
            joinable = j == i or not _HARD_SEPARATOR.search(span)
            term_id = table.get(_header_key(span)) if joinable else None
            if term_id is not None or j == i:
                if span.strip():
                    out.append((term_id, span.strip()))
                i = j + 1
                break
    return out


def _add_names(table: dict[str, int], term_id: int, names: Iterable[str]) -> None:
    for name in names:
        if name:
            table.setdefault(_header_key(name), term_id)


@dataclass
class Resolver:
    """Looks up organizations and taxonomy terms once per import run."""

    orgs: dedup.OrgIndex
    terms: dict[str, dict[str, int]] = field(default_factory=dict)
    choices: dict[str, dict[str, str]] = field(default_factory=dict)
    demo_orgs: set[int] | None = None

    @classmethod
    def load(cls) -> Resolver:
        return cls(orgs=org_index())

    def demo_choice(self, ids: list[int]) -> int | None:
        """Of organizations with one name (a real one entered beside the demo's), the only
        demo one: what a demo row means by the name."""
        if self.demo_orgs is None:
            demo = Organization.objects.filter(is_demo=True).values_list("pk", flat=True)
            self.demo_orgs = set(demo)
        found = [i for i in ids if i in self.demo_orgs]
        return found[0] if len(found) == 1 else None

    def term_ids(self, schemes: tuple[str, ...], text: str) -> tuple[list[int], list[str]]:
        scheme_key = ",".join(schemes)
        if scheme_key not in self.terms:
            table: dict[str, int] = {}
            rows = Term.objects.filter(scheme__in=schemes).values_list(
                "scheme", "id", "code", "label_zh", "label_en"
            )
            # A name used in two schemes ("tcm": a technology field and a specialty) means
            # the term of the scheme listed first.
            for _scheme, term_id, code, label_zh, label_en in sorted(
                rows, key=lambda row: schemes.index(row[0])
            ):
                _add_names(table, term_id, (code, label_zh, label_en))
            if Term.Scheme.THERAPEUTIC_AREA in schemes:
                # An ICD-10 code or name in a sheet means the area it is counted under.
                codes = Term.objects.filter(
                    scheme=Term.Scheme.ICD10, same_as__isnull=False
                ).values_list("same_as_id", "code", "label_zh", "label_en")
                for term_id, code, label_zh, label_en in codes:
                    _add_names(table, term_id, (code, label_zh, label_en))
            self.terms[scheme_key] = table
        found: list[int] = []
        unknown: list[str] = []
        for hit, part in _longest_matches(text, self.terms[scheme_key]):
            if hit is None:
                unknown.append(part)
            elif hit not in found:
                found.append(hit)
        return found, unknown

    def choice(self, choices: type[models.TextChoices], text: str) -> str | None:
        name = choices.__name__
        if name not in self.choices:
            self.choices[name] = choice_lookup(choices)
        return self.choices[name].get(_header_key(text))


def org_index() -> dedup.OrgIndex:
    """Every live organization by all its names; merged ones point to where they went."""
    index = dedup.OrgIndex()
    rows = Organization.objects.values_list(
        "id", "name_zh", "name_en", "aliases", "merged_into_id", "archived_at"
    )
    for org_id, name_zh, name_en, aliases, merged_into_id, archived_at in rows:
        names = [name_zh, name_en, *(aliases if isinstance(aliases, list) else [])]
        if merged_into_id:
            index.add(merged_into_id, index.labels.get(merged_into_id, ""), names)
        elif archived_at is None:
            index.add(org_id, name_zh or name_en, names)
    return index


def _clean_value(
    spec: Spec, raw: str, resolver: Resolver, demo_row: bool = False
) -> tuple[Any, str | None]:
    """(value, reason) for one cell; reason is None when the value is acceptable."""
    label = str(spec.label)
    if spec.parse is not None:
        return spec.parse(raw)
    if spec.kind in ("text", "longtext"):
        if spec.max_length and len(raw) > spec.max_length:
            return None, _("%(field)s is longer than %(n)s characters") % {
                "field": label,
                "n": spec.max_length,
            }
        return raw, None
    if spec.kind in ("list", "people"):  # names: commas belong to them ("Acme Co., Ltd.")
        return [p.strip() for p in _NAME_LIST.split(raw) if p.strip()], None
    if spec.kind == "person":
        return raw, None
    if spec.kind in ("float", "decimal", "date"):
        return _clean_number_or_date(spec, raw)
    if spec.kind == "int":
        try:
            number = int(float(raw.replace(",", "")))
        except (ValueError, OverflowError):  # "abc"; "1e999" is infinite
            return None, _("%(field)s is not a number: “%(value)s”") % {
                "field": label,
                "value": raw,
            }
        if number < 0:
            return None, _("%(field)s must not be negative") % {"field": label}
        return number, None
    if spec.kind == "bool":
        lowered = raw.strip().lower()
        if lowered in _TRUE:
            return True, None
        if lowered in _FALSE:
            return False, None
        return None, _("%(field)s must be yes or no: “%(value)s”") % {"field": label, "value": raw}
    if spec.kind == "email":
        try:
            validate_email(raw)
        except ValidationError:
            return None, _("%(field)s is not an email address: “%(value)s”") % {
                "field": label,
                "value": raw,
            }
        return raw, None
    if spec.kind == "url":
        url = raw if "://" in raw else f"https://{raw}"
        try:
            URLValidator()(url)
        except ValidationError:
            return None, _("%(field)s is not a web address: “%(value)s”") % {
                "field": label,
                "value": raw,
            }
        return url, None
    if spec.kind == "choice":
        assert spec.choices is not None
        value = resolver.choice(spec.choices, raw)
        if value is None:
            return None, _("unknown %(field)s: “%(value)s”") % {"field": label, "value": raw}
        return value, None
    if spec.kind == "choices":
        assert spec.choices is not None
        values, unknown = [], []
        for part in split_list(raw):
            value = resolver.choice(spec.choices, part)
            if value is None:
                unknown.append(part)
            elif value not in values:
                values.append(value)
        if unknown:
            return None, _("unknown %(field)s: %(values)s") % {
                "field": label,
                "values": join_items(unknown),
            }
        return values, None
    if spec.kind in ("terms", "term"):
        ids, unknown = resolver.term_ids(spec.schemes, raw)
        if unknown:
            return None, _("unknown %(field)s: %(values)s") % {
                "field": label,
                "values": join_items(unknown),
            }
        if spec.kind == "term":
            return (ids[0] if ids else None), None
        return ids, None
    if spec.kind == "org":
        ids = resolver.orgs.find_exact([raw])
        chosen = resolver.demo_choice(ids) if len(ids) > 1 and demo_row else None
        ids = [chosen] if chosen is not None else ids
        if len(ids) == 1:
            return ids[0], None
        if len(ids) > 1:
            return None, _("%(field)s “%(value)s” matches several organizations") % {
                "field": label,
                "value": raw,
            }
        near = resolver.orgs.find_similar([raw])
        if near is not None:
            return None, _("unknown %(field)s “%(value)s” (did you mean “%(near)s”?)") % {
                "field": label,
                "value": raw,
                "near": near.label,
            }
        return None, _("unknown %(field)s: “%(value)s”") % {"field": label, "value": raw}
    raise AssertionError(spec.kind)


def _clean_number_or_date(spec: Spec, raw: str) -> tuple[Any, str | None]:
    value: Any
    try:
        if spec.kind == "date":
            return date.fromisoformat(raw[:10]), None
        value = Decimal(raw.replace(",", "")) if spec.kind == "decimal" else float(raw)
    except (ValueError, InvalidOperation):
        value = None
    finite = isinstance(value, Decimal) and value.is_finite()
    if not finite and not (isinstance(value, float) and math.isfinite(value)):  # nan, inf
        if spec.kind == "date":
            return None, _("%(field)s is not a date (YYYY-MM-DD): “%(value)s”") % {
                "field": str(spec.label),
                "value": raw,
            }
        return None, _("%(field)s is not a number: “%(value)s”") % {
            "field": str(spec.label),
            "value": raw,
        }
    return value, None


def clean_row(
    kind: str, mapping: list[str], cells: list[str], resolver: Resolver
) -> tuple[dict[str, Any], list[str]]:
    """Field values of one row (only the mapped, non-empty cells) and the reasons it is bad."""
    specs = {spec.key: spec for spec in FIELDS[kind]}
    values: dict[str, Any] = {}
    reasons: list[str] = []
    bad: set[str] = set()
    flag = mapping.index("is_demo") if "is_demo" in mapping else len(cells)
    demo_row = flag < len(cells) and cells[flag].strip().lower() in _TRUE
    for column, key in enumerate(mapping):
        if not key or column >= len(cells):
            continue
        raw = cells[column].strip()
        spec = specs[key]
        if not raw:
            continue
        char = control_chars.find(raw)
        if char is not None:  # never saved: it hides in the text and breaks .xlsx exports
            reasons.append(control_chars.row_reason(str(spec.label), char))
            bad.add(key)
            continue
        value, reason = _clean_value(spec, raw, resolver, demo_row)
        if reason:
            reasons.append(reason)
            bad.add(key)
        else:
            values[key] = value
    for group in REQUIRED_GROUPS[kind]:
        if bad.intersection(group):
            continue
        if not any(values.get(g) not in (None, "", []) for g in group):
            names = " / ".join(str(specs[g].label) for g in group)
            reasons.append(_("%(field)s is required") % {"field": names})
    return values, reasons
