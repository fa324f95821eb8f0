"""After-landing KPIs: what the followed projects brought to each park, each person, each
therapeutic area and each industry-chain segment, as `insights.base.Chart` objects.

Rules (those of `insights.queries`, applied to the follow-through):
- Everything starts from `rules.landed_projects_visible_to(user)`: a park sees its own
  projects' figures, staff and viewers every landed project.
- A viewer's group (park, area, segment) of fewer than `MIN_GROUP` projects that includes a
  confidential achievement is suppressed (None values, `suppressed` True); per-person rows
  are not shown to viewers at all. No chart ever carries a project title.
- Flows (capital, output, tax) are summed over the months of the period; capital arrived
  against the promise is cumulative up to the period's end; floor area is a stock, the
  latest month up to the end, else the landing's area. Output per mu (亩均) is the period's
  output over that area in mu (`M2_PER_MU`).
- A fixed number of queries whatever the data size (`collect` 9, every chart with the
  stall check 18; tests guard it).

The charts by month, person, therapeutic area and segment live in
`insights/after_landing.py` (with the per-person query); `charts()` assembles them all.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db.models import BooleanField, Case, Min, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from luodi.accounts.rules import AnyUser, is_viewer
from luodi.aftercare.choices import M2_PER_MU, MILESTONE_ORDER, MilestoneKind
from luodi.aftercare.models import FigureReport, Milestone, Subsidy
from luodi.aftercare.rules import landed_projects_visible_to
from luodi.insights.base import (
    CONFIDENTIAL,
    EVERYTHING,
    Chart,
    Scope,
    is_english,
    is_suppressed,
    plain_number,
    scope_projects,
)
from luodi.insights.layout import segments_of
from luodi.pipeline.choices import FINAL_STAGES, MAIN_PATH, ProjectStage
from luodi.pipeline.models import Project, StageTransition
from luodi.pipeline.request_models import CompanyRequest

ZERO = Decimal(0)
CHART_KEYS = [
    "milestones_by_park",
    "stages_by_park",
    "capital_by_park",
    "per_mu_by_park",
    "subsidies_by_park",
    "area_by_month",
    "by_staff",
    "by_area",
    "by_segment",
]


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


def followed_projects(user: AnyUser, scope: Scope = EVERYTHING) -> QuerySet[Project]:
    """The landed projects `user` follows, narrowed by `scope`."""
    qs = landed_projects_visible_to(user)
    if scope.kind == "park":
        return qs.filter(landing__park_id=scope.park_id)
    if scope.kind == "area":
        in_area = Project.objects.filter(achievement__therapeutic_areas__in=scope.area_ids)
        return qs.filter(pk__in=in_area.values("pk"))
    return qs


def aware(day: date, end: bool = False) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max if end else time.min))


def _park_name(zh: str | None, en: str | None) -> str:
    return ((en or zh) if is_english() else (zh or en)) or ""


def dec(value: Any) -> Decimal:
    return Decimal(value) if value is not None else ZERO


_FORWARD = {stage: i for i, stage in enumerate(MAIN_PATH)} | {
    s: len(MAIN_PATH) for s in FINAL_STAGES
}


def is_forward(from_stage: str, to_stage: str) -> bool:
    """A step on along the main path (a resumed pause, a step back or a loss is not)."""
    if from_stage not in _FORWARD or to_stage not in _FORWARD:
        return False
    return _FORWARD[to_stage] > _FORWARD[from_stage]


def collect(
    user: AnyUser, start: date, end: date, scope: Scope = EVERYTHING, *, people: bool = True
) -> Facts:
    """Read everything the charts need over [start, end] (9 queries; 7 without people)."""
    qs = followed_projects(user, scope)
    conf = Case(When(CONFIDENTIAL, then=Value(True)), default=False, output_field=BooleanField())
    projects: dict[int, Followed] = {}
    names: dict[int | None, str] = {None: _("No park")}
    for r in qs.annotate(conf=conf).values(
        "pk",
        "stage",
        "conf",
        "landing__park_id",
        "landing__park__name_zh",
        "landing__park__name_en",
        "landing__investment_wan",
        "landing__area_m2",
        "company__kind",
        "company__name_zh",
        "company__name_en",
        "company__company__products",
        "company__chain_segments",
    ):
        park_id = r["landing__park_id"]
        if park_id is not None:
            names[park_id] = _park_name(r["landing__park__name_zh"], r["landing__park__name_en"])
        segments = (
            segments_of(
                r["company__kind"],
                f"{r['company__name_zh']} {r['company__name_en']} "
                f"{r['company__company__products'] or ''}",
                r["company__chain_segments"],
            )
            if r["company__kind"]
            else []
        )
        projects[r["pk"]] = Followed(
            pk=r["pk"],
            stage=r["stage"],
            park_id=park_id,
            park=names.get(park_id, ""),
            confidential=bool(r["conf"]),
            promised=dec(r["landing__investment_wan"]),
            landing_area=r["landing__area_m2"] or 0,
            segment=segments[0] if segments else None,
        )
    ids = list(projects)
    for pid, at in (
        StageTransition.objects.filter(project_id__in=ids, to_stage=ProjectStage.LANDED)
        .values("project_id")
        .annotate(at=Min("created_at"))
        .values_list("project_id", "at")
    ):
        projects[pid].landed_at = timezone.localtime(at).date()
    reached: list[tuple[int, str, date]] = []
    for pid, kind, day in Milestone.objects.filter(
        project_id__in=ids, actual_on__isnull=False, actual_on__lte=end
    ).values_list("project_id", "kind", "actual_on"):
        p = projects[pid]
        p.top_milestone = max(p.top_milestone, MILESTONE_ORDER.index(kind))
        if day is not None and day >= start:
            reached.append((pid, kind, day))
    area_months: dict[int, dict[str, int]] = defaultdict(dict)
    first = start.replace(day=1)
    for pid, period, capital, output, tax, area in (
        FigureReport.objects.filter(project_id__in=ids, period__lte=end)
        .order_by("period")
        .values_list("project_id", "period", "capital_wan", "output_wan", "tax_wan", "area_m2")
    ):
        p = projects[pid]
        p.capital_total += dec(capital)
        if period >= first:
            p.capital += dec(capital)
            p.output += dec(output)
            p.tax += dec(tax)
        if area is not None:
            p.area = area
            area_months[pid][f"{period:%Y-%m}"] = area
    subsidies: Any = Subsidy.objects.filter(project_id__in=ids).values(
        "project_id",
        "applied_on",
        "amount_applied_wan",
        "approved_on",
        "amount_approved_wan",
        "paid_on",
        "amount_paid_wan",
    )
    for sub in subsidies:
        p = projects[sub["project_id"]]
        for on, amount, attr in (
            ("applied_on", "amount_applied_wan", "applied"),
            ("approved_on", "amount_approved_wan", "approved"),
            ("paid_on", "amount_paid_wan", "paid"),
        ):
            day = sub[on]
            if day is not None and start <= day <= end:
                setattr(p, attr, getattr(p, attr) + dec(sub[amount]))
    signed: dict[int | None, list[bool]] = defaultdict(list)
    pending = scope_projects(user, scope).filter(
        stage=ProjectStage.AGREEMENT_SIGNED, landing__isnull=True
    )
    for park_id, zh, en, is_conf in pending.annotate(conf=conf).values_list(
        "target_park_id", "target_park__name_zh", "target_park__name_en", "conf"
    ):
        signed[park_id].append(bool(is_conf))
        if park_id is not None:
            names.setdefault(park_id, _park_name(zh, en))
    requests = CompanyRequest.objects.filter(project_id__in=ids)
    raised = solved = 0
    for raised_on, resolved_at in requests.filter(
        Q(raised_on__gte=start, raised_on__lte=end)
        | Q(resolved_at__gte=aware(start), resolved_at__lte=aware(end, True))
    ).values_list("raised_on", "resolved_at"):
        raised += start <= raised_on <= end
        solved += resolved_at is not None and start <= timezone.localtime(resolved_at).date() <= end
    facts = Facts(start, end, projects, signed, names, reached, area_months, raised, solved)
    if people and not is_viewer(user):
        from luodi.insights.after_landing import people as by_person

        facts.staff_rows = by_person(user, scope, start, end)
    return facts


# -- charts ------------------------------------------------------------------------------------


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


def summary(user: AnyUser, facts: Facts, stalled_count: int | None = None) -> Chart:
    """The key numbers of the period (one row)."""
    items = list(facts.projects.values())
    flags = [p.confidential for p in items]
    hidden = is_suppressed(user, len(flags), sum(flags))
    money = money_row(items)
    row: dict[str, Any] = {
        "followed": len(items),
        "landed": sum(1 for p in items if p.landed_at and facts.start <= p.landed_at <= facts.end),
        "producing": sum(1 for p in items if p.producing),
        "promised": money["promised"],
        "arrived": money["arrived"],
        "arrived_period": sum((p.capital for p in items), ZERO),
        "output": money["output"],
        "tax": money["tax"],
        "output_per_mu": money["output_per_mu"],
        "tax_per_mu": money["tax_per_mu"],
        "paid": sum((p.paid for p in items), ZERO),
        "raised": facts.requests_raised,
        "solved": facts.requests_solved,
        "stalled": stalled_count,
    }
    row = {k: None if hidden else num(v) for k, v in row.items()}
    row["suppressed"] = hidden
    return Chart("summary", _("Key numbers after landing"), "kpi", summary_columns(), [row])


def summary_columns() -> list[tuple[str, str]]:
    return [
        ("followed", _("Landed projects followed")),
        ("landed", _("Landed in the period")),
        ("producing", _("In production")),
        ("promised", _("Investment promised (10k CNY)")),
        ("arrived", _("Capital arrived to date (10k CNY)")),
        ("arrived_period", _("Capital arrived in the period (10k CNY)")),
        ("output", _("Output in the period (10k CNY)")),
        ("tax", _("Tax in the period (10k CNY)")),
        ("output_per_mu", _("Output per mu (10k CNY)")),
        ("tax_per_mu", _("Tax per mu (10k CNY)")),
        ("paid", _("Subsidies paid in the period (10k CNY)")),
        ("raised", _("Company requests raised")),
        ("solved", _("Company requests solved")),
        ("stalled", _("Stalled projects")),
    ]


def milestones_by_park(user: AnyUser, facts: Facts) -> Chart:
    """Per furthest milestone reached (rows), the count of followed projects in each park
    (a series per park: a handful of parks side by side reads better than seven milestones)."""
    groups = sorted(by_park(facts).items(), key=lambda kv: facts.park_names.get(kv[0], ""))
    hidden = {
        park_id: is_suppressed(user, len(items), sum(p.confidential for p in items))
        for park_id, items in groups
    }
    steps = [("none", _("No milestone yet"), -1)] + [
        (k.value, str(k.label), i) for i, k in enumerate(MilestoneKind)
    ]
    rows = []
    for key, label, index in steps:
        row: dict[str, Any] = {"milestone": key, "label": label}
        for park_id, items in groups:
            n = sum(1 for p in items if p.top_milestone == index)
            row[f"park_{park_id or 0}"] = None if hidden[park_id] else n
        row["suppressed"] = any(hidden.values())
        rows.append(row)
    series = [f"park_{park_id or 0}" for park_id, _items in groups]
    return Chart(
        "milestones_by_park",
        _("Followed projects by furthest milestone reached"),
        "bar",
        [("label", _("Milestone"))]
        + [(f"park_{pid or 0}", facts.park_names.get(pid) or _("No park")) for pid, _i in groups],
        rows,
        x="label",
        series=series,
    )


def stages_by_park(user: AnyUser, facts: Facts) -> Chart:
    def values(items: list[Followed], key: Any) -> dict[str, Any]:
        return {
            "signed": len(facts.signed.get(key, [])),
            "landed": len(items),
            "producing": sum(1 for p in items if p.producing),
        }

    return Chart(
        "stages_by_park",
        _("Signed, landed and in production by park"),
        "bar",
        [
            ("label", _("Park")),
            ("signed", _("Signed, not landed yet")),
            ("landed", _("Landed")),
            ("producing", _("In production")),
        ],
        group_rows(user, by_park(facts), facts.park_names, values, facts.signed),
        x="label",
        series=["signed", "landed", "producing"],
    )


def capital_by_park(user: AnyUser, facts: Facts) -> Chart:
    def values(items: list[Followed], _key: Any) -> dict[str, Any]:
        promised = sum((p.promised for p in items), ZERO)
        arrived = sum((p.capital_total for p in items), ZERO)
        return {
            "promised": promised,
            "arrived": arrived,
            "share": round(100 * arrived / promised, 1) if promised else None,
        }

    return Chart(
        "capital_by_park",
        _("Investment promised and capital arrived by park"),
        "bar",
        [
            ("label", _("Park")),
            ("promised", _("Investment promised (10k CNY)")),
            ("arrived", _("Capital arrived to date (10k CNY)")),
            ("share", _("Arrived as % of promised")),
        ],
        group_rows(user, by_park(facts), facts.park_names, values),
        x="label",
        series=["promised", "arrived"],
    )


def per_mu_by_park(user: AnyUser, facts: Facts) -> Chart:
    def values(items: list[Followed], _key: Any) -> dict[str, Any]:
        m = money_row(items)
        return {k: m[k] for k in ("output", "tax", "area_mu", "output_per_mu", "tax_per_mu")}

    return Chart(
        "per_mu_by_park",
        _("Output and tax per mu by park"),
        "bar",
        [
            ("label", _("Park")),
            ("output", _("Output in the period (10k CNY)")),
            ("tax", _("Tax in the period (10k CNY)")),
            ("area_mu", _("Floor area used (mu)")),
            ("output_per_mu", _("Output per mu (10k CNY)")),
            ("tax_per_mu", _("Tax per mu (10k CNY)")),
        ],
        group_rows(user, by_park(facts), facts.park_names, values),
        x="label",
        series=["output_per_mu", "tax_per_mu"],
        note=_(
            "Per mu: the period's output or tax over the floor area used (latest figure, "
            "else the area leased at landing); 1 mu = 666.7 m²."
        ),
    )


def subsidies_by_park(user: AnyUser, facts: Facts) -> Chart:
    def values(items: list[Followed], _key: Any) -> dict[str, Any]:
        return {
            k: sum((getattr(p, k) for p in items), ZERO) for k in ("applied", "approved", "paid")
        }

    return Chart(
        "subsidies_by_park",
        _("Policy subsidies by park"),
        "bar",
        [
            ("label", _("Park")),
            ("applied", _("Applied for (10k CNY)")),
            ("approved", _("Approved (10k CNY)")),
            ("paid", _("Paid out (10k CNY)")),
        ],
        group_rows(user, by_park(facts), facts.park_names, values),
        x="label",
        series=["applied", "approved", "paid"],
    )


def stalled_projects(user: AnyUser, end: date, scope: Scope = EVERYTHING) -> dict[int, Any]:
    """The followed projects stalled at the period's end (or today, if sooner)."""
    from luodi.aftercare.stalls import stalled

    return stalled(followed_projects(user, scope), today=min(end, timezone.localdate()))


