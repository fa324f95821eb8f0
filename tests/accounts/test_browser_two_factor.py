"""Staff two-factor sign-in in the browser: enrol with the QR page's key, sign in with a
code; a wrong code is refused. Screenshots in zh, en and at 390 px go to test-artifacts/."""

from __future__ import annotations

import re
import time
from base64 import b32decode, b32encode

from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from tests.accounts.conftest import enrolled
from tests.browser_fixtures import keep_screenshot, sign_in
from tests.conftest import Personas
from tests.factories import PASSWORD, PersonFactory


def _app_code(key: str, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for the key typed from the enrolment page."""
    totp = TOTP(b32decode(key.replace(" ", "")), step=30, t0=0, digits=6, drift=0)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def test_staff_enrols_an_app_and_signs_in_with_a_code(page: Page, personas: Personas) -> None:
    sign_in(page, "staff_user", PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/\?next="))
    expect(page.locator("[data-testid=two-factor-required]")).to_be_visible()
    expect(page.locator("[data-testid=totp-qr]")).to_be_visible()
    keep_screenshot(page, "two_factor_setup_zh")
    key = page.locator("[data-testid=totp-key]").inner_text()

    page.fill("input[name=code]", _app_code(key))
    page.click("[data-testid=confirm-code]")
    expect(page.locator("[data-testid=backup-codes] li")).to_have_count(10)
    keep_screenshot(page, "two_factor_backup_codes_zh")
    page.click("[data-testid=codes-done]")
    expect(page.locator("h1")).to_contain_text("欢迎")

    page.click("[data-testid=sign-out]")
    sign_in(page, "staff_user", PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/login/code/$"))
    page.click("button[name=language][value=en]")
    expect(page.locator("h1")).to_contain_text("Enter your sign-in code")
    keep_screenshot(page, "two_factor_code_en")
    page.fill("input[name=code]", _app_code(key, steps_ahead=1))  # the first one is spent
    page.click("[data-testid=verify-code]")
    expect(page.locator("h1")).to_contain_text("Welcome")

    page.goto("/accounts/two-factor/")
    expect(page.locator("[data-testid=two-factor-on]")).to_contain_text("10")
    keep_screenshot(page, "two_factor_setup_en")


def test_wrong_code_is_refused(page: Page, personas: Personas) -> None:
    enrolled(personas.staff)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "staff_user", PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/login/code/$"))

    page.fill("input[name=code]", "000000")
    page.click("[data-testid=verify-code]")

    expect(page.locator(".field.has-error .error")).to_contain_text("验证码不正确")
    expect(page).to_have_url(re.compile(r"/accounts/login/code/$"))
    keep_screenshot(page, "two_factor_wrong_code_390")
    page.goto("/catalog/organizations/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_staff_records_legal_basis_and_anonymises_a_person(page: Page, personas: Personas) -> None:
    person = PersonFactory(name_zh="王芳", email="wang.fang@example.org")
    device = enrolled(personas.staff)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "staff_user", PASSWORD)
    page.fill("input[name=code]", _app_code(b32encode(device.bin_key).decode()))
    with page.expect_navigation(wait_until="load"):
        page.click("[data-testid=verify-code]")

    page.goto(f"/catalog/people/{person.pk}/")
    page.click("[data-testid=person-privacy-link]")
    page.select_option("select[name=legal_basis]", "consent")
    page.click("[data-testid=save-legal-basis]")
    expect(page.locator(".messages")).to_contain_text("处理依据已保存")
    keep_screenshot(page, "person_privacy_390")
    page.check("input[name=confirm]")
    page.click("[data-testid=anonymise-person]")
    expect(page.locator("[data-testid=anonymised]")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("已匿名")
