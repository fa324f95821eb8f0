"""Parse ClinicalTrials.gov CSV exports (old "Rank,NCT Number,Title,..." and current
"NCT Number,Study Title,...") into plain dataclasses. No Django: the importer elsewhere and the
site ranker both build on this.

Odd rows (wrong column count, no NCT id, duplicates, unreadable CSV) are reported through
`warn` (stderr by default) and skipped, because real exports contain them and one bad row must
not lose a whole file.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

__all__ = ["ParseReport", "Trial", "parse_date", "read_trials", "split_multi"]

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


def _rows(
    lines: Iterable[str], report: ParseReport, warn: Callable[[str], None]
) -> Iterator[list[str]]:
    reader = csv.reader(lines)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # The csv module cannot resynchronise reliably after a malformed quote; report and
            # keep what was read so far rather than failing the whole file.
            msg = f"{report.path}: CSV error near line {reader.line_num}: {exc}; stopping"
            report.problems.append(msg)
            warn(msg)
            return
        yield row


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
    seen: set[str] = set()
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        rows = _rows(fh, report, warn)
        header = next(rows, None)
        if header is None:
            warn(f"{path}: empty file")
            return trials
        cols = _resolve(header)
        if "nct_id" not in cols:
            msg = f"{path}: no 'NCT Number' column; header was {header[:6]}..."
            report.problems.append(msg)
            warn(msg)
            return trials
        report.format = "current" if "Study Title" in header else "old"
        width = len(header)

        def cell(row: list[str], name: str) -> str:
            i = cols.get(name)
            return row[i].strip() if i is not None and i < len(row) else ""

        for row in rows:
            report.rows += 1
            line = report.rows + 1
            if not any(c.strip() for c in row):
                continue
            if len(row) != width:
                report.skipped += 1
                msg = f"{path}: row {line}: {len(row)} columns, expected {width}; skipped"
                report.problems.append(msg)
                warn(msg)
                continue
            nct = cell(row, "nct_id").upper()
            if not _NCT.match(nct):
                report.skipped += 1
                msg = f"{path}: row {line}: no valid NCT number ({nct[:20]!r}); skipped"
                report.problems.append(msg)
                warn(msg)
                continue
            if nct in seen:
                report.skipped += 1
                msg = f"{path}: row {line}: duplicate {nct}; skipped"
                report.problems.append(msg)
                warn(msg)
                continue
            seen.add(nct)
            sponsor = cell(row, "sponsor")
            collaborators = split_multi(cell(row, "collaborators"))
            if "sponsor_collaborators" in cols and not sponsor:
                # Old format: lead sponsor first, collaborators after it.
                orgs = split_multi(cell(row, "sponsor_collaborators"))
                sponsor = orgs[0] if orgs else ""
                collaborators = collaborators or orgs[1:]
            trials.append(
                Trial(
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
            )
    report.trials = len(trials)
    return trials