def stalled_count(user: AnyUser, end: date, scope: Scope = EVERYTHING) -> int:
    return len(stalled_projects(user, end, scope))


def charts(
    user: AnyUser,
    start: date,
    end: date,
    scope: Scope = EVERYTHING,
    keys: list[str] | None = None,
    facts: Facts | None = None,
) -> dict[str, Chart]:
    """The after-landing charts named in `keys` (all by default), summary first."""
    wanted = set(keys or CHART_KEYS)
    facts = facts or collect(user, start, end, scope, people="by_staff" in wanted)
    from luodi.insights.after_landing import area_by_month, by_area, by_segment, by_staff

    builders = {
        "milestones_by_park": lambda: milestones_by_park(user, facts),
        "stages_by_park": lambda: stages_by_park(user, facts),
        "capital_by_park": lambda: capital_by_park(user, facts),
        "per_mu_by_park": lambda: per_mu_by_park(user, facts),
        "subsidies_by_park": lambda: subsidies_by_park(user, facts),
        "area_by_month": lambda: area_by_month(user, facts),
        "by_staff": lambda: by_staff(user, facts),
        "by_area": lambda: by_area(user, facts, scope),
        "by_segment": lambda: by_segment(user, facts),
    }
    out = {"summary": summary(user, facts, stalled_count(user, end, scope))}
    out.update({k: builders[k]() for k in CHART_KEYS if k in wanted})
    return out
