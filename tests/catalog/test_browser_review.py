"""Browser: the edit form's conflict page (two people edit one achievement) and a partner's
change of a published achievement that staff approve from the review queue."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from luodi.accounts.models import Role
from luodi.catalog.models import Achievement, Revision
from tests.browser.conftest import sign_in
from tests.browser_fixtures import _is_script_error, keep_screenshot
from tests.conftest import Personas
from tests.factories import PASSWORD, AchievementFactory, UserFactory


@pytest.fixture
def second_page(browser: Any, live_server: Any) -> Iterator[Page]:
    """Another person's browser, beside the `page` fixture's; fails on script errors too."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    other = context.new_page()
    other.set_default_timeout(10_000)
    errors: list[str] = []
    other.on("console", lambda m: errors.append(m.text) if _is_script_error(m) else None)
    yield other
    context.close()
    assert errors == [], errors


def _shot(page: Page, name: str) -> None:
    keep_screenshot(page, f"review-{name}")


def _english(page: Page, live_server: Any) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])


def _save_title(page: Page, title: str) -> None:
    page.fill("input[name=title_zh]", title)
    page.click("[data-testid=save]")


def test_second_editor_sees_the_conflict_with_both_titles_and_saves_after_reading(
    page: Page, second_page: Page, live_server: Any, personas: Personas
) -> None:
    UserFactory(username="staff_two", role=Role.STAFF)
    # No English title: the page shows the Chinese one in either language.
    item = AchievementFactory(owner=personas.org_a, title_zh="原标题：镁合金支架", title_en="")
    edit = f"/catalog/achievements/{item.pk}/edit/"
    sign_in(page, "staff_user", PASSWORD)
    sign_in(second_page, "staff_two", PASSWORD)
    page.goto(edit)
    second_page.goto(edit)

    _save_title(page, "甲改的标题：可降解镁合金支架")
    expect(page.locator("h1")).to_contain_text("甲改的标题")
    _save_title(second_page, "乙改的标题：镁合金心血管支架")

    conflict = second_page.locator("[data-testid=conflict]")
    expect(conflict).to_be_visible()
    expect(conflict.locator("[data-testid=conflict-theirs]")).to_have_text(
        "甲改的标题：可降解镁合金支架"
    )
    expect(conflict.locator("[data-testid=conflict-yours]")).to_have_text(
        "乙改的标题：镁合金心血管支架"
    )
    expect(second_page.locator("input[name=title_zh]")).to_have_value(
        "乙改的标题：镁合金心血管支架"
    )
    assert Achievement.objects.get(pk=item.pk).title_zh == "甲改的标题：可降解镁合金支架"
    _shot(second_page, "conflict-zh")
    second_page.set_viewport_size({"width": 390, "height": 844})
    _shot(second_page, "conflict-390")
    second_page.set_viewport_size({"width": 1280, "height": 800})

    # Another save by the first editor; the second one, now in English, conflicts again.
    page.goto(edit)
    _save_title(page, "甲又改了标题")
    expect(page.locator("h1")).to_contain_text("甲又改了标题")
    _english(second_page, live_server)
    second_page.click("[data-testid=save]")
    expect(second_page.locator("[data-testid=conflict]")).to_contain_text("Saved now")
    _shot(second_page, "conflict-en")

    # Having read the saved text, the second editor keeps their own and saves.
    second_page.click("[data-testid=save]")
    expect(second_page.locator("h1")).to_contain_text("乙改的标题")
    assert Achievement.objects.get(pk=item.pk).title_zh == "乙改的标题：镁合金心血管支架"


def test_partner_change_of_a_published_achievement_waits_until_staff_approve(
    page: Page, second_page: Page, live_server: Any, personas: Personas
) -> None:
    item = AchievementFactory(
        owner=personas.org_a, title_zh="已发布：术中出血监测贴片", title_en=""
    )
    detail = f"/catalog/achievements/{item.pk}/"
    sign_in(page, "partner_a", PASSWORD)
    page.goto(detail)
    page.click("[data-testid=edit]")
    expect(page.locator("[data-testid=proposes]")).to_be_visible()
    _save_title(page, "修订：无线术中出血监测贴片")

    expect(page).to_have_url(re.compile(rf"{detail}$"))
    expect(page.locator("h1")).to_have_text("已发布：术中出血监测贴片")
    waiting = page.locator("[data-testid=revision-pending]")
    expect(waiting).to_contain_text("修订：无线术中出血监测贴片")
    _shot(page, "partner-waiting-zh")
    page.set_viewport_size({"width": 390, "height": 844})
    _shot(page, "partner-waiting-390")
    page.set_viewport_size({"width": 1280, "height": 800})
    _english(page, live_server)
    page.reload()
    expect(page.locator("[data-testid=revision-pending]")).to_contain_text(
        "Your changes are waiting for review"
    )
    _shot(page, "partner-waiting-en")
    assert Achievement.objects.get(pk=item.pk).title_zh == "已发布：术中出血监测贴片"

    sign_in(second_page, "staff_user", PASSWORD)
    second_page.goto("/catalog/review/")
    queued = second_page.locator("[data-testid=queued-revision]")
    expect(queued.locator("[data-testid=revision-diff]")).to_contain_text(
        "已发布：术中出血监测贴片"
    )
    expect(queued.locator("[data-testid=revision-diff]")).to_contain_text(
        "修订：无线术中出血监测贴片"
    )
    _shot(second_page, "queue-zh")
    queued.locator("[data-testid=approve-revision]").click()

    expect(second_page.locator(".messages")).to_be_visible()
    assert Revision.objects.get(object_id=item.pk).state == "approved"
    page.goto(detail)
    expect(page.locator("h1")).to_have_text("修订：无线术中出血监测贴片")
    expect(page.locator("[data-testid=revision-pending]")).to_have_count(0)
