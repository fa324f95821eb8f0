from __future__ import annotations

import pytest

from luodi.insights.layout import industry_layout, segment_of
from tests.conftest import Personas, client_for
from tests.factories import AchievementFactory, OrganizationFactory, TermFactory

pytestmark = [pytest.mark.django_db]


def test_segment_of_kinds_and_names() -> None:
    assert segment_of("institute", "") == "discovery"
    assert segment_of("hospital", "") == "clinical"
    assert segment_of("cro", "天府生物制剂CDMO") == "cdmo"
    assert segment_of("cro", "Acme CRO") == "cro"
    assert segment_of("company", "川药医药物流") == "distribution"
    assert segment_of("investor", "") == "services"
    assert segment_of("park", "") is None


def test_layout_fills_cells_and_reports_gaps(personas: Personas) -> None:
    oncology = TermFactory(scheme="area", code="C00", label_zh="肿瘤", label_en="Oncology")
    lung = TermFactory(scheme="area", code="C34", label_zh="肺癌", label_en="Lung", parent=oncology)
    park = OrganizationFactory(kind="park", district="温江区", status="published")
    hospital = OrganizationFactory(kind="hospital", district="温江区", status="published")
    hospital.focus_areas.add(lung)
    far = OrganizationFactory(kind="institute", district="双流区", status="published")
    far.focus_areas.add(oncology)
    AchievementFactory(owner=far, status="published").therapeutic_areas.add(lung)

    region = industry_layout(personas.staff)
    in_park = industry_layout(personas.staff, park)

    assert region.areas == [(oncology.pk, "肿瘤")]
    cells = {key: cells[0] for key, _label, cells in region.rows}
    assert [pk for pk, _n in cells["clinical"].orgs] == [hospital.pk]
    assert [pk for pk, _n in cells["discovery"].orgs] == [far.pk]
    assert region.gaps == 4
    park_cells = {key: cells[0] for key, _label, cells in in_park.rows}
    assert park_cells["discovery"].is_gap and not park_cells["clinical"].is_gap

    client = client_for(personas.viewer)
    page = client.get("/insights/layout/").content.decode()
    gap = client.get(f"/insights/layout/gap/?segment=cro&area={oncology.pk}").content.decode()
    assert 'data-testid="gap"' in page and hospital.name_zh in page
    assert far.name_zh in gap  # the achievement's owner is listed under the achievement


def test_map_and_graph_api_respect_confidentiality(personas: Personas) -> None:
    from tests.insights.fixtures import PATH, project_with_history

    park = OrganizationFactory(kind="park", latitude=30.7, longitude=103.8, status="published")
    company = OrganizationFactory(kind="company", status="published")
    secret = AchievementFactory(owner=personas.org_a, disclosure="confidential")
    project_with_history(
        personas.org_a,
        list(zip(PATH, range(0, 60, 10), strict=True)),
        achievement=secret,
        company=company,
        target_park=park,
    )
    from luodi.pipeline.models import LandingRecord, Project

    LandingRecord.objects.create(project=Project.objects.get(), entity_name="X", park=park)

    staff_map = client_for(personas.staff).get("/api/insights/map").json()
    viewer_map = client_for(personas.viewer).get("/api/insights/map").json()
    staff_graph = client_for(personas.staff).get("/api/insights/graph").json()
    viewer_graph = client_for(personas.viewer).get("/api/insights/graph").json()

    assert [p["landings"] for p in staff_map["points"] if p["id"] == park.pk] == [1]
    assert [p["landings"] for p in viewer_map["points"] if p["id"] == park.pk] == [None]
    assert {(lk["source"], lk["target"]) for lk in staff_graph["links"]} >= {
        (str(min(company.pk, park.pk)), str(max(company.pk, park.pk)))
    }
    assert viewer_graph["links"] == []


def test_stored_segments_override_the_derivation(personas: Personas) -> None:
    from luodi.insights.layout import segments_of

    area = TermFactory(scheme="area", code="C00", label_zh="肿瘤", label_en="Oncology")
    # a CRO by kind that stores CDMO and distribution: two cells, and not the CRO row
    cro = OrganizationFactory(
        kind="cro", status="published", chain_segments=["distribution", "cdmo"]
    )
    cro.focus_areas.add(area)
    derived = OrganizationFactory(kind="cro", name_zh="某CRO", status="published")
    derived.focus_areas.add(area)

    cells = {key: cells[0] for key, _label, cells in industry_layout(personas.staff).rows}

    assert segments_of("cro", "", ["distribution", "cdmo"]) == ["cdmo", "distribution"]
    assert segments_of("cro", "", ["nonsense"]) == ["cro"]  # unknown codes fall back
    assert [pk for pk, _n in cells["cdmo"].orgs] == [cro.pk]
    assert [pk for pk, _n in cells["distribution"].orgs] == [cro.pk]
    assert [pk for pk, _n in cells["cro"].orgs] == [derived.pk]
    gap = client_for(personas.staff).get(
        f"/insights/layout/gap/?segment=distribution&area={area.pk}"
    )
    assert cro.name_zh in gap.content.decode()


def test_layout_page_explains_stored_and_derived_segments(personas: Personas) -> None:
    page = client_for(personas.staff).get("/insights/layout/").content.decode()

    assert 'data-testid="layout-segments-note"' in page


def test_organization_form_stores_segments_and_rejects_unknown_codes(personas: Personas) -> None:
    from luodi.catalog.forms import OrganizationForm

    base = {"name_zh": "新公司", "kind": "company", "province": "四川省", "city": "成都市"}
    good = OrganizationForm({**base, "chain_segments": ["cro", "services"]}, user=personas.staff)
    bad = OrganizationForm({**base, "chain_segments": ["cro", "mining"]}, user=personas.staff)

    assert good.is_valid(), good.errors
    assert good.save().chain_segments == ["cro", "services"]
    assert not bad.is_valid() and "chain_segments" in bad.errors


def test_landed_projects_are_drawn_at_their_company_or_else_their_park(
    personas: Personas,
) -> None:
    from luodi.pipeline.models import LandingRecord
    from tests.insights.fixtures import PATH, project_with_history

    park = OrganizationFactory(
        kind="park", name_zh="坐标园区", latitude=30.7, longitude=103.8, status="published"
    )
    located = OrganizationFactory(
        name_zh="有坐标公司", latitude=30.61, longitude=104.05, status="published"
    )
    unlocated = OrganizationFactory(name_zh="无坐标公司", status="published")
    secret = AchievementFactory(owner=personas.org_a, disclosure="confidential")
    landed = list(zip(PATH, range(0, 60, 10), strict=True))
    for company, achievement in ((located, None), (unlocated, None), (located, secret)):
        project = project_with_history(
            personas.org_a, landed, company=company, achievement=achievement
        )
        LandingRecord.objects.create(project=project, entity_name="X", park=park)

    staff = client_for(personas.staff).get("/api/insights/map").json()["landed"]
    viewer = client_for(personas.viewer).get("/api/insights/map").json()["landed"]

    assert staff == [
        {"name": "坐标园区", "lon": 103.8, "lat": 30.7, "landings": 1},
        {"name": "有坐标公司", "lon": 104.05, "lat": 30.61, "landings": 2},
    ]
    # the viewer does not learn where the confidential project's company is: it joins the
    # park's spot, which has fewer than 3 projects and a confidential one, so is not drawn
    assert viewer == [{"name": "有坐标公司", "lon": 104.05, "lat": 30.61, "landings": 1}]
