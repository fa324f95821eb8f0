"""The organiser changes a session's meeting times in the browser at phone width: adds a
second afternoon (main path), then tries to remove the window holding a booked meeting and
is told why nothing changed (failure path)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from luodi.partnering import domain
from tests.browser_fixtures import sign_in
from tests.conftest import Personas
from tests.factories import PASSWORD
from tests.partnering.helpers import setup

pytestmark = [pytest.mark.browser]


def test_organiser_adds_a_window_and_cannot_remove_a_booked_one(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    s = setup(personas)
    for p in (s.a, s.b):
        domain.set_availability(actor=personas.staff, participant=p, free=s.slots)
    domain.schedule(actor=personas.staff, a=s.a, b=s.b, starts_at=s.slots[0])
    first = s.session.windows.get()
    day = timezone.localtime(first.starts_at).date() + timedelta(days=1)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "organiser", PASSWORD)
    page.goto(f"/partnering/{s.session.pk}/manage/")
    form = page.get_by_test_id("window-form")
    form.locator("input[name=date]").fill(day.isoformat())
    form.locator("input[name=start]").fill("09:30")
    form.locator("input[name=end]").fill("11:30")
    form.get_by_test_id("add-window").click()
    expect(page.get_by_test_id("windows").locator("li")).to_have_count(2)
    expect(page.get_by_test_id("windows")).to_contain_text(f"{day.isoformat()} 09:30–11:30")
    assert s.session.windows.count() == 2

    page.get_by_test_id(f"remove-window-{first.pk}").click()
    expect(page.get_by_test_id("window-error")).to_contain_text("1")
    expect(page.get_by_test_id("windows").locator("li")).to_have_count(2)
    assert s.session.windows.filter(pk=first.pk).exists()
