"""#18 item 6 in Chromium: the map draws Chengdu's districts with their names, labels its
parks, tells the landing count (not the latitude) on hover and filters by layer; the graph
names its busiest organizations and filters by link type; the industry layout fits 1366 px
and stacks at 390 px."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from luodi.pipeline.models import LandingRecord, Project
from tests.browser.conftest import sign_in
from tests.conftest import Personas
from tests.engagements.factories import VisitFactory
from tests.factories import PASSWORD, OrganizationFactory, TermFactory
from tests.insights.fixtures import PATH, project_with_history

# Everything a tooltip or label drawn on the canvas says (ECharts keeps it in its scene).
CANVAS_TEXTS = """sel => {
  const chart = echarts.getInstanceByDom(document.querySelector(sel));
  return chart.getZr().storage.getDisplayList(true)
    .filter(e => e.style && typeof e.style.text === 'string' && !e.ignore && !e.invisible)
    .map(e => e.style.text);
}"""
POINT_PIXEL = """([sel, seriesId, name]) => {
  const chart = echarts.getInstanceByDom(document.querySelector(sel));
  const option = chart.getOption();
  const index = option.series.findIndex(s => s.id === seriesId);
  const item = option.series[index].data.find(d => d.name === name);
  const [x, y] = chart.convertToPixel({ seriesIndex: index }, item.value.slice(0, 2));
  const el = document.querySelector(sel);
  window.scrollBy(0, el.getBoundingClientRect().top + y - window.innerHeight / 2);
  const box = el.getBoundingClientRect();
  return [box.left + x, box.top + y];
}"""


@pytest.fixture
def region(personas: Personas) -> dict[str, Any]:
    park = OrganizationFactory(
        kind="park", name_zh="天府测试园", name_en="Tianfu Test Park", status="published",
        latitude=30.57, longitude=104.05, district="高新区",
    )  # fmt: skip
    hospital = OrganizationFactory(
        kind="hospital", name_zh="成都测试医院", status="published",
        latitude=30.64, longitude=104.06, district="武侯区",
    )  # fmt: skip
    OrganizationFactory(
        kind="hospital", name_zh="上海测试医院", status="published", latitude=31.2, longitude=121.4
    )
    companies = [
        OrganizationFactory(kind="company", name_zh=f"落地企业{i}", status="published")
        for i in range(3)
    ]
    for company in companies[:2]:
        project = project_with_history(
            personas.org_a,
            list(zip(PATH, range(0, 60, 10), strict=True)),
            company=company,
            target_park=park,
        )
        LandingRecord.objects.create(project=project, entity_name=company.name_zh, park=park)
    VisitFactory(organizer=companies[2], company=companies[2]).organizations.add(hospital)
    return {"park": park, "hospital": hospital, "projects": Project.objects.count()}


def test_map_draws_named_districts_labels_parks_and_tells_landings_on_hover(
    page, region: dict[str, Any]
) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "staff_user", PASSWORD)
    page.goto("/insights/map/")
    expect(page.locator("#insights-map[data-ready=true]")).to_be_attached()
    canvas = "[data-map-canvas]"

    districts = page.evaluate(
        "() => echarts.getMap('luodi-chengdu-districts')"
        ".geoJSON.features.map(f => f.properties.name)"
    )
    assert len(districts) == 20 and "新津区" in districts
    texts = page.evaluate(CANVAS_TEXTS, canvas)
    assert "郫都区" in texts and "新津区" in texts  # district names drawn
    assert "天府测试园" in texts  # park names drawn without hovering
    expect(page.locator("[data-map-count]")).to_have_text("显示 3 个点")
    expect(page.locator("[data-map-outside]")).to_contain_text("1")

    x, y = page.evaluate(POINT_PIXEL, [canvas, "park", "天府测试园"])
    page.mouse.move(x, y)
    page.wait_for_timeout(300)
    tooltip = page.evaluate(CANVAS_TEXTS, canvas)
    assert "落地项目：2" in tooltip
    assert not [t for t in tooltip if "30.57" in t]  # the latitude is not a count

    page.uncheck("[data-map-filter][value=hospital]")
    expect(page.locator("[data-map-count]")).to_have_text("显示 2 个点")
    names = page.evaluate(
        "() => echarts.getInstanceByDom(document.querySelector('[data-map-canvas]'))"
        ".getOption().series.find(s => s.id === 'hospital').data.length"
    )
    assert names == 0
    page.click("text=表格视图")
    expect(page.locator("[data-map-table] tbody tr:visible")).to_have_count(2)


def test_graph_names_nodes_explains_them_and_filters_links(page, region: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "staff_user", PASSWORD)
    page.goto("/insights/map/")
    expect(page.locator("#insights-map[data-ready=true]")).to_be_attached()
    canvas = "[data-graph-canvas]"
    count = page.locator("[data-graph-count]")
    # org_a–company, org_a–park, company–park for two projects; organizer–hospital visit.
    expect(count).to_have_text("显示 6 个机构、6 条关联")
    labelled = page.evaluate(
        """() => echarts.getInstanceByDom(document.querySelector('[data-graph-canvas]'))
          .getOption().series[0].data.filter(d => d.label.show).map(d => d.name)"""
    )
    assert len(labelled) == 6 and "天府测试园" in labelled  # under 25 nodes: all named
    # Drawn without hovering; a label that would overlap another waits for a hover.
    names = {"天府测试园", "甲机构", "成都测试医院", "落地企业0", "落地企业1", "落地企业2"}
    assert len(names & set(page.evaluate(CANVAS_TEXTS, canvas))) >= 3

    page.evaluate(
        """() => {
          const chart = echarts.getInstanceByDom(document.querySelector('[data-graph-canvas]'));
          const data = chart.getOption().series[0].data;
          chart.dispatchAction({ type: 'showTip', seriesIndex: 0,
            dataIndex: data.findIndex(d => d.name === '天府测试园') });
        }"""
    )
    page.wait_for_timeout(300)
    tooltip = page.evaluate(CANVAS_TEXTS, canvas)
    assert "产业园区" in tooltip and "关联：4" in tooltip

    page.uncheck("[data-graph-link-filter][value=visit]")
    expect(count).to_have_text("显示 4 个机构、5 条关联")
    page.uncheck("[data-graph-kind-filter][value=park]")
    expect(count).to_have_text("显示 3 个机构、2 条关联")


@pytest.mark.parametrize("width", [1366, 390])
def test_layout_fits_the_screen_with_clinical_and_cro_filled(
    page, personas: Personas, width: int
) -> None:  # type: ignore[no-untyped-def]
    icd = TermFactory(scheme="area", code="II", label_zh="肿瘤", label_en="Neoplasms")
    mesh = TermFactory(scheme="area", code="D009369", label_zh="肿瘤", label_en="Neoplasms")
    long_names = [
        TermFactory(scheme="area", code=f"X{i}", label_zh=f"很长很长的治疗领域名称第{i}类疾病")
        for i in range(14)
    ]
    company = OrganizationFactory(kind="company", status="published")
    company.focus_areas.add(mesh, *long_names)
    OrganizationFactory(kind="institute", status="published").focus_areas.add(icd)
    hospital = OrganizationFactory(kind="hospital", name_zh="测试肿瘤医院", status="published")
    hospital.focus_areas.add(TermFactory(scheme="specialty", code="oncology", label_zh="肿瘤科"))
    OrganizationFactory(kind="cro", name_zh="测试临床CRO", status="published")
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "staff_user", PASSWORD)
    page.goto("/insights/layout/")

    matrix = page.locator("[data-testid=layout-matrix]")
    expect(matrix).to_be_visible()
    assert page.locator("tr[data-area]").filter(has_text="肿瘤").count() == 1
    oncology = page.locator("tr[data-area]").filter(has_text="测试肿瘤医院")
    expect(oncology.locator("td[data-segment=clinical]")).to_contain_text("测试肿瘤医院")
    expect(page.locator("[data-testid=layout-general]")).to_contain_text("测试临床CRO")
    # Nothing runs past the right edge: neither the page nor the matrix scrolls sideways.
    overflow = page.evaluate(
        """() => [document.documentElement.scrollWidth - window.innerWidth,
                 document.querySelector('.layout-wrap').scrollWidth
                   - document.querySelector('.layout-wrap').clientWidth]"""
    )
    assert overflow == [0, 0]
    if width == 390:  # stacked: each area is a card with one line per segment
        assert matrix.locator("thead").is_hidden()
