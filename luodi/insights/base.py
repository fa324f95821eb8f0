"""Shared pieces of the insights aggregates: the Chart shape, the scope of each role,
small-group suppression and date helpers. See `queries.py` for the rules."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Q,
    QuerySet,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from luodi.accounts.rules import AnyUser
from luodi.catalog.choices import Disclosure
from luodi.insights import rules
from luodi.pipeline.models import Project

MIN_GROUP = 3
TREND_MONTHS = 12
CONFIDENTIAL = Q(achievement__disclosure=Disclosure.CONFIDENTIAL)


@dataclass
class Chart:
    """One chart's data: the table behind it and how to draw it."""

    key: str
    title: str
    kind: str  # funnel | bar | line | pie | kpi
    columns: list[tuple[str, str]]  # (key, label)
    rows: list[dict[str, Any]]
    x: str = ""
    series: list[str] = field(default_factory=list)
    drill: str = ""  # the row key whose value filters the project list on click
    y2: list[str] = field(default_factory=list)  # series drawn against a right-hand axis
    note: str = ""

    @property
    def has_data(self) -> bool:
        """Whether any series has a non-zero value. An all-zero pie or funnel would still be
        drawn as equal slices or steps, which reads as data that is not there."""
        return any(row.get(k) not in (None, 0) for row in self.rows for k in self.series)

    def cells(self) -> list[list[Any]]:
        """The table view: one list per row, suppressed values named, missing ones dashed."""
        out = []
        for row in self.rows:
            hidden = row.get("suppressed", False)
            out.append(
                [
                    (_("suppressed") if hidden else "—") if row.get(k) is None else row[k]
                    for k, _label in self.columns
                ]
            )
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "kind": self.kind,
            "columns": [{"key": k, "label": label} for k, label in self.columns],
            "rows": self.rows,
            "x": self.x,
            "series": self.series,
            "drill": self.drill,
            "y2": self.y2,
            "note": self.note,
        }


# -- scope ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """A narrowing of the numbers to one park or one therapeutic area (reports use it).

    It only ever narrows what the user's role sees: every query starts from the role's
    queryset and then applies the scope. `insights.scope` builds and validates them.
    """

    kind: str = "all"  # all | park | area
    park_id: int | None = None
    area_ids: tuple[int, ...] = ()  # the chosen area term and every term below it
    label: str = ""

    @property
    def is_all(self) -> bool:
        return self.kind == "all"


EVERYTHING = Scope()


def aggregate_only(user: AnyUser) -> bool:
    """Viewers see numbers, never the rows behind them."""
    return bool(rules.sees_numbers_only(user))


def scope_projects(user: AnyUser, scope: Scope = EVERYTHING) -> QuerySet[Project]:
    """Live projects the numbers are computed over (see the module docstring for viewers).

    A park scope keeps projects landed in or aimed at the park; an area scope keeps projects
    whose achievement is in the area. Subqueries, not joins, so rows are never duplicated.
    """
    qs = rules.projects_counted_for(user).filter(archived_at__isnull=True)
    if scope.kind == "park":
        qs = qs.filter(Q(landing__park_id=scope.park_id) | Q(target_park_id=scope.park_id))
    elif scope.kind == "area":
        in_area = Project.objects.filter(achievement__therapeutic_areas__in=scope.area_ids)
        qs = qs.filter(pk__in=in_area.values("pk"))
    return qs


def is_suppressed(user: AnyUser, n: int, confidential: int) -> bool:
    return aggregate_only(user) and 0 < n < MIN_GROUP and confidential > 0


def plain_number(value: Any) -> Any:
    """A Decimal as a JSON number: whole amounts as integers ("4500", not "4500.0" in the
    table view, the CSV and the PDF), others as floats."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def percentile(values: list[float], p: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default); None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * p
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def to_days(delta: timedelta) -> float:
    return round(delta.total_seconds() / 86400, 1)


def tidy_days(value: float | None) -> float | int | None:
    """A day count as people write it: 320, not 320.0 (tables, PDF and Excel print the value
    as it is); one decimal only where a median or percentile falls between days."""
    if value is None:
        return None
    value = round(value, 1)
    return int(value) if value == int(value) else value


def month_key(value: datetime | date) -> str:
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value.year:04d}-{value.month:02d}"


def last_months(today: date, n: int = TREND_MONTHS) -> list[str]:
    year, month, out = today.year, today.month, []
    for _i in range(n):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def grouped(qs: QuerySet[Any], fields: list[str], order: list[str], **sums: Any) -> list[Any]:
    """`qs.values(*fields).annotate(**sums)` as plain dicts (typed loosely on purpose)."""
    rows: Any = qs.values(*fields).annotate(**sums).order_by(*order)
    return list(rows)


def is_english() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "zh-hans").startswith("en")
