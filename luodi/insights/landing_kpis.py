"""After-landing KPIs: what the followed projects brought to each park, each person, each
therapeutic area and each industry-chain segment, as `insights.base.Chart` objects.

Rules (those of `insights.queries`, applied to the follow-through):
- Everything starts from `aftercare.rules.landed_projects_visible_to(user)`: a park sees its
  own projects' figures, staff and viewers every landed project.
- A viewer's group (park, area, segment) of fewer than `MIN_GROUP` projects that includes a
  confidential achievement is suppressed (None values, `suppressed` True); per-person rows
  are not shown to viewers at all (`insights.rules.sees_people`). No chart ever carries a
  project title.
- Flows (capital, output, tax) are summed over the months of the period; capital arrived
  against the promise is cumulative up to the period's end; floor area is a stock, the
  latest month up to the end, else the landing's area. Output per mu (亩均) is the period's
  output over that area in mu (`M2_PER_MU`).
- A fixed number of queries whatever the data size (`collect` 9, every chart with the
  stall check 18; tests guard it).

The facts' shapes (`Followed`, `Facts`), the helpers that group and add them up, the
per-person query and the charts by month, person, therapeutic area and segment live in
`insights/after_landing.py`, which never imports this module; `collect()` reads the facts
and `charts()` assembles them all.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import BooleanField, Case, Min, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from luodi.accounts.rules import AnyUser
from luodi.aftercare.choices import MILESTONE_ORDER, MilestoneKind
from luodi.aftercare.models import FigureReport, Milestone, Subsidy
from luodi.aftercare.rules import landed_projects_visible_to
from luodi.insights import rules
from luodi.insights.after_landing import (
    ZERO,
    Facts,
    Followed,
    area_by_month,
    aware,
    by_area,
    by_park,
    by_segment,
    by_staff,
    group_rows,
    money_row,
    num,
)
from luodi.insights.after_landing import people as people_rows
from luodi.insights.base import (
    CONFIDENTIAL,
    EVERYTHING,
    Chart,
    Scope,
    is_english,
    is_suppressed,
    scope_projects,
)
from luodi.insights.layout import segments_of
from luodi.pipeline.choices import ProjectStage
from luodi.pipeline.models import Project, StageTransition
from luodi.pipeline.request_models import CompanyRequest

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


def followed_projects(user: AnyUser, scope: Scope = EVERYTHING) -> QuerySet[Project]:
    """The landed projects `user` follows, narrowed by `scope`."""
    qs = landed_projects_visible_to(user)
    if scope.kind == "park":
        return qs.filter(landing__park_id=scope.park_id)
    if scope.kind == "area":
        in_area = Project.objects.filter(achievement__therapeutic_areas__in=scope.area_ids)
        return qs.filter(pk__in=in_area.values("pk"))
    return qs


def _park_name(zh: str | None, en: str | None) -> str:
    return ((en or zh) if is_english() else (zh or en)) or ""


def dec(value: Any) -> Decimal:
    return Decimal(value) if value is not None else ZERO


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
    if people and rules.sees_people(user):
        facts.staff_rows = people_rows(user, scope, start, end)
    return facts


# -- charts ------------------------------------------------------------------------------------


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
            # xgettext:no-python-format (a percent sign, not a placeholder)
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
