"""After-landing charts by month, by person, by therapeutic area and by industry-chain
segment (the per-park ones and the facts they share are in `insights.landing_kpis`)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from luodi.accounts.rules import AnyUser, is_viewer
from luodi.catalog.choices import ChainSegment
from luodi.insights.base import (
    EVERYTHING,
    Chart,
    Scope,
    is_suppressed,
    plain_number,
    scope_projects,
)
from luodi.insights.landing_kpis import (
    Facts,
    Followed,
    aware,
    by_park,
    group_rows,
    is_forward,
    money_row,
)
from luodi.insights.layout import area_roots
from luodi.pipeline.choices import ProjectStage
from luodi.pipeline.models import Project, StageTransition
from luodi.pipeline.request_models import RequestStatus


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
        note=_("Not shown to your role: it names people.") if is_viewer(user) else "",
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
