"""Acceptance: from "my tasks" to a calendar app's subscription, in Chromium."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import expect

from luodi.pipeline.domain.tasks import create_task
from tests.browser.conftest import sign_in
from tests.conftest import Personas
from tests.engagements.factories import VisitFactory
from tests.factories import PASSWORD
from tests.pipeline.factories import make_project


def test_one_calendar_address_carries_tasks_and_visits(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    project = make_project(personas.staff, personas.org_a)
    create_task(
        actor=personas.staff,
        project=project,
        title="签署合作意向书",
        owner=personas.staff,
        due_date=date(2030, 3, 1),
    )
    VisitFactory(title_zh="医学城考察（订阅）", date=date.today())
    sign_in(page, "staff_user", PASSWORD)
    page.goto("/projects/tasks/")

    page.locator("[data-testid=calendar-rotate]").click()

    message = page.locator(".messages").inner_text()
    url = re.search(r"https?://\S+/engagements/feed/\S+\.ics", message)
    assert url is not None, message
    # What a calendar app fetches: a fresh context, without the signed-in session.
    app = page.context.browser.new_context()
    feed = app.request.get(url.group(0))
    assert feed.status == 200 and feed.headers["content-type"].startswith("text/calendar")
    body = feed.text()
    app.close()
    assert "签署合作意向书" in body and "医学城考察（订阅）" in body
    expect(page.locator("[data-testid=calendar-rotate]")).to_contain_text("重置")
