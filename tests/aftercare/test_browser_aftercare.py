"""The follow-through after landing in the browser: record a milestone past its gate
warning and a month's capital; a date in the future is refused beside the field; a park
member finds its stalled project on the stalled list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from luodi.aftercare import domain
from luodi.aftercare.models import FigureReport, Milestone
from tests.aftercare.factories import make_landed, make_parks
from tests.browser_fixtures import sign_in
from tests.conftest import Personas
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser]


def test_record_construction_and_capital(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    project = make_landed(personas, make_parks().park)
    started = timezone.localdate() - timedelta(days=3)
    month = timezone.localdate().replace(day=1)
    sign_in(page, "staff_user", PASSWORD)
    page.goto(f"/aftercare/projects/{project.pk}/")
    form = page.get_by_test_id("ms-form-construction")
    form.locator("summary").click()
    form.locator("input[name=construction-actual_on]").fill(started.isoformat())
    form.locator("textarea[name=construction-note]").fill("主体结构开工")
    page.get_by_test_id("ms-save-construction").click()

    # Earlier milestones have no date and nothing is attached: warned, then confirmed.
    expect(page.get_by_test_id("gate-warnings")).to_be_visible()
    assert not Milestone.objects.exists()
    page.get_by_test_id("ms-save-construction").click()
    expect(page.get_by_test_id("ms-construction-actual")).to_have_text(started.isoformat())

    page.get_by_test_id("figure-form").locator("summary").click()
    page.fill("#fig-period", f"{month:%Y-%m}")
    page.fill("#fig-capital_wan", "800")
    page.get_by_test_id("figures-save").click()

    row = page.get_by_test_id(f"fig-{month:%Y-%m}")
    expect(row).to_contain_text("800")
    expect(page.get_by_test_id("ms-construction-actual")).to_have_text(started.isoformat())
    assert FigureReport.objects.get(project=project, period=month).capital_wan == 800
    assert Milestone.objects.get(kind="construction").warnings


def test_achieved_in_the_future_is_refused(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    project = make_landed(personas, make_parks().park)
    sign_in(page, "staff_user", PASSWORD)
    page.goto(f"/aftercare/projects/{project.pk}/")
    form = page.get_by_test_id("ms-form-lease_signed")
    form.locator("summary").click()
    tomorrow = timezone.localdate() + timedelta(days=1)
    form.locator("input[name=lease_signed-actual_on]").fill(tomorrow.isoformat())
    page.get_by_test_id("ms-save-lease_signed").click()

    form = page.get_by_test_id("ms-form-lease_signed")
    expect(form.locator(".field.has-error .error")).to_be_visible()
    expect(form.locator(".field.has-error input[name=lease_signed-actual_on]")).to_have_value(
        tomorrow.isoformat()
    )
    expect(page.get_by_test_id("ms-lease_signed-actual")).to_have_text("—")
    assert not Milestone.objects.exists()


def test_park_member_sees_its_stalled_project(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    parks = make_parks()
    project = make_landed(personas, parks.park)
    domain.set_milestone(
        actor=personas.staff,
        project=project,
        kind="lease_signed",
        planned_on=timezone.localdate() - timedelta(days=20),
    )
    sign_in(page, "park_user", PASSWORD)
    page.goto("/aftercare/stalled/")
    row = page.get_by_test_id(f"stalled-row-{project.pk}")
    expect(row).to_be_visible()
    expect(row).to_contain_text("20")
    row.locator("a").first.click()
    expect(page.get_by_test_id("stall-reasons")).to_be_visible()
    expect(page.get_by_test_id("stalled-badge")).to_be_visible()
