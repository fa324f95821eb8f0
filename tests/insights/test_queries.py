from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from luodi.insights import queries
from luodi.pipeline.models import LandingRecord
from tests.conftest import Personas
from tests.factories import AchievementFactory, OrganizationFactory, TermFactory
from tests.insights.fixtures import PATH, portfolio, project_with_history

pytestmark = pytest.mark.django_db


def test_funnel_counts_and_rates_on_hand_built_portfolio(personas: Personas) -> None:
    portfolio(personas.org_a)

    chart = queries.funnel(personas.staff)

    assert [(r["stage"], r["count"]) for r in chart.rows] == [
        ("lead", 5),
        ("assessment", 4),
        ("matchmaking", 4),
        ("negotiation", 3),
        ("agreement_signed", 3),
        ("landed", 3),
    ]
    assert [r["rate"] for r in chart.rows] == [100.0, 80.0, 80.0, 60.0, 60.0, 60.0]
    assert [r["step_rate"] for r in chart.rows] == [None, 80.0, 100.0, 75.0, 100.0, 100.0]


def test_time_to_landing_median_and_p90(personas: Personas) -> None:
    portfolio(personas.org_a)

    row = queries.time_to_landing(personas.staff).rows[0]

    assert row == {"landed": 3, "median_days": 100.0, "p90_days": 124.0, "suppressed": False}


def test_time_per_stage_uses_completed_stays(personas: Personas) -> None:
    portfolio(personas.org_a)

    rows = {r["stage"]: r for r in queries.time_per_stage(personas.staff).rows}

    assert (rows["lead"]["stays"], rows["lead"]["median_days"]) == (4, 10.0)
    # assessment: P1 10, P2 20, P3 20, P5 16 → median 18
    assert (rows["assessment"]["stays"], rows["assessment"]["median_days"]) == (4, 18.0)


def test_percentile_interpolates_like_numpy() -> None:
    assert queries.percentile([50, 100, 130], 0.9) == pytest.approx(124.0)
    assert queries.percentile([7], 0.9) == 7
    assert queries.percentile([], 0.5) is None


def test_landings_by_park_sums(personas: Personas) -> None:
    data = portfolio(personas.org_a)

    rows = queries.landings_by_park(personas.staff).rows

    assert rows == [
        {
            "id": data["park"].pk,
            "label": "测试园区",
            "landings": 3,
            "investment_wan": 1750.0,
            "area_m2": 300,
            "jobs": 30,
            "suppressed": False,
        }
    ]


def test_partner_sees_only_projects_it_takes_part_in(personas: Personas) -> None:
    portfolio(personas.org_a)

    assert queries.funnel(personas.partner_b).rows[0]["count"] == 0
    assert queries.funnel(personas.partner_a).rows[0]["count"] == 5


def test_viewer_small_confidential_group_is_suppressed(personas: Personas) -> None:
    park = OrganizationFactory(kind="park", name_zh="小园区")
    secret = AchievementFactory(owner=personas.org_a, disclosure="confidential")
    p = project_with_history(
        personas.org_a, list(zip(PATH, range(0, 60, 10), strict=True)), achievement=secret
    )
    LandingRecord.objects.create(project=p, entity_name="X", park=park, investment_wan=9)

    viewer_rows = queries.landings_by_park(personas.viewer).rows
    staff_rows = queries.landings_by_park(personas.staff).rows

    assert viewer_rows[0]["suppressed"] is True
    assert viewer_rows[0]["landings"] is None and viewer_rows[0]["investment_wan"] is None
    assert staff_rows[0]["landings"] == 1
    assert queries.time_to_landing(personas.viewer).rows[0]["median_days"] is None


def test_viewer_large_group_is_shown(personas: Personas) -> None:
    portfolio(personas.org_a)

    rows = queries.funnel(personas.viewer).rows

    assert [r["count"] for r in rows] == [5, 4, 4, 3, 3, 3]


