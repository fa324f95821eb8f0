"""The outcome of an import run: counts, rejected rows and possible duplicates.

`as_dict()` is the JSON shape shared by the CLI (last stdout line), the API and the pages:
`{"created", "updated", "skipped", "errors": [{"line", "reason"}], ...}`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

RECORD_LABELS: dict[str, Promise] = {
    "organization": _("Organizations"),
    "person": _("People"),
    "achievement": _("Achievements"),
    "clinical_need": _("Clinical needs"),
    "trial": _("Trials"),
    "trial_site": _("Trial sites"),
}
# Counted outcomes; not "created"/"updated", which elsewhere name date columns (创建时间).
OUTCOME_LABELS: dict[str, Promise] = {
    "created": _("added"),
    "updated": _("changed"),
    "unchanged": _("unchanged"),
    "duplicate": _("possible duplicates"),
}

Outcome = Literal["created", "updated", "unchanged", "duplicate"]


@dataclass
class RowError:
    line: int
    reason: str


@dataclass
class Duplicate:
    line: int
    name: str
    existing_id: int | None
    existing: str
    reason: str


@dataclass
class Summary:
    """Counts are of records of every kind (organizations, trials, sites…)."""

    kind: str
    dry_run: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    by_kind: dict[str, dict[str, int]] = field(default_factory=dict)
    refused: bool = False  # "all or nothing" asked while some rows were bad: nothing written

    def count(self, record_kind: str, outcome: str, n: int = 1) -> None:
        if n <= 0:
            return
        bucket = self.by_kind.setdefault(record_kind, {})
        bucket[outcome] = bucket.get(outcome, 0) + n
        if outcome == "created":
            self.created += n
        elif outcome == "updated":
            self.updated += n
        else:
            self.skipped += n

    def error(self, line: int, reason: str) -> None:
        self.errors.append(RowError(line, reason))

    @property
    def good_rows(self) -> int:
        return self.rows - len({e.line for e in self.errors})

    def refuse(self) -> None:
        """Nothing was written: every row counts as skipped."""
        self.refused = True
        self.created = self.updated = 0
        self.skipped = self.good_rows
        self.by_kind = {}

    def labelled_counts(self) -> list[tuple[str, list[tuple[str, int]]]]:
        """by_kind with translated labels, for pages."""
        return [
            (
                str(RECORD_LABELS.get(kind, kind)),
                [(str(OUTCOME_LABELS.get(o, o)), n) for o, n in counts.items()],
            )
            for kind, counts in self.by_kind.items()
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "dry_run": self.dry_run,
            "refused": self.refused,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "skipped": self.skipped,
            "errors": [{"line": e.line, "reason": e.reason} for e in self.errors],
            "duplicates": [
                {
                    "line": d.line,
                    "name": d.name,
                    "existing_id": d.existing_id,
                    "existing": d.existing,
                    "reason": d.reason,
                }
                for d in self.duplicates
            ],
            "by_kind": self.by_kind,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Summary:
        """The inverse of `as_dict` (an import run stores its result as these fields)."""
        return cls(
            kind=data["kind"],
            dry_run=bool(data.get("dry_run", False)),
            rows=int(data.get("rows", 0)),
            created=int(data.get("created", 0)),
            updated=int(data.get("updated", 0)),
            skipped=int(data.get("skipped", 0)),
            errors=[RowError(int(e["line"]), str(e["reason"])) for e in data.get("errors", [])],
            duplicates=[
                Duplicate(
                    int(d["line"]), d["name"], d.get("existing_id"), d["existing"], d["reason"]
                )
                for d in data.get("duplicates", [])
            ],
            by_kind={k: dict(v) for k, v in (data.get("by_kind") or {}).items()},
            refused=bool(data.get("refused", False)),
        )

    def audit_changes(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "skipped": self.skipped,
            "errors": len(self.errors),
            "by_kind": self.by_kind,
        }
