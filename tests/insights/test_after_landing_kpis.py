"""After-landing KPIs on a hand-built portfolio (tests/insights/after_landing_data.py)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from luodi.insights import gov_report
from luodi.insights import landing_kpis as kpis
from luodi.insights.after_landing import per_mu
from luodi.insights.base import EVERYTHING
from tests.aftercare.factories import make_landed
from tests.conftest import Personas, client_for
from tests.insights.after_landing_data import build

pytestmark = [pytest.mark.django_db]


def _charts(user, code):  # type: ignore[no-untyped-def]
    start, end = gov_report.parse_period(code)
    return kpis.charts(user, start, end, EVERYTHING)


def _row(chart, label):  # type: ignore[no-untyped-def]
    return next(r for r in chart.rows if r["label"] == label)


def test_output_per_mu_and_promised_versus_arrived(personas: Personas) -> None:
    data = build(personas)
    charts = _charts(personas.staff, data.code)

    summary = charts["summary"].rows[0]
    park = _row(charts["per_mu_by_park"], "成都医学城")
    capital = _row(charts["capital_by_park"], "成都医学城")
    other = _row(charts["capital_by_park"], "天府国际生物城")
    stages = _row(charts["stages_by_park"], "成都医学城")
    subsidies = _row(charts["subsidies_by_park"], "成都医学城")

    # 1260 output and 126 tax over 3200 m² = 4.8 mu.
    assert (park["output"], park["tax"], park["area_mu"]) == (1260, 126, 4.8)
    assert (park["output_per_mu"], park["tax_per_mu"]) == (262.5, 26.25)
    assert (capital["promised"], capital["arrived"], capital["share"]) == (10000, 1500, 15.0)
    assert (other["promised"], other["arrived"]) == (5000, 200)
    assert (stages["landed"], stages["producing"]) == (2, 1)
    assert (subsidies["applied"], subsidies["approved"], subsidies["paid"]) == (100, 80, 50)
    assert summary["landed"] == 3 and summary["producing"] == 1
    assert (summary["promised"], summary["arrived"], summary["arrived_period"]) == (
        15000,
        1700,
        700,
    )
    assert (summary["raised"], summary["solved"], summary["paid"]) == (1, 1, 50)
    # Project A alone: 900 over 3 mu (its reported 2000 m², not the 1200 leased).
    assert per_mu(Decimal(900), 2000) == 300


def test_milestones_staff_areas_and_segments(personas: Personas) -> None:
    data = build(personas)
    charts = _charts(personas.staff, data.code)

    steps = {r["milestone"]: r for r in charts["milestones_by_park"].rows}
    park, other = (f"park_{data.parks.park.pk}", f"park_{data.parks.other.pk}")
    assert (steps["lease_signed"][park], steps["production"][park], steps["none"][park]) == (
        1,
        1,
        0,
    )
    assert (steps["none"][other], steps["lease_signed"][other]) == (1, 0)
    person = charts["by_staff"].rows[0]
    assert (person["advanced"], person["landings"], person["solved"]) == (3, 3, 1)
    assert person["median_days"] == 0
    assert sum(r["landed"] for r in charts["by_area"].rows) == 3
    assert sum(r["landed"] for r in charts["by_segment"].rows) == 3
    area = charts["area_by_month"]
    assert area.rows[-1]["month"] <= f"{gov_report.parse_period(data.code)[1]:%Y-%m}"


def test_a_park_sees_only_its_own_projects(personas: Personas) -> None:
    data = build(personas)
    charts = _charts(data.parks.park_user, data.code)

    summary = charts["summary"].rows[0]
    assert (summary["followed"], summary["arrived"]) == (2, 1500)
    labels = {r["label"] for r in charts["capital_by_park"].rows}
    assert labels == {"成都医学城"}
    other = _charts(data.parks.other_user, data.code)["summary"].rows[0]
    assert (other["followed"], other["arrived"]) == (1, 200)


def test_viewer_never_gets_a_title_and_small_confidential_groups_are_hidden(
    personas: Personas,
) -> None:
    data = build(personas)
    response = client_for(personas.viewer).get(f"/api/insights/after-landing?period={data.code}")
    body = response.content.decode()

    assert response.status_code == 200
    for title in (data.a.title, data.b.title, data.c.title):
        assert title not in body
    charts = {c["key"]: c for c in json.loads(body)["charts"]}
    other = next(r for r in charts["capital_by_park"]["rows"] if r["label"] == "天府国际生物城")
    assert other["suppressed"] is True and other["arrived"] is None
    assert charts["by_staff"]["rows"] == []
    page = client_for(personas.viewer).get(f"/insights/after-landing/?period={data.code}")
    html = page.content.decode()
    assert page.status_code == 200
    for title in (data.a.title, data.b.title, data.c.title):
        assert title not in html


def test_a_fixed_number_of_queries(personas: Personas) -> None:
    data = build(personas)
    start, end = gov_report.parse_period(data.code)
    with CaptureQueriesContext(connection) as few:
        kpis.charts(personas.staff, start, end)
    for i in range(3):
        make_landed(personas, data.parks.park, title=f"更多项目{i}")
    with CaptureQueriesContext(connection) as more:
        kpis.charts(personas.staff, start, end)

    assert len(few) == len(more)
    assert len(few) <= 25


def test_page_exports_and_api(personas: Personas) -> None:
    data = build(personas)
    client = client_for(personas.staff)

    page = client.get(f"/insights/after-landing/?period={data.code}")
    csv = client.get(f"/insights/after-landing/charts/per_mu_by_park.csv?period={data.code}")
    xlsx = client.get(f"/insights/after-landing/charts/summary.xlsx?period={data.code}")
    api = client.get("/api/insights/after-landing", {"period": data.code})
    bad = client.get("/api/insights/after-landing", {"period": "2026-Q5"})
    bad_page = client.get("/insights/after-landing/?period=2026-13")

    assert page.status_code == 200 and 'data-chart-canvas="per_mu_by_park"' in page.content.decode()
    assert csv.status_code == 200 and "262.5" in csv.content.decode("utf-8-sig")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    assert api.status_code == 200 and api.json()["charts"][0]["key"] == "summary"
    assert bad.status_code == 422 and "period" in bad.json()["error"]["fields"]
    assert bad_page.status_code == 200 and "has-error" in bad_page.content.decode()
