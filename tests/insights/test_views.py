from __future__ import annotations

import pytest

from luodi.insights.forms import period_bounds
from luodi.pipeline.models import LandingRecord
from tests.conftest import Personas, client_for
from tests.factories import AchievementFactory, OrganizationFactory
from tests.insights.fixtures import PATH, portfolio, project_with_history

pytestmark = [pytest.mark.django_db]


def test_api_returns_every_chart_with_table_data(personas: Personas) -> None:
    portfolio(personas.org_a)

    response = client_for(personas.staff).get("/api/insights/charts")

    assert response.status_code == 200
    charts = {c["key"]: c for c in response.json()["charts"]}
    assert [r["count"] for r in charts["funnel"]["rows"]] == [5, 4, 4, 3, 3, 3]
    assert charts["time_to_landing"]["rows"][0]["median_days"] == 100.0


def test_charts_without_data_say_so_instead_of_drawing_equal_slices(personas: Personas) -> None:
    # No projects and no matches: the funnel and the decline-reason pie are all zeros.
    html = client_for(personas.staff).get("/insights/").content.decode()

    assert 'data-testid="chart-empty-funnel"' in html
    assert 'data-chart-canvas="funnel"' not in html
    assert 'data-chart-table="funnel"' in html  # the table view stays

    portfolio(personas.org_a)
    html = client_for(personas.staff).get("/insights/").content.decode()

    assert 'data-chart-canvas="funnel"' in html
    assert 'data-testid="chart-empty-funnel"' not in html
    assert 'data-testid="median-days">100</span>' in html  # whole days, not "100.0"


def test_api_one_chart_and_unknown_chart(personas: Personas) -> None:
    client = client_for(personas.staff)

    assert client.get("/api/insights/charts/funnel").json()["key"] == "funnel"
    missing = client.get("/api/insights/charts/nope")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_api_requires_authentication(db: None) -> None:
    assert client_for(None).get("/api/insights/charts").status_code == 401


def test_viewer_dashboard_shows_aggregates_without_confidential_titles(personas: Personas) -> None:
    park = OrganizationFactory(kind="park", name_zh="保密园区")
    secret = AchievementFactory(
        owner=personas.org_a, disclosure="confidential", title_zh="绝密抗体", title_en="SecretMab"
    )
    project = project_with_history(
        personas.org_a,
        list(zip(PATH, range(0, 60, 10), strict=True)),
        achievement=secret,
        title="绝密抗体转化项目",
    )
    LandingRecord.objects.create(project=project, entity_name="绝密公司", park=park)
    portfolio(personas.org_b)

    page = client_for(personas.viewer).get("/insights/").content.decode()
    api = client_for(personas.viewer).get("/api/insights/charts").content.decode()
    drill = client_for(personas.viewer).get("/insights/projects/?stage=landed").content.decode()

    for text in (page, api, drill):
        assert "绝密" not in text and "SecretMab" not in text
    assert 'data-testid="drill-aggregate"' in drill
    charts = {
        c["key"]: c
        for c in client_for(personas.viewer).get("/api/insights/charts").json()["charts"]
    }
    assert charts["funnel"]["rows"][0]["count"] == 6  # aggregates include the confidential one
    park_rows = {r["label"]: r for r in charts["landings_by_park"]["rows"]}
    assert park_rows["保密园区"]["suppressed"] is True and park_rows["保密园区"]["landings"] is None


def test_drill_by_park_lists_its_landings(personas: Personas) -> None:
    data = portfolio(personas.org_a)

    html = (
        client_for(personas.staff)
        .get(f"/insights/projects/?park={data['park'].pk}")
        .content.decode()
    )

    assert html.count('data-testid="drill-row"') == 3


def test_drill_lists_projects_that_reached_the_stage(personas: Personas) -> None:
    data = portfolio(personas.org_a)

    html = client_for(personas.staff).get("/insights/projects/?stage=negotiation").content.decode()

    assert html.count('data-testid="drill-row"') == 3
    for key in ("p1", "p2", "p5"):
        assert data[key].title in html


def test_export_csv_and_xlsx(personas: Personas) -> None:
    portfolio(personas.org_a)
    client = client_for(personas.staff)

    csv = client.get("/insights/charts/funnel.csv")
    xlsx = client.get("/insights/charts/funnel.xlsx")

    assert csv.status_code == 200
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 7 and lines[1].split(",")[1] == "5"
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get("/insights/charts/funnel.pdf").status_code == 404


def test_period_bounds_month_and_quarter() -> None:
    from datetime import date

    assert period_bounds("month", date(2026, 3, 15)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert period_bounds("quarter", date(2026, 5, 2)) == (date(2026, 1, 1), date(2026, 3, 31))
    assert period_bounds("quarter", date(2026, 2, 2)) == (date(2025, 10, 1), date(2025, 12, 31))


def test_home_template_with_dashboard_renders_for_each_role(personas: Personas, rf) -> None:  # type: ignore[no-untyped-def]
    from django.template.loader import render_to_string

    from luodi.catalog.queries import home_counts
    from luodi.insights.views import dashboard_context

    portfolio(personas.org_a)
    for user in (personas.staff, personas.partner_a, personas.viewer):
        request = rf.get("/")
        request.user = user
        html = render_to_string(
            "insights/home.html",
            {"counts": home_counts(user), **dashboard_context(request)},
            request=request,
        )
        assert 'id="insights"' in html and 'data-chart-canvas="funnel"' in html


def test_drill_by_area_lists_landed_projects_of_the_area(personas: Personas) -> None:
    data = portfolio(personas.org_a)
    area = data["p1"].achievement.therapeutic_areas.first()  # type: ignore[union-attr]
    if area is None:
        from tests.factories import TermFactory

        area = TermFactory(scheme="area")
        data["p1"].achievement.therapeutic_areas.add(area)  # type: ignore[union-attr]

    html = client_for(personas.staff).get(f"/insights/projects/?area={area.pk}").content.decode()

    assert data["p1"].title in html and data["p4"].title not in html
