from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.conftest import Personas
from tests.factories import PASSWORD


def test_sign_in_switch_language_and_sign_out(page, personas: Personas) -> None:
    sign_in(page, "partner_a", PASSWORD)
    expect(page.locator("h1")).to_contain_text("欢迎")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    page.click("button[name=language][value=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_contain_text("Welcome")

    page.click("[data-testid=sign-out]")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.goto("/accounts/profile/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_failed_sign_in_shows_message_without_enumeration(page, personas: Personas) -> None:
    sign_in(page, "partner_a", "not-the-password")
    known = page.locator(".form-errors").inner_text()
    sign_in(page, "nobody-here", "not-the-password")
    unknown = page.locator(".form-errors").inner_text()
    assert known == unknown
    assert "用户名" in known or "密码" in known


def test_sign_in_is_throttled_after_repeated_failures(page, personas: Personas, settings) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        sign_in(page, "partner_a", "wrong-password-x")
    sign_in(page, "partner_a", PASSWORD)
    expect(page.locator("[data-testid=locked-out]")).to_be_visible()
    page.goto("/accounts/profile/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_create_api_token_with_htmx(page, personas: Personas) -> None:
    sign_in(page, "partner_a", PASSWORD)
    page.goto("/accounts/profile/")
    page.click("#tokens button.button")  # empty name: the form comes back with an error
    expect(page.locator("#tokens .error")).to_be_visible()
    page.fill("#tokens input[name=name]", "nightly import")
    page.click("#tokens button.button")
    expect(page.locator("[data-testid=new-token]")).to_contain_text("ld_")
    expect(page.locator("#tokens table")).to_contain_text("nightly import")


def test_chosen_language_is_remembered_across_browsers(page, personas: Personas) -> None:
    sign_in(page, "partner_a", PASSWORD)
    page.click("button[name=language][value=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto("/accounts/profile/")
    expect(page.locator("[data-testid=mail-language]")).to_contain_text("English")

    page.context.clear_cookies()  # as a new browser: no session, no language cookie
    sign_in(page, "partner_a", PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_contain_text("Welcome")
