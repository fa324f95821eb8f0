"""Every aggregate the dashboards, the API and the reports show.

Rules kept here, once:
- Each section starts from a `*_visible_to(user)` queryset. A viewer (government) sees no
  projects through `projects_visible_to`, so for viewers the aggregates run over the whole
  portfolio but the result carries numbers and group labels only, never a project title.
- A viewer's group (a funnel stage, a park, an area, a month) with fewer than
  `MIN_GROUP` projects that contains a confidential achievement is suppressed: its numbers
  become None and `suppressed` is True.
- Each section runs a fixed number of queries whatever the data size (tests guard it).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from luodi.accounts.rules import AnyUser
from luodi.catalog.choices import Disclosure
from luodi.catalog.models import Carrier
from luodi.insights import rules
from luodi.insights.activity import (
    activity,
    matchmaking,
    overdue_by_owner,
    upcoming_events,
    upcoming_events_between,
)
from luodi.insights.base import (
    CONFIDENTIAL,
    EVERYTHING,
    Chart,
    Scope,
    aggregate_only,
    grouped,
    is_english,
    is_suppressed,
    last_months,
    month_key,
    percentile,
    plain_number,
    scope_projects,
    tidy_days,
    to_days,
)
from luodi.insights.layout import area_roots
from luodi.pipeline.choices import (
    FINAL_STAGES,
    MAIN_PATH,
    ProjectStage,
)
from luodi.pipeline.models import LandingRecord, Project, StageTransition
from luodi.pipeline.rules import projects_visible_to

__all__ = [
    "Chart",
    "aggregate_only",
    "percentile",
    "scope_projects",
    "upcoming_events",
    "upcoming_events_between",
]


# -- pipeline: funnel, time to landing, time per stage, trend ---------------------------


@dataclass
class History:
    """Per project: start, confidential flag, stages reached and stays (2 queries)."""

    confidential: dict[int, bool]
    start: dict[int, datetime]
    reached: dict[int, int]  # index into MAIN_PATH
    landed_at: dict[int, datetime]
    stays: dict[str, list[tuple[int, float]]]  # stage -> [(project id, days)]


def _reach_index(stage: str) -> int:
    if stage in FINAL_STAGES:
        return MAIN_PATH.index(ProjectStage.LANDED)
    return MAIN_PATH.index(stage) if stage in MAIN_PATH else -1


def project_history(user: AnyUser, scope: Scope = EVERYTHING) -> History:
    projects = scope_projects(user, scope)
    conf_expr = Case(
        When(CONFIDENTIAL, then=Value(True)), default=False, output_field=BooleanField()
    )
    rows = list(projects.annotate(conf=conf_expr).values_list("id", "stage", "created_at", "conf"))
    history = History({}, {}, {}, {}, defaultdict(list))
    for pk, stage, created_at, conf in rows:
        history.confidential[pk] = bool(conf)
        history.start[pk] = created_at
        history.reached[pk] = _reach_index(stage)
    moves = (
        StageTransition.objects.filter(project__in=projects)
        .order_by("project_id", "created_at", "id")
        .values_list("project_id", "to_stage", "created_at")
    )
    previous: tuple[int, str, datetime] | None = None
    for pk, to_stage, at in moves:
        if pk not in history.start:
            continue
        history.start[pk] = min(history.start[pk], at)
        history.reached[pk] = max(history.reached[pk], _reach_index(to_stage))
        if to_stage == ProjectStage.LANDED and pk not in history.landed_at:
            history.landed_at[pk] = at
        if previous is not None and previous[0] == pk:
            history.stays[previous[1]].append((pk, to_days(at - previous[2])))
        previous = (pk, to_stage, at)
    return history


def funnel(user: AnyUser, history: History | None = None) -> Chart:
    h = history or project_history(user)
    rows: list[dict[str, Any]] = []
    first = 0
    prev_n: int | None = None
    for i, stage in enumerate(MAIN_PATH):
        ids = [pk for pk, r in h.reached.items() if r >= i]
        n, conf = len(ids), sum(h.confidential[pk] for pk in ids)
        if i == 0:
            first = n
        hidden = is_suppressed(user, n, conf)
        rows.append(
            {
                "stage": stage,
                "label": str(ProjectStage(stage).label),
                "count": None if hidden else n,
                "rate": None if hidden or not first else round(100 * n / first, 1),
                "step_rate": None if hidden or not prev_n else round(100 * n / prev_n, 1),
                "suppressed": hidden,
            }
        )
        prev_n = n
    return Chart(
        "funnel",
        _("Conversion funnel"),
        "funnel",
        [
            ("label", _("Stage")),
            ("count", _("Projects reaching the stage")),
            ("rate", _("Share of leads (percent)")),
            ("step_rate", _("Share of previous stage (percent)")),
        ],
        rows,
        x="label",
        series=["count"],
        drill="stage",
    )


def time_to_landing(user: AnyUser, history: History | None = None) -> Chart:
    h = history or project_history(user)
    days = [to_days(at - h.start[pk]) for pk, at in h.landed_at.items()]
    conf = sum(h.confidential[pk] for pk in h.landed_at)
    hidden = is_suppressed(user, len(days), conf)
    median = statistics.median(days) if days else None
    p90 = percentile(days, 0.9)
    row = {
        "landed": None if hidden else len(days),
        "median_days": None if hidden else tidy_days(median),
        "p90_days": None if hidden else tidy_days(p90),
        "suppressed": hidden,
    }
    return Chart(
        "time_to_landing",
        _("Time to landing"),
        "kpi",
        [
            ("landed", _("Projects landed")),
            ("median_days", _("Median days to landing")),
            ("p90_days", _("90th percentile days to landing")),
        ],
        [row],
    )


def time_per_stage(user: AnyUser, history: History | None = None) -> Chart:
    h = history or project_history(user)
    rows = []
    for stage in MAIN_PATH[:-1]:
        stays = h.stays.get(stage, [])
        values = [d for _pk, d in stays]
        conf = sum(h.confidential[pk] for pk, _d in stays)
        hidden = is_suppressed(user, len(values), conf)
        p90 = percentile(values, 0.9)
        rows.append(
            {
                "stage": stage,
                "label": str(ProjectStage(stage).label),
                "stays": None if hidden else len(values),
                "median_days": None
                if hidden or not values
                else tidy_days(statistics.median(values)),
                "p90_days": None if hidden else tidy_days(p90),
                "suppressed": hidden,
            }
        )
    return Chart(
        "time_per_stage",
        _("Days in each stage"),
        "bar",
        [
            ("label", _("Stage")),
            ("stays", _("Completed stays")),
            ("median_days", _("Median days")),
            ("p90_days", _("90th percentile days")),
        ],
        rows,
        x="label",
        series=["median_days", "p90_days"],
        drill="stage",
    )


def pipeline_trend(
    user: AnyUser, history: History | None = None, today: date | None = None
) -> Chart:
    h = history or project_history(user)
    months = last_months(today or timezone.localdate())
    new: dict[str, list[int]] = defaultdict(list)
    landed: dict[str, list[int]] = defaultdict(list)
    for pk, at in h.start.items():
        new[month_key(at)].append(pk)
    for pk, at in h.landed_at.items():
        landed[month_key(at)].append(pk)
    rows = []
    for m in months:
        row: dict[str, Any] = {"month": m, "suppressed": False}
        for key, bucket in (("new", new[m]), ("landed", landed[m])):
            hidden = is_suppressed(user, len(bucket), sum(h.confidential[pk] for pk in bucket))
            row[key] = None if hidden else len(bucket)
            row["suppressed"] = row["suppressed"] or hidden
        rows.append(row)
    return Chart(
        "trend",
        _("New and landed projects by month"),
        "line",
        [("month", _("Month")), ("new", _("New projects")), ("landed", _("Landed"))],
        rows,
        x="month",
        series=["new", "landed"],
    )


def landing_time_trend(
    user: AnyUser, history: History | None = None, today: date | None = None
) -> Chart:
    """Median and 90th percentile days to landing of the projects landed in each month."""
    h = history or project_history(user)
    months = last_months(today or timezone.localdate())
    by_month: dict[str, list[int]] = defaultdict(list)
    for pk, at in h.landed_at.items():
        by_month[month_key(at)].append(pk)
    rows = []
    for m in months:
        bucket = by_month[m]
        days = [to_days(h.landed_at[pk] - h.start[pk]) for pk in bucket]
        hidden = is_suppressed(user, len(days), sum(h.confidential[pk] for pk in bucket))
        p90 = percentile(days, 0.9)
        rows.append(
            {
                "month": m,
                "landed": None if hidden else len(days),
                "median_days": None if hidden or not days else tidy_days(statistics.median(days)),
                "p90_days": None if hidden else tidy_days(p90),
                "suppressed": hidden,
            }
        )
    return Chart(
        "landing_time_trend",
        _("Time to landing by month of landing"),
        "line",
        [
            ("month", _("Month")),
            ("landed", _("Projects landed")),
            ("median_days", _("Median days to landing")),
            ("p90_days", _("90th percentile days to landing")),
        ],
        rows,
        x="month",
        series=["median_days", "p90_days"],
    )


# -- landings and carriers ---------------------------------------------------------------


def scope_landings(user: AnyUser, scope: Scope = EVERYTHING) -> QuerySet[LandingRecord]:
    qs = LandingRecord.objects.filter(project__in=scope_projects(user, scope))
    # A project aimed at the park but landed elsewhere is not one of the park's landings.
    return qs.filter(park_id=scope.park_id) if scope.kind == "park" else qs


def _landing_sums(user: AnyUser, label: str, rows_in: list[Any]) -> list[Any]:
    rows = []
    for r in rows_in:
        hidden = is_suppressed(user, r["n"], r["conf"])
        rows.append(
            {
                "id": r["key"],
                "label": r["label"] or label,
                "landings": None if hidden else r["n"],
                "investment_wan": None if hidden else plain_number(r["inv"] or 0),
                "area_m2": None if hidden else plain_number(r["area"] or 0),
                "jobs": None if hidden else plain_number(r["jobs"] or 0),
                "suppressed": hidden,
            }
        )
    return rows


_SUMS = {
    "n": Count("id", distinct=True),
    "conf": Count("id", filter=Q(project__achievement__disclosure=Disclosure.CONFIDENTIAL)),
    "inv": Sum("investment_wan"),
    "area": Sum("area_m2"),
    "jobs": Sum("jobs_planned"),
}


def _landing_columns(first: str) -> list[tuple[str, str]]:
    return [
        ("label", first),
        ("landings", _("Landings")),
        ("investment_wan", _("Investment committed (10k CNY)")),
        ("area_m2", _("Area leased (m²)")),
        ("jobs", _("Jobs planned")),
    ]


def landings_by_park(user: AnyUser, scope: Scope = EVERYTHING) -> Chart:
    qs = scope_landings(user, scope)
    name = "park__name_en" if is_english() else "park__name_zh"
    raw = [
        {**r, "key": r["park_id"], "label": r[name] or r["park__name_zh"] or r["park__name_en"]}
        for r in grouped(
            qs, ["park_id", "park__name_zh", "park__name_en"], ["-n", "park_id"], **_SUMS
        )
    ]
    return Chart(
        "landings_by_park",
        _("Landings by park"),
        "bar",
        _landing_columns(_("Park")),
        _landing_sums(user, _("No park"), raw),
        x="label",
        # Jobs (hundreds) on the landings' axis made the landing count (a few) invisible:
        # the chart draws landings and investment, each on its own axis; jobs stay in the
        # table, CSV, Excel and PDF.
        series=["landings", "investment_wan"],
        y2=["investment_wan"],
        drill="park",
    )


def landings_by_area(user: AnyUser, scope: Scope = EVERYTHING) -> Chart:
    """Landings per top-level therapeutic area: a landing counts once in an area however
    many headings under it its achievement carries (tagged "Neoplasms" and "Lung
    Neoplasms", it is one landing of 肿瘤), so area totals never double. Three queries."""
    qs = scope_landings(user, scope)
    landings = {
        r["pk"]: r
        for r in qs.values("pk", "investment_wan", "area_m2", "jobs_planned").annotate(
            confidential=Count(
                "pk", filter=Q(project__achievement__disclosure=Disclosure.CONFIDENTIAL)
            )
        )
    }
    roots = area_roots()
    in_area: dict[int | None, set[int]] = defaultdict(set)
    for pk, term in qs.values_list("pk", "project__achievement__therapeutic_areas"):
        root = roots.get(term) if term is not None else None
        # In an area scope a project's other areas are not part of the report.
        if scope.kind == "area" and (term is None or term not in scope.area_ids):
            continue
        in_area[root[0] if root else None].add(pk)
    labels = {pk: label for pk, label in roots.values()}
    raw: list[dict[str, Any]] = []
    for key, pks in in_area.items():
        rows = [landings[pk] for pk in pks]
        raw.append(
            {
                "key": key,
                "label": labels.get(key) if key is not None else None,
                "n": len(rows),
                "conf": sum(1 for r in rows if r["confidential"]),
                "inv": sum((r["investment_wan"] or 0) for r in rows),
                "area": sum((r["area_m2"] or 0) for r in rows),
                "jobs": sum((r["jobs_planned"] or 0) for r in rows),
            }
        )
    raw.sort(key=lambda r: (-r["n"], r["key"] is None, r["label"] or ""))
    return Chart(
        "landings_by_area",
        _("Landings by therapeutic area"),
        "bar",
        _landing_columns(_("Therapeutic area")),
        _landing_sums(user, _("Unclassified"), raw),
        x="label",
        # Jobs (hundreds) on the landings' axis made the landing count (a few) invisible:
        # the chart draws landings and investment, each on its own axis; jobs stay in the
        # table, CSV, Excel and PDF.
        series=["landings", "investment_wan"],
        y2=["investment_wan"],
        drill="area",
    )


def carrier_occupancy(user: AnyUser, scope: Scope = EVERYTHING) -> Chart:
    qs: QuerySet[Carrier] = rules.carriers_counted_for(user)
    note = ""
    if scope.kind == "park":
        qs = qs.filter(park_id=scope.park_id)
    elif scope.kind == "area":
        # Carrier space has no therapeutic area: showing every park would not be the scope.
        qs, note = qs.none(), _("Carrier space is not classified by therapeutic area.")
    name = "park__name_en" if is_english() else "park__name_zh"
    rows = []
    for r in grouped(
        qs,
        ["park_id", "park__name_zh", "park__name_en"],
        ["park_id"],
        total=Sum("area_total_m2"),
        free=Sum("area_available_m2"),
    ):
        total, free = r["total"] or 0, r["free"] or 0
        rows.append(
            {
                "id": r["park_id"],
                "label": r[name] or r["park__name_zh"] or r["park__name_en"],
                "total_m2": total,
                "available_m2": free,
                "occupancy": round(100 * (total - free) / total, 1) if total else None,
            }
        )
    return Chart(
        "occupancy",
        _("Carrier occupancy by park"),
        "bar",
        [
            ("label", _("Park")),
            ("total_m2", _("Total area (m²)")),
            ("available_m2", _("Available area (m²)")),
            ("occupancy", _("Occupancy %")),
        ],
        rows,
        x="label",
        series=["occupancy"],
        drill="park",
        note=note,
    )


# -- everything --------------------------------------------------------------------------

CHART_KEYS = [
    "funnel",
    "time_to_landing",
    "time_per_stage",
    "trend",
    "landing_time_trend",
    "landings_by_park",
    "landings_by_area",
    "occupancy",
    "matchmaking",
    "declines",
    "activity",
    "overdue",
]
_HISTORY_KEYS = {"funnel", "time_to_landing", "time_per_stage", "trend", "landing_time_trend"}


def charts(
    user: AnyUser,
    keys: list[str] | None = None,
    *,
    scope: Scope = EVERYTHING,
    today: date | None = None,
) -> dict[str, Chart]:
    """The charts named in `keys` (all by default), sharing the project history read.

    `scope` narrows every chart (reports); `today` ends the monthly charts (a report's
    monthly charts end with its period).
    """
    wanted = set(keys or CHART_KEYS)
    out: dict[str, Chart] = {}
    h = project_history(user, scope) if wanted & _HISTORY_KEYS else None
    if "funnel" in wanted:
        out["funnel"] = funnel(user, h)
    if "time_to_landing" in wanted:
        out["time_to_landing"] = time_to_landing(user, h)
    if "time_per_stage" in wanted:
        out["time_per_stage"] = time_per_stage(user, h)
    if "trend" in wanted:
        out["trend"] = pipeline_trend(user, h, today)
    if "landing_time_trend" in wanted:
        out["landing_time_trend"] = landing_time_trend(user, h, today)
    if "landings_by_park" in wanted:
        out["landings_by_park"] = landings_by_park(user, scope)
    if "landings_by_area" in wanted:
        out["landings_by_area"] = landings_by_area(user, scope)
    if "occupancy" in wanted:
        out["occupancy"] = carrier_occupancy(user, scope)
    if wanted & {"matchmaking", "declines"}:
        effect, declines = matchmaking(user, scope)
        out["matchmaking"], out["declines"] = effect, declines
    if "activity" in wanted:
        out["activity"] = activity(user, today, scope)
    if "overdue" in wanted:
        # Overdue means late today: a period ending in the future must not count this
        # month's tasks, still on time, as overdue.
        real_today = timezone.localdate()
        as_of = min(today, real_today) if today else real_today
        out["overdue"] = overdue_by_owner(user, as_of, scope)
    return {k: out[k] for k in CHART_KEYS if k in out and k in wanted}


def drill_projects(
    user: AnyUser, *, stage: str = "", park: int | None = None, area: int | None = None
) -> QuerySet[Project]:
    """The list behind a chart click: visible projects only (viewers: none, by the rules)."""
    qs = projects_visible_to(user).filter(archived_at__isnull=True)
    if stage in MAIN_PATH:
        i = MAIN_PATH.index(stage)
        later = [*MAIN_PATH[i:], *FINAL_STAGES]
        reached = StageTransition.objects.filter(to_stage__in=later).values("project_id")
        qs = qs.filter(Q(stage__in=later) | Q(pk__in=reached))
    if park:
        qs = qs.filter(Q(landing__park_id=park) | Q(target_park_id=park))
    if area:
        qs = qs.filter(landing__isnull=False, achievement__therapeutic_areas=area).distinct()
    return qs.select_related("owner", "target_park").order_by("-stage_entered_at", "-id")
