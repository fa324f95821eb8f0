"""Demo follow-through for the landed demo projects: milestones planned and achieved with
realistic lags, monthly figures since landing, commitments, subsidies — and one project
stalled (construction never started, capital behind), so the board, the stalled list, the
KPIs and the government report show real content on a fresh `make run`.

Everything goes through the domain, so the audit trail (the figures' history) is real.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Protocol

from django.db.models import Max
from django.utils import timezone, translation

from luodi.accounts.models import Role, User
from luodi.aftercare import domain
from luodi.aftercare.choices import MilestoneKind as K
from luodi.aftercare.models import Milestone, Subsidy, month_start
from luodi.aftercare.stalls import raise_shortfalls
from luodi.pipeline.choices import ProjectStage
from luodi.pipeline.models import Project


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


# Days after landing each milestone is planned for.
PLAN: list[tuple[str, int]] = [
    (K.REGISTERED, 0),
    (K.LEASE_SIGNED, 20),
    (K.CONSTRUCTION, 45),
    (K.FITOUT, 150),
    (K.TRIAL_PRODUCTION, 240),
    (K.PRODUCTION, 320),
    (K.FULL_CAPACITY, 620),
]
# Days late per milestone, per project (cycled): most a little late, some early.
LAGS = [(0, 5, 12, 30, 21, 40, 0), (0, -3, 8, 15, 45, 25, 0), (0, 10, 20, 10, 0, 0, 0)]


# Share of the investment arriving in the n-th month after landing: half within five
# months (the first commitment is half by day 180), the rest within fourteen.
TRANCHES = {1: Decimal("0.25"), 4: Decimal("0.25"), 7: Decimal("0.2"), 10: Decimal("0.15")}
TRANCHES[13] = Decimal("0.15")


def _landed_on(project: Project) -> date:
    at = project.transitions.filter(to_stage=ProjectStage.LANDED).aggregate(at=Max("created_at"))
    return timezone.localtime(at["at"]).date() if at["at"] else timezone.localdate()


def _months(start: date, end: date) -> list[date]:
    out, day = [], month_start(start)
    while day <= month_start(end):
        out.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    return out


def load(out: Writer) -> None:
    if Milestone.objects.filter(is_demo=True).exists():
        return
    actor = (
        User.objects.filter(username="staff").first()
        or User.objects.filter(role=Role.STAFF, is_active=True).first()
    )
    projects = list(
        Project.objects.filter(is_demo=True, landing__isnull=False)
        .select_related("landing")
        .order_by("pk")
    )
    if actor is None or not projects:
        out.write("  after-landing demo: no landed demo projects, nothing created\n")
        return
    today = timezone.localdate()
    # The stalled one: the longest-landed project that is still only "landed" and landed
    # more than four months ago (construction planned, never started).
    stalled = next(
        (
            p
            for p in sorted(projects, key=_landed_on)
            if p.stage == ProjectStage.LANDED and (today - _landed_on(p)).days > 120
        ),
        None,
    )
    with translation.override("zh-hans"):  # task titles as a user's would be
        for n, project in enumerate(projects):
            _follow(actor, project, n, today, stalled=project == stalled)
        shortfalls = raise_shortfalls(today)
    out.write(
        f"  after-landing demo: {len(projects)} landed projects followed, "
        f"{shortfalls} shortfall task(s)\n"
    )


def _follow(actor: User, project: Project, n: int, today: date, *, stalled: bool) -> None:
    landed = _landed_on(project)
    landing = project.landing
    producing = project.stage == ProjectStage.IN_PRODUCTION
    lags = LAGS[n % len(LAGS)]
    reached: dict[str, date] = {}
    for (kind, offset), lag in zip(PLAN, lags, strict=True):
        planned = landed + timedelta(days=offset)
        actual: date | None = planned + timedelta(days=lag)
        if kind == K.REGISTERED:
            actual = landing.registered_on or landed
        if stalled and kind not in (K.REGISTERED, K.LEASE_SIGNED):
            actual = None  # construction never started
        if kind in (K.PRODUCTION, K.FULL_CAPACITY) and not producing:
            actual = None
        if actual is not None and actual > today:
            actual = None
        if actual is None and planned > today + timedelta(days=200):
            continue  # too far ahead to be planned yet
        domain.set_milestone(
            actor=actor,
            project=project,
            kind=kind,
            planned_on=planned,
            actual_on=actual,
            credit_code=landing.credit_code,
            confirm_warnings=True,
            is_demo=True,
        )
        if actual is not None:
            reached[kind] = actual
    investment = landing.investment_wan or Decimal(2000)
    _commitments(actor, project, landed, investment, landing.jobs_planned or 30)
    _figures(actor, project, landed, today, investment, reached, stalled=stalled)
    _subsidies(actor, project, landed, today, n)


def _commitments(
    actor: User, project: Project, landed: date, investment: Decimal, jobs: int
) -> None:
    for metric, amount, days in (
        ("capital_wan", (investment / 2).quantize(Decimal(1)), 180),
        ("capital_wan", investment - (investment / 2).quantize(Decimal(1)), 540),
        ("jobs", Decimal(jobs), 540),
    ):
        domain.add_commitment(
            actor=actor,
            project=project,
            metric=metric,
            amount=amount,
            due_on=landed + timedelta(days=days),
            note="据投资协议",
            is_demo=True,
        )


def _figures(
    actor: User,
    project: Project,
    landed: date,
    today: date,
    investment: Decimal,
    reached: dict[str, date],
    *,
    stalled: bool,
) -> None:
    """Capital arrives in tranches (a stalled project's second one never comes), people are
    hired as fit-out ends, output and tax start with trial production."""
    months = _months(landed, today - timedelta(days=28))  # the last month not reported yet
    area = project.landing.area_m2 or 800
    producing_from = reached.get(K.TRIAL_PRODUCTION)
    for i, month in enumerate(months):
        share = TRANCHES.get(i, Decimal(0))
        if stalled and i > 1:
            share = Decimal("0.1") if i == 4 else Decimal(0)  # 35% in all, then nothing
        capital = (investment * share).quantize(Decimal(1))
        jobs = min(8 + 3 * i, 80) if not stalled else 6
        values: dict[str, Any] = {
            "capital_wan": capital,
            "jobs": jobs,
            "area_m2": area if i >= 1 else None,
            "rnd_wan": Decimal(30 + 5 * (i % 4)),
            "patents": 1 if i % 5 == 2 else 0,
        }
        if producing_from and month >= month_start(producing_from):
            ramp = min(1 + (month.year - producing_from.year) * 12, 6)
            output = Decimal(120 + 60 * ramp + 15 * (i % 3))
            values["output_wan"] = output
            values["tax_wan"] = (output * Decimal("0.06")).quantize(Decimal("0.1"))
        domain.record_figures(
            actor=actor,
            project=project,
            period=month,
            values=values,
            source="demo",
            is_demo=True,
        )


def _subsidies(actor: User, project: Project, landed: date, today: date, n: int) -> None:
    rent = domain.save_subsidy(
        actor=actor,
        project=project,
        is_demo=True,
        values={
            "kind": "rent",
            "policy": "新入驻企业三年租金减半",
            "granted_by": project.landing.park,
            "applied_on": min(landed + timedelta(days=25), today),
            "amount_applied_wan": Decimal(60 + 10 * n),
        },
    )

    def move(rent: Subsidy, **values: Any) -> Subsidy:
        return domain.save_subsidy(
            actor=actor, project=project, subsidy=rent, expected_version=rent.version, values=values
        )

    if (today - landed).days > 90:
        rent = move(
            rent,
            status="approved",
            approved_on=landed + timedelta(days=70),
            amount_approved_wan=Decimal(60 + 10 * n),
        )
    if (today - landed).days > 150:
        move(
            rent,
            status="paid",
            paid_on=landed + timedelta(days=130),
            amount_paid_wan=Decimal(30 + 5 * n),
        )
    if n % 2 == 0 and (today - landed).days > 60:
        domain.save_subsidy(
            actor=actor,
            project=project,
            is_demo=True,
            values={
                "kind": "talent",
                "policy": "蓉漂人才计划团队奖励",
                "applied_on": landed + timedelta(days=45),
                "amount_applied_wan": Decimal(100),
            },
        )
