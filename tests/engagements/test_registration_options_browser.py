"""Registration options in the browser on a phone-sized screen (#22). Main path: register for
a conference as a delegate with an invoice, and the ticket shows the category and fee; the
organiser marks the fee received and adds a category in place (htmx). Failure path, in a
messaging app's browser without scripts: a bad taxpayer ID and no consent give field errors
and nothing is saved; removing a category in use says why and keeps it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from luodi.engagements.models import Registration, RegistrationCategory
from tests.browser_fixtures import keep_screenshot, sign_in
from tests.conftest import Personas
from tests.engagements.test_registration_options_domain import TAX_ID, conference
from tests.engagements.test_registration_options_domain import register as register_directly
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
WECHAT_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI"
)
FORM = "[data-testid=register-form]"


def _fits(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_register_as_a_delegate_with_an_invoice(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    c = conference(personas)
    page.set_viewport_size(PHONE)
    page.goto(f"/public/events/{c.event.pk}/")
    assert _fits(page)
    page.fill(f"{FORM} input[name=name]", "李娜")
    page.fill(f"{FORM} input[name=email]", "li.na@example.org")
    page.locator(f"{FORM} [data-testid=category] input[value='{c.delegate.pk}']").check()
    page.locator(f"{FORM} [data-testid=q_{c.visit.pk}] input[value=yes]").check()
    page.locator(f"{FORM} [data-testid=invoice] summary").click()
    page.check(f"{FORM} input[name=wants_invoice]")
    page.fill(f"{FORM} input[name=invoice_title]", "成都某医院")
    page.fill(f"{FORM} input[name=tax_id]", TAX_ID)
    expect(page.get_by_test_id("privacy-notice")).to_contain_text(c.event.organizer.name_zh)
    page.check(f"{FORM} input[name=consent]")
    page.click("[data-testid=register]")

    expect(page.get_by_test_id("ticket-category")).to_contain_text("代表")
    expect(page.get_by_test_id("ticket-category")).to_contain_text("¥1,200.00")
    reg = Registration.objects.get(event=c.event)
    assert (reg.category_id, reg.fee_fen, reg.tax_id) == (c.delegate.pk, 120000, TAX_ID)
    assert reg.consent_at is not None

    sign_in(page, "partner_a", PASSWORD)
    page.goto(f"/engagements/events/{c.event.pk}/registrations/")
    fee = page.get_by_test_id(f"fee-{reg.pk}")
    fee.get_by_test_id("fee-mark").click()
    expect(page.get_by_test_id(f"fee-{reg.pk}")).to_have_attribute("data-paid", "yes")
    reg.refresh_from_db()
    assert reg.paid_at is not None

    page.get_by_test_id("registration-options-link").click()
    page.get_by_test_id("add-category").click()
    form = page.get_by_test_id("category-form")
    form.locator("input[name=name_zh]").fill("企业")
    form.locator("input[name=fee]").fill("2000")
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("category-row")).to_have_count(4)
    assert RegistrationCategory.objects.get(event=c.event, name_zh="企业").fee_fen == 200000
    assert _fits(page)


def test_bad_tax_id_and_no_consent_save_nothing(browser, live_server, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    c = conference(personas)
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        viewport=PHONE,
        user_agent=WECHAT_UA,
        java_script_enabled=False,
    )
    page = context.new_page()
    page.goto(f"/public/events/{c.event.pk}/")
    assert _fits(page)
    page.fill(f"{FORM} input[name=name]", "李娜")
    page.fill(f"{FORM} input[name=email]", "li.na@example.org")
    page.locator(f"{FORM} [data-testid=category] input[value='{c.delegate.pk}']").check()
    page.locator(f"{FORM} [data-testid=q_{c.visit.pk}] input[value=no]").check()
    page.locator(f"{FORM} [data-testid=invoice] summary").click()
    page.check(f"{FORM} input[name=wants_invoice]")
    page.fill(f"{FORM} input[name=invoice_title]", "成都某医院")
    page.fill(f"{FORM} input[name=tax_id]", "1234-5678")
    page.click("[data-testid=register]")

    expect(page.locator(f"{FORM} [data-testid=consent] [role=alert]")).to_be_visible()
    expect(page.locator(f"{FORM} .has-error input[name=tax_id]")).to_be_visible()
    # What was typed is still there, the choices too.
    expect(page.locator(f"{FORM} input[name=name]")).to_have_value("李娜")
    expect(
        page.locator(f"{FORM} [data-testid=category] input[value='{c.delegate.pk}']")
    ).to_be_checked()
    assert _fits(page)
    assert not Registration.objects.exists()
    keep_screenshot(page, "registration_options_refused")

    # Fixed: registered.
    page.fill(f"{FORM} input[name=tax_id]", TAX_ID)
    page.check(f"{FORM} input[name=consent]")
    page.click("[data-testid=register]")
    expect(page.get_by_test_id("ticket-category")).to_contain_text("代表")
    assert Registration.objects.get(event=c.event).tax_id == TAX_ID
    context.close()


def test_removing_a_category_in_use_says_why(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    c = conference(personas)
    register_directly(c)
    page.set_viewport_size(PHONE)
    sign_in(page, "partner_a", PASSWORD)
    page.goto(f"/engagements/events/{c.event.pk}/registration-options/")
    row = page.locator(f"#categories-{c.delegate.pk}")
    row.get_by_test_id("option-remove").click()
    page.get_by_test_id("option-confirm-row").get_by_test_id("confirm-yes").click()
    expect(page.get_by_test_id("options-error")).to_contain_text("代表")
    expect(page.get_by_test_id("category-row")).to_have_count(3)
    assert RegistrationCategory.objects.filter(pk=c.delegate.pk).exists()
