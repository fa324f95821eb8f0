"""The top bar groups the menu into drop-downs; each user sees only the groups they may use."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.conftest import Personas
from tests.factories import PASSWORD


def test_menu_group_opens_and_leads_to_the_page(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "staff_user", PASSWORD)
    group = page.locator("[data-testid=navgroup-catalog]")
    link = group.locator("a[href='/catalog/achievements/']")
    expect(link).to_be_hidden()
    group.locator("summary").click()
    expect(link).to_be_visible()
    page.locator("h1").first.click()  # a click elsewhere closes the drop-down
    expect(link).to_be_hidden()
    group.locator("summary").click()
    link.click()
    expect(page).to_have_url(re.compile(r"/catalog/achievements/$"))
    # The group of the page you are on is marked, and the bar stays on one line.
    expect(page.locator("[data-testid=navgroup-catalog] a[aria-current=page]")).to_have_count(1)
    box = page.locator(".mainnav").bounding_box()
    assert box is not None and box["height"] < 60


def test_viewer_sees_no_administration_group(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "viewer_user", PASSWORD)
    expect(page.locator("[data-testid=navgroup-catalog]")).to_have_count(1)
    expect(page.locator("[data-testid=navgroup-admin]")).to_have_count(0)


def test_language_switch_keeps_the_page_and_the_bar_on_one_row(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    # A long bilingual name is the case that used to push the menu onto a second row.
    personas.staff.display_name = "演示管理员 Demo Administrator of the Center"
    personas.staff.save()
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, "staff_user", PASSWORD)
    page.goto("/catalog/achievements/")
    expect(page.locator("h1")).to_have_text("科技成果")
    expect(page.locator("[data-testid=language-zh-hans]")).to_have_attribute("aria-pressed", "true")

    page.locator("[data-testid=language-en]").click()

    expect(page).to_have_url(re.compile(r"/catalog/achievements/$"))
    expect(page.locator("h1")).to_have_text("Achievements")
    expect(page.locator("[data-testid=sign-out]")).to_have_text("Sign out")
    bar = page.locator(".topbar").bounding_box()
    assert bar is not None and bar["height"] < 70, bar
    page.locator("[data-testid=language-zh-hans]").click()
    expect(page.locator("h1")).to_have_text("科技成果")


def test_pages_fit_a_phone_screen(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    # Staff run inspections from their phones: nothing may widen the page past the screen
    # (the menu wraps, facts stack, wide tables and selects scroll or shrink inside it).
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "staff_user", PASSWORD)
    for path in ("/", "/catalog/achievements/", "/search/?q=%E8%82%BF%E7%98%A4", "/no-such-page/"):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (path, width)
    expect(page.locator("[data-testid=error-404]")).to_be_visible()
