"""Typing a Chinese query shows results without pressing Enter (htmx, CSP-clean)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import Personas
from tests.factories import PASSWORD, AchievementFactory
from tests.search.conftest import sign_in

pytestmark = [pytest.mark.browser]


def test_results_appear_while_typing(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    AchievementFactory(title_zh="可降解镁合金心血管支架", title_en="", summary_zh="用于冠脉介入。")
    AchievementFactory(title_zh="机密支架", owner=personas.org_a, disclosure="confidential")
    sign_in(page, "partner_b", PASSWORD)
    page.goto("/search/")
    page.locator("[data-testid=search-input]").press_sequentially("镁合金支架", delay=30)
    hit = page.locator("[data-testid=search-hit]")
    expect(hit).to_have_count(1)
    expect(hit.locator("mark").first).to_have_text(re.compile("镁合金"))
    expect(hit).to_contain_text("可降解")
    expect(page.locator("#search-count-achievements")).to_have_text("1")
    expect(page).to_have_url(re.compile(r"q=%E9%95%81"))  # the URL follows the query

    page.locator("[data-testid=search-input]").fill("支架")
    expect(page.locator("[data-testid=search-total]")).to_contain_text("1")
    expect(page.locator("body")).not_to_contain_text("机密")


def test_top_bar_box_shows_results_while_typing(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    AchievementFactory(title_zh="可降解镁合金心血管支架", title_en="")
    sign_in(page, "partner_b", PASSWORD)
    box = page.locator("[data-testid=topsearch-input]")
    box.press_sequentially("镁合金", delay=30)
    hit = page.locator("[data-testid=topsearch-hit]")
    expect(hit).to_have_count(1)
    expect(hit.locator("mark").first).to_have_text("镁合金")
    hit.locator("a").click()
    expect(page).to_have_url(re.compile(r"/catalog/achievements/\d+/"))
