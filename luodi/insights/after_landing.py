"""After-landing facts and the charts by month, by person, by therapeutic area and by
industry-chain segment: `Followed` (one followed project) and `Facts` (what
`insights.landing_kpis.collect` reads for a period), the helpers that group and add them up,
and the per-person query. `insights.landing_kpis` builds on this module, never the other way:
it reads the facts, draws the per-park charts and assembles them all."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from luodi.accounts.rules import AnyUser
from luodi.aftercare.choices import M2_PER_MU
from luodi.catalog.choices import ChainSegment
from luodi.insights import rules
from luodi.insights.base import (
    EVERYTHING,
    Chart,
    Scope,
    is_suppressed,
    plain_number,
    scope_projects,
)
from luodi.insights.layout import area_roots
from luodi.pipeline.choices import FINAL_STAGES, MAIN_PATH, ProjectStage
from luodi.pipeline.models import Project, StageTransition
from luodi.pipeline.request_models import RequestStatus

ZERO = Decimal(0)


# -- the facts and how they add up -------------------------------------------------------------


@dataclass
class Followed:
    """One followed (landed) project: what the charts group and add up."""

    pk: int
    stage: str
    park_id: int | None
    park: str
    confidential: bool
    promised: Decimal
    landing_area: int
    segment: str | None
    landed_at: date | None = None
    top_milestone: int = -1  # index into MILESTONE_ORDER reached by the end, -1 none
    capital_total: Decimal = ZERO  # arrived up to the end
    capital: Decimal = ZERO  # arrived in the period
    output: Decimal = ZERO
    tax: Decimal = ZERO
    area: int | None = None  # latest reported floor area up to the end
    applied: Decimal = ZERO
    approved: Decimal = ZERO
    paid: Decimal = ZERO

    @property
    def producing(self) -> bool:
        return self.stage == ProjectStage.IN_PRODUCTION

    @property
    def area_used(self) -> int:
        return self.area if self.area is not None else self.landing_area


@dataclass
class Facts:
    start: date
    end: date
    projects: dict[int, Followed]
    signed: dict[int | None, list[bool]]  # park → confidential flag per signed project
    park_names: dict[int | None, str]
    milestones: list[tuple[int, str, date]]  # reached in the period
    area_months: dict[int, dict[str, int]]  # project → month → floor area reported
    requests_raised: int = 0
    requests_solved: int = 0
    staff_rows: list[dict[str, Any]] = field(default_factory=list)


def aware(day: date, end: bool = False) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max if end else time.min))


_FORWARD = {stage: i for i, stage in enumerate(MAIN_PATH)} | {
    s: len(MAIN_PATH) for s in FINAL_STAGES
}


def is_forward(from_stage: str, to_stage: str) -> bool:
    """A step on along the main path (a resumed pause, a step back or a loss is not)."""
    if from_stage not in _FORWARD or to_stage not in _FORWARD:
        return False
    return _FORWARD[to_stage] > _FORWARD[from_stage]


def _mu(area_m2: float) -> Decimal:
    return Decimal(str(area_m2)) / Decimal(str(M2_PER_MU))


def per_mu(amount: Decimal, area_m2: int) -> Decimal | None:
    """An amount per mu of floor area (None without area), to two decimals."""
    if not area_m2:
        return None
    return (amount / _mu(area_m2)).quantize(Decimal("0.01"))


def num(value: Any) -> Any:
    return plain_number(value.quantize(Decimal("0.01"))) if isinstance(value, Decimal) else value


def group_rows(
    user: AnyUser,
    groups: dict[Any, list[Followed]],
    labels: dict[Any, str],
    values: Any,
    extra: dict[Any, list[bool]] | None = None,
) -> list[dict[str, Any]]:
    """One row per group: `values(projects)` as numbers, None for a suppressed group."""
    rows = []
    keys = list(groups) + [k for k in (extra or {}) if k not in groups]
    for key in keys:
        items = groups.get(key, [])
        flags = [p.confidential for p in items] + list((extra or {}).get(key, []))
        hidden = is_suppressed(user, len(flags), sum(flags))
        numbers = values(items, key)
        rows.append(
            {
                "id": key,
                "label": labels.get(key) or _("No park"),
                **{k: None if hidden else num(v) for k, v in numbers.items()},
                "suppressed": hidden,
            }
        )
    rows.sort(key=lambda r: (r["id"] is None, r["label"]))
    return rows


def by_park(facts: Facts) -> dict[int | None, list[Followed]]:
    groups: dict[int | None, list[Followed]] = defaultdict(list)
    for p in facts.projects.values():
        groups[p.park_id].append(p)
    return groups


def money_row(items: list[Followed]) -> dict[str, Any]:
    output = sum((p.output for p in items), ZERO)
    tax = sum((p.tax for p in items), ZERO)
    area = sum(p.area_used for p in items)
    return {
        "landed": len(items),
        "promised": sum((p.promised for p in items), ZERO),
        "arrived": sum((p.capital_total for p in items), ZERO),
        "output": output,
        "tax": tax,
        "area_mu": _mu(area).quantize(Decimal("0.01")) if area else ZERO,
        "output_per_mu": per_mu(output, area),
        "tax_per_mu": per_mu(tax, area),
    }


# -- per person, by month, by area and by segment ----------------------------------------------


def people(user: AnyUser, scope: Scope, start: date, end: date) -> list[dict[str, Any]]:
    """Per person: projects advanced, landings of the projects they follow, company requests
    they solved and the median days it took (2 queries)."""
    from luodi.pipeline.rules import requests_visible_to

    rows: dict[int, dict[str, Any]] = {}

    def row(pk: int, display: str, username: str) -> dict[str, Any]:
        return rows.setdefault(
            pk,
            {
                "id": pk,
                "person": display or username,
                "advanced": set(),
                "landings": set(),
                "days": [],
            },
        )

    moves = StageTransition.objects.filter(
        project__in=scope_projects(user, scope),
        created_at__gte=aware(start),
        created_at__lte=aware(end, True),
    ).values_list(
        "project_id",
        "from_stage",
        "to_stage",
        "actor_id",
        "actor__display_name",
        "actor__username",
        "project__staff_id",
        "project__staff__display_name",
        "project__staff__username",
    )
    for pid, frm, to, actor, a_name, a_user, staff, s_name, s_user in moves:
        if actor is not None and is_forward(frm, to):
            row(actor, a_name, a_user)["advanced"].add(pid)
        if staff is not None and to == ProjectStage.LANDED:
            row(staff, s_name, s_user)["landings"].add(pid)
    solved = (
        requests_visible_to(user)
        .filter(
            project__in=scope_projects(user, scope),
            status=RequestStatus.RESOLVED,
            resolved_at__gte=aware(start),
            resolved_at__lte=aware(end, True),
        )
        .values_list(
            "owner_id", "owner__display_name", "owner__username", "raised_on", "resolved_at"
        )
    )
    for owner, o_name, o_user, raised_on, resolved_at in solved:
        days = (timezone.localtime(resolved_at).date() - raised_on).days
        row(owner, o_name, o_user)["days"].append(days)
    out = []
    for r in rows.values():
        days = r.pop("days")
        out.append(
            {
                **r,
                "advanced": len(r["advanced"]),
                "landings": len(r["landings"]),
                "solved": len(days),
                "median_days": plain_number(Decimal(str(statistics.median(days))))
                if days
                else None,
            }
        )
    out.sort(key=lambda r: (-(r["advanced"] + r["landings"] + r["solved"]), r["person"]))
    return out


def _months(start: date, end: date, limit: int = 24) -> list[str]:
    out, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return out[-limit:]


def area_by_month(user: AnyUser, facts: Facts) -> Chart:
    """Floor area used in each park at each month's end: each project's latest reported
    area carried forward (the landing's area before its first report)."""
    months = _months(facts.start, facts.end)
    groups = by_park(facts)
    series: list[str] = []
    columns: list[tuple[str, str]] = [("month", _("Month"))]
    hidden_parks = set()
    for park_id, items in sorted(groups.items(), key=lambda kv: facts.park_names.get(kv[0], "")):
        key = f"park_{park_id or 0}"
        series.append(key)
        columns.append((key, f"{facts.park_names.get(park_id) or _('No park')} (m²)"))
        flags = [p.confidential for p in items]
        if is_suppressed(user, len(flags), sum(flags)):
            hidden_parks.add(key)
    rows = []
    for month in months:
        row: dict[str, Any] = {"month": month, "suppressed": False}
        for park_id, items in groups.items():
            key = f"park_{park_id or 0}"
            total = 0
            for p in items:
                if p.landed_at and f"{p.landed_at:%Y-%m}" > month:
                    continue
                reported = [
                    v for m, v in sorted(facts.area_months.get(p.pk, {}).items()) if m <= month
                ]
                total += reported[-1] if reported else p.landing_area
            row[key] = None if key in hidden_parks else total
            row["suppressed"] = row["suppressed"] or key in hidden_parks
        rows.append(row)
    return Chart(
        "area_by_month",
        _("Floor area used by park, by month"),
        "line",
        columns,
        rows,
        x="month",
        series=series,
    )


def by_staff(user: AnyUser, facts: Facts) -> Chart:
    return Chart(
        "by_staff",
        _("Follow-through by person"),
        "bar",
        [
            ("person", _("Person")),
            ("advanced", _("Projects advanced")),
            ("landings", _("Landings")),
            ("solved", _("Company requests solved")),
            ("median_days", _("Median days to solve")),
        ],
        facts.staff_rows,
        x="person",
        series=["advanced", "landings", "solved"],
        note="" if rules.sees_people(user) else _("Not shown to your role: it names people."),
    )


def _money_values(items: list[Followed], _key: Any) -> dict[str, Any]:
    m = money_row(items)
    return {k: m[k] for k in ("landed", "promised", "arrived", "output")}


def _money_columns(first: str) -> list[tuple[str, str]]:
    return [
        ("label", first),
        ("landed", _("Landed projects")),
        ("promised", _("Investment promised (10k CNY)")),
        ("arrived", _("Capital arrived to date (10k CNY)")),
        ("output", _("Output in the period (10k CNY)")),
    ]


def by_area(user: AnyUser, facts: Facts, scope: Scope = EVERYTHING) -> Chart:
    """Per top-level therapeutic area; a project counts once per area (2 queries)."""
    roots = area_roots()
    groups: dict[int | None, list[Followed]] = defaultdict(list)
    seen: set[tuple[int | None, int]] = set()
    terms = Project.objects.filter(pk__in=list(facts.projects)).values_list(
        "pk", "achievement__therapeutic_areas"
    )
    for pk, term in terms:
        if scope.kind == "area" and (term is None or term not in scope.area_ids):
            continue
        root = roots[term][0] if term in roots else None
        if (root, pk) not in seen:
            seen.add((root, pk))
            groups[root].append(facts.projects[pk])
    labels: dict[Any, str] = {pk: label for pk, label in roots.values()}
    labels[None] = _("Unclassified")
    return Chart(
        "by_area",
        _("After landing by therapeutic area"),
        "bar",
        _money_columns(_("Therapeutic area")),
        group_rows(user, groups, labels, _money_values),
        x="label",
        series=["promised", "arrived", "output"],
    )


def by_segment(user: AnyUser, facts: Facts) -> Chart:
    groups: dict[str | None, list[Followed]] = defaultdict(list)
    for p in facts.projects.values():
        groups[p.segment].append(p)
    labels: dict[Any, str] = {s.value: str(s.label) for s in ChainSegment}
    labels[None] = _("Unclassified")
    return Chart(
        "by_segment",
        _("After landing by industry-chain segment"),
        "bar",
        _money_columns(_("Industry-chain segment")),
        group_rows(user, groups, labels, _money_values),
        x="label",
        series=["promised", "arrived", "output"],
        note=_("A company counts in the first of its industry-chain segments."),
    )
