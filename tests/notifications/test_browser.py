"""In Chromium: a team admin adds a signed DingTalk robot (the local fake checks the
signature), sends a test and sees it delivered, in Chinese, in English and at phone width;
a robot address on another host is refused with a field error; a user turns one kind of
email off."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from luodi.notifications.models import Channel, EmailPreference
from tests.browser_fixtures import keep_screenshot, sign_in
from tests.conftest import Personas
from tests.factories import PASSWORD
from tests.notifications.conftest import FakeRobots


def _shot(page: Any, name: str) -> None:
    keep_screenshot(page, f"notifications-{name}")


def test_team_admin_adds_robot_sends_test_and_sees_delivery(
    page: Any, personas: Personas, admin_a: Any, robots: FakeRobots
) -> None:
    robots.dingtalk_secret = "SECbrowser-secret-42"
    sign_in(page, "admin_a", PASSWORD)
    page.goto(f"/catalog/organizations/{personas.org_a.pk}/")
    page.click("[data-testid=team-notifications]")
    expect(page.locator("h1")).to_contain_text("甲机构")

    page.click("[data-testid=add-channel] summary")
    form = page.locator("[data-testid=channel-form]")
    form.locator("select[name=kind]").select_option("dingtalk")
    form.locator("input[name=name]").fill("会务群")
    form.locator("input[name=target]").fill(robots.dingtalk_url("dt-browser-token-7788"))
    form.locator("input[name=secret]").fill("SECbrowser-secret-42")
    form.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=channels]")).to_contain_text("会务群")
    channel = Channel.objects.get()
    assert channel.organization == personas.org_a
    expect(page.locator(f"[data-testid=channel-{channel.pk}]")).not_to_contain_text(
        "dt-browser-token"
    )

    page.click(f"[data-testid=test-{channel.pk}]")
    status = page.locator("[data-testid=deliveries] [data-testid=delivery-status]")
    expect(status).to_have_text(["已发送"])
    assert robots.received[0].query["access_token"] == "dt-browser-token-7788"
    assert "sign" in robots.received[0].query  # and the fake accepted the signature
    _shot(page, "team-zh")

    page.click("button[name=language][value=en]")
    expect(page.locator("h1")).to_contain_text("Notifications")
    expect(status).to_have_text(["Sent"])
    _shot(page, "team-en")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator("[data-testid=channels]")).to_contain_text("会务群")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    _shot(page, "team-390")


def test_robot_address_on_another_host_shows_field_error(page: Any, personas: Personas) -> None:
    sign_in(page, "partner_a", PASSWORD)
    page.goto("/accounts/profile/")
    page.click("[data-testid=notifications-link]")
    page.click("[data-testid=add-channel] summary")
    form = page.locator("[data-testid=channel-form]")
    form.locator("select[name=kind]").select_option("wecom")
    form.locator("input[name=name]").fill("可疑地址")
    form.locator("input[name=target]").fill("https://wecom.example.com/cgi-bin/webhook/send?key=x")
    form.locator("button[type=submit]").click()

    error = page.locator("[data-testid=channel-form] .has-error .error")
    expect(error).to_contain_text("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…")
    expect(page.locator("[data-testid=channel-form] input[name=name]")).to_have_value("可疑地址")
    assert not Channel.objects.exists()
    _shot(page, "address-refused-zh")


def test_user_turns_one_kind_of_email_off(page: Any, personas: Personas) -> None:
    sign_in(page, "partner_a", PASSWORD)
    page.goto("/notifications/")
    page.uncheck("[data-testid=email-choices] input[name=reminder]")
    page.click("[data-testid=email-choices] button[type=submit]")
    expect(page.locator("[data-testid=email-saved]")).to_be_visible()
    assert EmailPreference.objects.get(user=personas.partner_a, kind="reminder").enabled is False
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator("[data-testid=email-choices] input[name=reminder]")).not_to_be_checked()
    _shot(page, "personal-390")
