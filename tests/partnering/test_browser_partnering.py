"""Partnering in the browser, on a phone-sized screen: two partners accept a meeting the
match engine proposed, in a free slot, and both see it booked in their agendas (the second
in a messaging app's in-app browser, scripts off: plain form posts). Failure path: accepting
a slot someone else booked meanwhile shows a clear message and books nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from luodi.partnering import domain
from luodi.partnering.choices import MeetingState, Origin
from luodi.partnering.models import Meeting
from tests.browser_fixtures import sign_in
from tests.conftest import Personas
from tests.factories import PASSWORD
from tests.partnering.helpers import setup

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
WECHAT_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI"
)


def _fits(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_two_partners_accept_a_proposed_meeting(
    page, browser, live_server, personas: Personas
) -> None:  # type: ignore[no-untyped-def]
    s = setup(personas)
    m = domain.propose(
        actor=personas.staff,
        a=s.a,
        b=s.b,
        origin=Origin.ENGINE,
        starts_at=s.slots[1],
        reasons=[{"text": "Shared fields: imaging", "ok": True, "delta": 0.1}],
    )
    page.set_viewport_size(PHONE)
    sign_in(page, "partner_a", PASSWORD)
    page.goto(f"/partnering/{s.session.pk}/agenda/")
    row = page.get_by_test_id(f"meeting-{m.pk}")
    expect(row.get_by_test_id("meeting-reasons")).to_contain_text("imaging")
    assert _fits(page)
    row.get_by_test_id("accept").click()
    expect(page.get_by_test_id(f"meeting-{m.pk}")).to_have_attribute("data-state", "pending")
    expect(page.get_by_test_id(f"meeting-{m.pk}").get_by_test_id("waiting")).to_be_visible()

    # The other side, in a messaging app's browser without scripts.
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        viewport=PHONE,
        user_agent=WECHAT_UA,
        java_script_enabled=False,
    )
    other = context.new_page()
    sign_in(other, "partner_b", PASSWORD)
    other.goto(f"/partnering/{s.session.pk}/agenda/")
    assert _fits(other)
    other.get_by_test_id(f"meeting-{m.pk}").get_by_test_id("accept").click()
    booked = other.get_by_test_id(f"meeting-{m.pk}")
    expect(booked).to_have_attribute("data-state", "booked")
    expect(booked.get_by_test_id("meeting-table")).to_contain_text("T1")
    context.close()

    page.reload()
    mine = page.get_by_test_id(f"meeting-{m.pk}")
    expect(mine).to_have_attribute("data-state", "booked")
    expect(mine.get_by_test_id("meeting-with")).to_contain_text(personas.org_b.name_zh)
    assert Meeting.objects.get(pk=m.pk).state == MeetingState.BOOKED


def test_accepting_a_slot_no_longer_free_says_so(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    s = setup(personas)
    m = domain.propose(actor=personas.partner_a, a=s.a, b=s.b, starts_at=s.slots[0])
    page.set_viewport_size(PHONE)
    sign_in(page, "partner_b", PASSWORD)
    page.goto(f"/partnering/{s.session.pk}/agenda/")
    expect(page.get_by_test_id(f"meeting-{m.pk}")).to_have_attribute("data-state", "pending")
    # Meanwhile the organisers book partner B with C in that slot.
    domain.schedule(actor=personas.staff, a=s.b, b=s.c, starts_at=s.slots[0])

    page.get_by_test_id(f"meeting-{m.pk}").get_by_test_id("accept").click()

    row = page.get_by_test_id(f"meeting-{m.pk}")
    expect(row.get_by_test_id("meeting-error")).to_be_visible()
    expect(row).to_have_attribute("data-state", "pending")
    assert Meeting.objects.get(pk=m.pk).state == MeetingState.PENDING
