"""The organization page loads its timeline and leads to each record; someone who may see
none of them is told so (field test #18 item 3)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser_fixtures import sign_in
from tests.conftest import Personas
from tests.factories import PASSWORD
from tests.insights.test_timeline import _history


def test_staff_follow_the_timeline_to_a_visit(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    _history(personas)
    sign_in(page, "staff_user", PASSWORD)

    page.goto(f"/catalog/organizations/{personas.org_a.pk}/")
    rows = page.locator("[data-testid=timeline-row]")
    expect(rows).to_have_count(5)
    page.locator("[data-testid=timeline-row][data-kind=visit] a").click()

    expect(page.locator("h1")).to_contain_text("园区考察MKVISIT")


def test_a_partner_of_another_organization_sees_no_project_of_it(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    _history(personas)
    sign_in(page, "partner_b", PASSWORD)

    page.goto(f"/catalog/organizations/{personas.org_a.pk}/")

    expect(page.locator("[data-testid=org-timeline]")).to_be_visible()
    expect(page.locator("[data-testid=timeline-row][data-kind=project]")).to_have_count(0)
    expect(page.locator("[data-testid=org-timeline]")).not_to_contain_text("MKPROJ")
