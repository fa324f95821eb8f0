"""A small after-landing portfolio whose KPIs are known by hand.

Period: the current quarter (the domain refuses figures for months not begun). Two projects
landed in the park, one in the other park (confidential), all landed today by staff:

- A: landing 5000 promised, 1200 m²; the month before the quarter: capital 1000, output 100;
  this month: capital 500, output 900, tax 90, floor area 2000 m² (3 mu); lease signed.
  Subsidy: 100 applied, 80 approved, 50 paid (all today). One company request, solved.
- B: landing 5000 promised, 1200 m² (1.8 mu, no area reported); this month: output 360,
  tax 36; in production.
- C (other park, confidential): this month capital 200.

Park: output 1260, tax 126 over 3200 m² = 4.8 mu → 262.5 and 26.25 per mu.
A alone: 900 / 3 = 300 per mu. Promised 10000, arrived to date 1500 (park).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from luodi.aftercare import domain
from luodi.catalog.models import Achievement
from luodi.pipeline.domain.requests import raise_request, resolve
from luodi.pipeline.models import Project
from tests.aftercare.factories import Parks, make_landed, make_parks
from tests.conftest import Personas


def current_quarter(today: date | None = None) -> tuple[str, date]:
    today = today or timezone.localdate()
    q = (today.month - 1) // 3 + 1
    return f"{today.year}-Q{q}", date(today.year, 3 * (q - 1) + 1, 1)


@dataclass
class Portfolio:
    parks: Parks
    a: Project
    b: Project
    c: Project
    code: str


def build(personas: Personas) -> Portfolio:
    parks = make_parks()
    today = timezone.localdate()
    code, q_start = current_quarter(today)
    before = (q_start - timedelta(days=1)).replace(day=1)
    staff = personas.staff
    a = make_landed(personas, parks.park, title="机密骨科机器人项目")
    b = make_landed(personas, parks.park, title="心血管支架转化项目")
    c = make_landed(personas, parks.other, title="保密肿瘤新药项目")
    Achievement.objects.filter(pk=c.achievement_id).update(disclosure="confidential")
    domain.record_figures(
        actor=staff,
        project=a,
        period=before,
        values={"capital_wan": "1000", "output_wan": "100"},
    )
    domain.record_figures(
        actor=staff,
        project=a,
        period=today,
        values={"capital_wan": "500", "output_wan": "900", "tax_wan": "90", "area_m2": 2000},
    )
    domain.record_figures(
        actor=staff, project=b, period=today, values={"output_wan": "360", "tax_wan": "36"}
    )
    domain.record_figures(actor=staff, project=c, period=today, values={"capital_wan": "200"})
    domain.set_milestone(
        actor=staff, project=a, kind="lease_signed", actual_on=today, confirm_warnings=True
    )
    domain.set_milestone(
        actor=staff, project=b, kind="production", actual_on=today, confirm_warnings=True
    )
    domain.save_subsidy(
        actor=staff,
        project=a,
        values={
            "kind": "rent",
            "policy": "房租补贴",
            "applied_on": today,
            "amount_applied_wan": Decimal("100"),
            "status": "applied",
        },
    )
    item = a.subsidies.get()
    domain.save_subsidy(
        actor=staff,
        project=a,
        subsidy=item,
        expected_version=item.version,
        values={"status": "approved", "approved_on": today, "amount_approved_wan": Decimal(80)},
    )
    item.refresh_from_db()
    domain.save_subsidy(
        actor=staff,
        project=a,
        subsidy=item,
        expected_version=item.version,
        values={"status": "paid", "paid_on": today, "amount_paid_wan": Decimal(50)},
    )
    req = raise_request(
        actor=staff,
        project=a,
        owner=staff,
        values={"category": "site", "title": "双回路供电", "due_date": today + timedelta(days=5)},
    )
    resolve(actor=staff, request=req, resolution="园区协调完成")
    for p in (a, b, c):
        p.refresh_from_db()
    return Portfolio(parks, a, b, c, code)
