"""The dashboard in Chromium: charts from demo data, click-to-filter, table view, report
generation and download, and the viewer's aggregate-only view."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from luodi import demo
from luodi.catalog.models import Achievement, Organization
from luodi.insights.models import ReportJob
from luodi.insights.reports import CJK_FONT
from luodi.pipeline.models import Project
from tests.browser.conftest import sign_in
from tests.browser_fixtures import keep_screenshot


@pytest.fixture
def demo_data(transactional_db, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    demo.load(io.StringIO())


def _first_stage(page) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    box = page.locator("[data-chart-canvas=funnel]").bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + 75  # inside the top funnel segment


def test_dashboard_charts_drill_table_and_report(page, demo_data) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "staff", demo.DEMO_PASSWORD)
    page.goto("/insights/")
    expect(page.locator("#insights[data-ready=true]")).to_be_attached()
    funnel = page.locator("[data-chart-canvas=funnel]")
    expect(funnel.locator("canvas")).to_be_visible()
    assert page.locator("[data-chart-canvas][data-rendered=true]").count() >= 8
    keep_screenshot(page, "insights-dashboard")

    page.mouse.click(*_first_stage(page))
    expect(page.locator("[data-testid=drill-row]").first).to_be_visible()

    page.click("[data-toggle-table=funnel]")
    expect(page.locator("[data-chart-table=funnel]")).to_be_visible()
    expect(funnel).to_be_hidden()
    trend = page.locator("[data-chart-canvas=landing_time_trend][data-rendered=true]")
    expect(trend.locator("canvas")).to_be_visible()
    page.click("[data-toggle-table=landing_time_trend]")
    expect(page.locator("[data-chart-table=landing_time_trend] tbody tr")).to_have_count(12)

    if not Path(CJK_FONT).exists():
        pytest.skip(f"{CJK_FONT} missing: the report part needs `make` (fonts-wqy-microhei)")
    page.goto("/insights/reports/")
    page.select_option("select[name=period]", "quarter")
    park = page.locator("[data-testid=report-scope] optgroup").first.locator("option").first
    park_name, park_value = park.inner_text(), park.get_attribute("value")
    assert park_value and park_value.startswith("park:")
    page.select_option("[data-testid=report-scope]", park_value)
    page.click("[data-testid=report-form] button[type=submit]")
    expect(page.locator("[data-testid=report-row][data-status=done]")).to_be_visible(timeout=30_000)
    expect(page.locator("[data-testid=report-scope-label]").first).to_have_text(park_name)
    with page.expect_download() as download:
        page.click("[data-testid=download-pdf]")
    path = download.value.path()
    assert Path(path).read_bytes().startswith(b"%PDF")
    job = ReportJob.objects.get()
    assert (job.scope, job.scope_park_id) == ("park", int(park_value.split(":")[1]))


def test_viewer_sees_aggregates_without_confidential_titles(page, demo_data) -> None:  # type: ignore[no-untyped-def]
    confidential = Achievement.objects.filter(disclosure="confidential")
    secret = [t for pair in confidential.values_list("title_zh", "title_en") for t in pair if t]
    secret += [
        t
        for t in Project.objects.filter(achievement__in=confidential).values_list(
            "title", flat=True
        )
        if t
    ]
    assert secret, "the demo data has confidential achievements"
    sign_in(page, "viewer", demo.DEMO_PASSWORD)
    page.goto("/insights/")
    expect(page.locator("#insights[data-ready=true]")).to_be_attached()
    expect(page.locator("[data-chart-canvas=funnel] canvas")).to_be_visible()
    page.mouse.click(*_first_stage(page))
    expect(page.locator("[data-testid=drill-aggregate]")).to_be_visible()
    page.click("[data-toggle-table=funnel]")
    expect(page.locator("[data-chart-table=funnel]")).to_be_visible()
    html = page.content()
    for title in secret:
        assert title not in html


def test_map_graph_and_layout_render_offline(page, demo_data) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "staff", demo.DEMO_PASSWORD)
    page.goto("/insights/map/")
    expect(page.locator("#insights-map[data-ready=true]")).to_be_attached()
    expect(page.locator("[data-map-canvas][data-rendered=true] canvas")).to_be_visible()
    expect(page.locator("[data-graph-canvas][data-rendered=true] canvas")).to_be_visible()
    keep_screenshot(page, "insights-map")

    page.goto("/insights/layout/")
    expect(page.locator("[data-testid=layout-matrix]")).to_be_visible()
    expect(page.locator("[data-testid=layout-segments-note]")).to_be_visible()
    page.locator("[data-testid=gap]").first.click()
    expect(page.locator("[data-testid=gap-detail] h2")).to_be_visible()
    keep_screenshot(page, "insights-layout")

    # Editing an organization's industry-chain segments (checkboxes) stores the codes.
    org = Organization.objects.filter(kind="cro", is_demo=True).order_by("pk").first()
    assert org is not None
    page.goto(f"/catalog/organizations/{org.pk}/edit/")
    page.check("input[name=chain_segments][value=distribution]")
    page.click("form.editform button[type=submit]")
    expect(page.locator("[data-testid=chain-segments]")).to_be_visible()
    org.refresh_from_db()
    assert "distribution" in org.chain_segments
