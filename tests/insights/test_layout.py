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
