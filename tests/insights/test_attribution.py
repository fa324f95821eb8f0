"""Attribution: the touches before each landing, the summary, the filters, disclosure (a park
member never reads another park's visit title), the API's 422s and the page's field errors."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from luodi.insights.attribution import attribution
from tests.conftest import Personas, client_for
from tests.insights.attribution_data import HIDDEN_VISIT, LANDED, build, landed_on

pytestmark = pytest.mark.django_db


def test_staff_see_every_touch_before_landing(personas: Personas) -> None:
    w = build(personas)
    result = attribution(personas.staff)
    by_pk = {p.pk: p for p in result.projects}
    p = by_pk[w.p.pk]
    assert p.landed_on == LANDED and p.park == w.parks.park.name_zh
    assert [(t.kind, (LANDED - t.day).days) for t in p.touches] == [
        ("event", 50),
        ("partnering", 50),
        ("event", 40),
        ("visit", 35),
        ("visit", 30),
        ("visit", 25),
        ("meeting", 20),
    ]
    assert p.hidden == 0 and p.days_from_first_touch == 50
    assert by_pk[w.q.pk].touches == []
    s = result.summary
    assert (s.landed, s.with_visit, s.with_event, s.with_partnering, s.with_any) == (2, 1, 1, 1, 1)
    assert (s.visit_share, s.median_days, s.touches_per_project, s.hidden) == (50, 50.0, 3.5, 0)


def test_a_park_member_sees_its_projects_and_only_counts_others_touches(personas: Personas) -> None:
    w = build(personas)
    result = attribution(w.parks.park_user)
    assert [p.pk for p in result.projects] == [w.p.pk]
    p = result.projects[0]
    assert HIDDEN_VISIT not in {t.title for t in p.touches}
    assert sorted(t.kind for t in p.touches) == ["event", "event", "meeting", "visit", "visit"]
    assert p.hidden == 2  # the other park's visit and a one-to-one meeting it was not part of
    page = client_for(w.parks.park_user).get("/insights/attribution/").content.decode()
    assert HIDDEN_VISIT not in page and 'data-count="2"' in page
    assert w.q.title not in page
    export = client_for(w.parks.park_user).get("/insights/attribution/export.xlsx")
    book = load_workbook(io.BytesIO(export.content))
    cells = {
        str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row
    }
    assert HIDDEN_VISIT not in cells and w.q.title not in cells and w.p.title in cells
    api = client_for(w.parks.park_user).get("/api/insights/attribution").content.decode()
    assert HIDDEN_VISIT not in api and w.q.title not in api


def test_the_other_park_sees_neither_project_nor_visit_of_park(personas: Personas) -> None:
    w = build(personas)
    result = attribution(w.parks.other_user)
    assert [p.pk for p in result.projects] == [w.q.pk]
    assert attribution(personas.viewer).projects == []


def test_filters_by_year_and_park(personas: Personas) -> None:
    w = build(personas)
    assert attribution(personas.staff, year=LANDED.year - 1).projects == []
    assert len(attribution(personas.staff, year=LANDED.year).projects) == 2
    only = attribution(personas.staff, park_id=w.parks.other.pk).projects
    assert [p.pk for p in only] == [w.q.pk]


def test_a_fixed_number_of_queries(personas: Personas) -> None:
    w = build(personas)
    with CaptureQueriesContext(connection) as two:
        attribution(personas.staff)
    for n in range(3):
        landed_on(personas, w.parks.park, f"追加项目{n}", LANDED - timedelta(days=n))
    with CaptureQueriesContext(connection) as five:
        assert len(attribution(personas.staff).projects) == 5
    assert len(five.captured_queries) == len(two.captured_queries) <= 25


def test_api_answers_and_refuses_bad_filters(personas: Personas) -> None:
    w = build(personas)
    c = client_for(personas.staff)
    body = c.get(f"/api/insights/attribution?year={LANDED.year}").json()
    assert (
        body["summary"]["landed"] == 2
        and body["summary"]["median_days_first_touch_to_landing"] == 50
    )
    p = next(x for x in body["projects"] if x["project_id"] == w.p.pk)
    assert len(p["touches"]) == 7 and p["touches"][0]["date"] == str(LANDED - timedelta(days=50))
    bad = c.get("/api/insights/attribution?year=1800")
    assert bad.status_code == 422 and list(bad.json()["error"]["fields"]) == ["year"]
    bad = client_for(w.parks.park_user).get("/api/insights/attribution?park=999999")
    assert bad.status_code == 422 and list(bad.json()["error"]["fields"]) == ["park"]
    assert c.get("/api/insights/attribution?year=abc").status_code == 422


def test_page_bad_filter_is_a_field_error_not_a_500(personas: Personas) -> None:
    build(personas)
    c = client_for(personas.staff)
    for query in ("year=abc", "year=1800", "park=999999"):
        response = c.get(f"/insights/attribution/?{query}")
        assert response.status_code == 400
        assert b'class="field has-error"' in response.content
        assert b'data-testid="attribution-projects"' not in response.content
    assert c.get("/insights/attribution/export.xlsx?year=abc").status_code == 400
    ok = c.get(f"/insights/attribution/?year={LANDED.year}")
    assert ok.status_code == 200 and b'data-testid="kpi-landed"><span class="big">2<' in ok.content
