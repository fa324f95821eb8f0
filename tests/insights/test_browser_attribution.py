"""Attribution in the browser: a park member reads its landed project's timeline (and only a
count of what it may not see) on a phone; a bad year shows the field's error, not a 500."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser_fixtures import sign_in
from tests.conftest import Personas
from tests.factories import PASSWORD
from tests.insights.attribution_data import HIDDEN_VISIT, LANDED, build

pytestmark = [pytest.mark.browser]


def _fits(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_park_member_reads_what_led_to_landing(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    w = build(personas)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "park_user", PASSWORD)
    page.goto("/insights/attribution/")
    page.fill("input[name=year]", str(LANDED.year))
    page.get_by_test_id("attribution-show").click()
    card = page.get_by_test_id(f"project-{w.p.pk}")
    expect(card.get_by_test_id("touch")).to_have_count(5)
    expect(card.get_by_test_id("hidden-touches")).to_have_attribute("data-count", "2")
    expect(page.get_by_test_id("kpi-landed")).to_contain_text("1")
    assert HIDDEN_VISIT not in page.content()
    assert _fits(page)
    card.get_by_test_id("touch").first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/engagements/events/\d+/$"))


def test_a_bad_year_shows_the_field_error(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    build(personas)
    sign_in(page, "staff_user", PASSWORD)
    page.goto("/insights/attribution/")
    page.fill("input[name=year]", "1800")
    page.get_by_test_id("attribution-show").click()
    expect(page.get_by_test_id("filter-year").locator(".error")).to_be_visible()
    expect(page.get_by_test_id("attribution-projects")).to_have_count(0)
