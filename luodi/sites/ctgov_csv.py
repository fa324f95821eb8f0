"""Parse ClinicalTrials.gov CSV exports (old "Rank,NCT Number,Title,..." and current
"NCT Number,Study Title,...") into plain dataclasses. No Django: this is the one CT.gov reader;
the site ranker reads files with `read_trials`, the catalog importer (luodi.ingest.ctgov)
reads uploaded text with `Export(...).records(...)` and maps the records to the ORM.

Odd rows (wrong column count, no NCT id, duplicates) are skipped and reported as `Problem`s,
because real exports contain them and one bad row must not lose a whole file; `read_trials`
words them for `warn` (stderr by default), the importer in its users' language. Unreadable
CSV raises `CsvError` from `records` (`read_trials` reports it and keeps what was read).
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

__all__ = [
    "CsvError",
    "Export",
    "ParseReport",
    "Problem",
    "Record",
    "Trial",
    "describe",
    "parse_date",
    "read_trials",
    "split_multi",
]

# Header aliases per canonical field: first the current export's name, then the old one.
_COLUMNS: dict[str, tuple[str, ...]] = {
    "nct_id": ("NCT Number", "NCT ID", "nct_id"),
    "title": ("Study Title", "Title", "Brief Title"),
    "summary": ("Brief Summary", "Summary"),
    "conditions": ("Conditions",),
    "interventions": ("Interventions",),
    "phases": ("Phases", "Phase"),
    "sponsor": ("Sponsor", "Lead Sponsor"),
    "sponsor_collaborators": ("Sponsor/Collaborators",),
    "collaborators": ("Collaborators",),
    "locations": ("Locations",),
    "start_date": ("Start Date",),
    "study_type": ("Study Type",),
    # Not used by the ranker; the importer stores them.
    "status": ("Study Status", "Status"),
    "funder_type": ("Funder Type", "Funded Bys"),
}
_NCT = re.compile(r"^NCT\d{8}$")
_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m", "%B %d, %Y", "%B %Y", "%b %d, %Y", "%b %Y", "%Y")


@dataclass(frozen=True)
class Trial:
    """One study. `locations` are raw `Facility, City, [State,] [Zip,] Country` entries."""

    nct_id: str
    title: str = ""
    summary: str = ""
    conditions: tuple[str, ...] = ()
    interventions: tuple[str, ...] = ()
    phases: tuple[str, ...] = ()
    sponsor: str = ""
    collaborators: tuple[str, ...] = ()
    locations: tuple[str, ...] = ()
    start_date: date | None = None
    study_type: str = ""
    # Countries the study is planned in, as known before its sites are chosen (a sponsor
    # planning a study knows them; an export only has them through `locations`, which the
    # ranker never reads, so exports leave this empty).
    countries: tuple[str, ...] = ()


@dataclass
class ParseReport:
    path: str
    format: str = "unknown"
    rows: int = 0
    trials: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)


def split_multi(value: str) -> tuple[str, ...]:
    """Split a `|`-joined multi-value cell, dropping blanks."""
    return tuple(p.strip() for p in value.split("|") if p.strip())


def parse_date(value: str) -> date | None:
    """Both exports' date styles: `2025-05-09`, `2025-05`, `April 15, 2020`, `May 2020`.

    Month-only dates map to the 1st, which is what CT.gov itself does when sorting.
    """
    value = value.strip()
    if not value:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def _phases(value: str) -> tuple[str, ...]:
    # "Phase 2|Phase 3" (old) and "PHASE2|PHASE3" (current) -> ("phase2", "phase3").
    out = []
    for p in split_multi(value):
        norm = re.sub(r"[^a-z0-9]", "", p.lower())
        if norm and norm not in {"na", "notapplicable"}:
            out.append(norm)
    return tuple(out)


def _resolve(header: list[str]) -> dict[str, int]:
    index = {h.strip().lstrip("\ufeff"): i for i, h in enumerate(header)}
    found: dict[str, int] = {}
    for name, aliases in _COLUMNS.items():
        for alias in aliases:
            if alias in index:
                found[name] = index[alias]
                break
    return found


class CsvError(Exception):
    """The csv module could not read on (a malformed quote, an oversized field)."""

    def __init__(self, line: int, error: csv.Error) -> None:
        super().__init__(str(error))
        self.line = line
        self.error = error


@dataclass(frozen=True)
class Problem:
    """A skipped row. `kind`: "width" (`value` columns, `other` expected), "no_id" (empty NCT
    cell), "bad_id" (`value` the cell), "duplicate" (`value` the id, first listed on line
    `other`) or "rejected" (the caller's `check` said `value`)."""

    line: int
    kind: str
    value: str = ""
    other: int = 0


@dataclass(frozen=True)
class Record:
    """One accepted row: its line (the header is line 1, each CSV row one more), the study,
    every canonical field's stripped cell ("" when the column is absent) and the raw cells by
    header, for callers that store fields the ranker does not read or check the raw text."""

    line: int
    trial: Trial
    cells: dict[str, str]
    raw: dict[str, str]


class Export:
    """A CT.gov export read from lines (a file opened with newline="", or io.StringIO)."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._reader = csv.reader(lines)
        self.rows = 0  # rows read after the header, blank and skipped ones included
        header = self._next()
        self.empty = header is None
        self.header = [h.strip().lstrip("\ufeff") for h in header or []]
        self.columns = _resolve(self.header)
        self.format = "current" if "Study Title" in self.header else "old"

    def _next(self) -> list[str] | None:
        try:
            return next(self._reader)
        except StopIteration:
            return None
        except csv.Error as exc:
            # The csv module cannot resynchronise reliably after a malformed quote.
            raise CsvError(self._reader.line_num, exc) from exc

    def records(
        self,
        problem: Callable[[Problem], None],
        check: Callable[[Record], str | None] | None = None,
    ) -> Iterator[Record]:
        """Accepted rows; each skipped one goes to `problem`. Blank rows are ignored. `check`
        may reject a row (its reason becomes a "rejected" problem); a rejected row's id does
        not count as listed. Only `NCT Number` is required (see `read_trials`)."""
        cols = self.columns
        width = len(self.header)
        first_line: dict[str, int] = {}
        line = 1

        def cell(row: list[str], name: str) -> str:
            i = cols.get(name)
            return row[i].strip() if i is not None and i < len(row) else ""

        while (row := self._next()) is not None:
            line += 1
            self.rows += 1
            if not any(c.strip() for c in row):
                continue
            if len(row) != width:
                problem(Problem(line, "width", str(len(row)), width))
                continue
            raw_id = cell(row, "nct_id")
            nct = raw_id.upper()
            if not raw_id:
                problem(Problem(line, "no_id"))
                continue
            if not _NCT.match(nct):
                problem(Problem(line, "bad_id", raw_id))
                continue
            if nct in first_line:
                problem(Problem(line, "duplicate", nct, first_line[nct]))
                continue
            sponsor = cell(row, "sponsor")
            collaborators = split_multi(cell(row, "collaborators"))
            if "sponsor_collaborators" in cols and not sponsor:
                # Old format: lead sponsor first, collaborators after it.
                orgs = split_multi(cell(row, "sponsor_collaborators"))
                sponsor = orgs[0] if orgs else ""
                collaborators = collaborators or orgs[1:]
            trial = Trial(
                nct_id=nct,
                title=cell(row, "title"),
                summary=cell(row, "summary"),
                conditions=split_multi(cell(row, "conditions")),
                interventions=split_multi(cell(row, "interventions")),
                phases=_phases(cell(row, "phases")),
                sponsor=sponsor,
                collaborators=collaborators,
                locations=split_multi(cell(row, "locations")),
                start_date=parse_date(cell(row, "start_date")),
                study_type=cell(row, "study_type"),
            )
            record = Record(
                line=line,
                trial=trial,
                cells={name: cell(row, name) for name in _COLUMNS},
                raw=dict(zip(self.header, row, strict=True)),
            )
            reason = check(record) if check is not None else None
            if reason is not None:
                problem(Problem(line, "rejected", reason))
                continue
            first_line[nct] = line
            yield record


def describe(problem: Problem, path: str) -> str:
    """A problem as `read_trials` reports it."""
    where = f"{path}: row {problem.line}"
    if problem.kind == "width":
        return f"{where}: {problem.value} columns, expected {problem.other}; skipped"
    if problem.kind in {"no_id", "bad_id"}:
        return f"{where}: no valid NCT number ({problem.value.upper()[:20]!r}); skipped"
    if problem.kind == "duplicate":
        return f"{where}: duplicate {problem.value}; skipped"
    return f"{where}: {problem.value}; skipped"


def read_trials(
    path: str | Path,
    warn: Callable[[str], None] | None = None,
    report: ParseReport | None = None,
) -> list[Trial]:
    """Read either export format. Unknown extra columns are ignored; missing optional columns
    give empty fields; only `NCT Number` is required."""
    warn = warn or (lambda msg: print(msg, file=sys.stderr))
    report = report if report is not None else ParseReport(path=str(path))
    csv.field_size_limit(1 << 30)
    trials: list[Trial] = []

    def skipped(problem: Problem) -> None:
        report.skipped += 1
        msg = describe(problem, str(path))
        report.problems.append(msg)
        warn(msg)

    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        try:
            export = Export(fh)
            if export.empty:
                warn(f"{path}: empty file")
                return trials
            if "nct_id" not in export.columns:
                msg = f"{path}: no 'NCT Number' column; header was {export.header[:6]}..."
                report.problems.append(msg)
                warn(msg)
                return trials
            report.format = export.format
            try:
                for record in export.records(skipped):
                    trials.append(record.trial)
            finally:
                report.rows = export.rows
        except CsvError as exc:
            # Keep what was read so far rather than failing the whole file.
            msg = f"{path}: CSV error near line {exc.line}: {exc.error}; stopping"
            report.problems.append(msg)
            warn(msg)
    report.trials = len(trials)
    return trials