def _queries_for(user: object) -> int:
    with CaptureQueriesContext(connection) as ctx:
        queries.charts(user)  # type: ignore[arg-type]
    return len(ctx.captured_queries)


def test_dashboard_query_count_is_fixed_as_data_grows(personas: Personas) -> None:
    project_with_history(personas.org_a, list(zip(PATH, range(0, 60, 10), strict=True)))
    small = _queries_for(personas.staff)

    portfolio(personas.org_a)
    portfolio(personas.org_b)
    large = _queries_for(personas.staff)

    assert small == large
    assert large <= 15


def test_layout_and_graph_query_counts_are_fixed(personas: Personas) -> None:
    from luodi.insights.geo import map_points, relation_graph
    from luodi.insights.layout import industry_layout

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            industry_layout(personas.staff)
            map_points(personas.staff)
            relation_graph(personas.staff)
        return len(ctx.captured_queries)

    def hospital() -> None:
        org = OrganizationFactory(kind="hospital", latitude=30.6, longitude=104.0)
        org.focus_areas.add(TermFactory(scheme="area"))

    portfolio(personas.org_a)
    hospital()
    small = count()
    for _i in range(3):
        hospital()
    portfolio(personas.org_b)
    assert count() == small


def test_landing_time_trend_median_and_p90_by_month_of_landing(personas: Personas) -> None:
    """Landed (days after DAY0 = 2026-01-05): P1 50 → 02-24, P2 100 → 04-15, P5 130 →
    05-15, plus two more in February: 45 → 02-19 and 40 → 02-14.
    February [50, 45, 40]: median 45, p90 49 (linear interpolation)."""
    from datetime import date

    portfolio(personas.org_a)
    for days in ([0, 5, 10, 20, 30, 45], [0, 5, 10, 20, 30, 40]):
        project_with_history(personas.org_a, list(zip(PATH, days, strict=True)))

    chart = queries.landing_time_trend(personas.staff, today=date(2026, 6, 30))

    rows = {r["month"]: r for r in chart.rows}
    assert len(chart.rows) == 12 and chart.rows[-1]["month"] == "2026-06"
    assert (rows["2026-02"]["landed"], rows["2026-02"]["median_days"]) == (3, 45.0)
    assert rows["2026-02"]["p90_days"] == 49.0
    assert (rows["2026-04"]["median_days"], rows["2026-05"]["p90_days"]) == (100.0, 130.0)
    assert rows["2026-03"] == {
        "month": "2026-03",
        "landed": 0,
        "median_days": None,
        "p90_days": None,
        "suppressed": False,
    }


def test_landing_time_trend_is_in_the_api_and_exports(personas: Personas) -> None:
    from tests.conftest import client_for

    portfolio(personas.org_a)
    client = client_for(personas.staff)

    chart = client.get("/api/insights/charts/landing_time_trend").json()
    csv = client.get("/insights/charts/landing_time_trend.csv")

    assert (chart["kind"], chart["series"]) == ("line", ["median_days", "p90_days"])
    assert sum(r["landed"] for r in chart["rows"]) in (0, 3)  # 3 when the months are recent
    assert csv.status_code == 200 and len(csv.content.decode("utf-8-sig").splitlines()) == 13


def test_landing_time_trend_suppresses_a_small_confidential_month_for_viewers(
    personas: Personas,
) -> None:
    from datetime import date

    secret = AchievementFactory(owner=personas.org_a, disclosure="confidential")
    project_with_history(
        personas.org_a, list(zip(PATH, range(0, 60, 10), strict=True)), achievement=secret
    )  # lands on day 50: 2026-02-24

    viewer = {
        r["month"]: r
        for r in queries.landing_time_trend(personas.viewer, today=date(2026, 6, 30)).rows
    }
    staff = {
        r["month"]: r
        for r in queries.landing_time_trend(personas.staff, today=date(2026, 6, 30)).rows
    }

    assert viewer["2026-02"]["suppressed"] is True and viewer["2026-02"]["median_days"] is None
    assert staff["2026-02"]["median_days"] == 50.0
