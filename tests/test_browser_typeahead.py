"""Long choice lists get a type-ahead (Tom Select, from npm) and look-alike achievements are
told apart by their owner (field test #18 item 8)."""

from __future__ import annotations

from playwright.sync_api import expect

from luodi.pipeline.models import Project
from tests.browser_fixtures import sign_in
from tests.conftest import Personas
from tests.factories import PASSWORD, AchievementFactory, OrganizationFactory


def _catalog(personas: Personas) -> None:
    west = OrganizationFactory(name_zh="西南医科大学", kind="university")
    pharma = OrganizationFactory(name_zh="中国药科大学", kind="university")
    for i in range(14):
        AchievementFactory(owner=personas.org_a, title_zh=f"其他成果{i:02d}", status="published")
    AchievementFactory(owner=west, title_zh="KRAS G12D抑制剂", status="published")
    AchievementFactory(owner=pharma, title_zh="KRAS G12D抑制剂", status="published")


def test_type_to_choose_an_achievement_told_apart_by_owner(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    _catalog(personas)
    sign_in(page, "staff_user", PASSWORD)
    page.goto("/projects/new/")

    field = page.locator(".field", has=page.locator("select[name=achievement]"))
    field.locator(".ts-control").click()
    page.keyboard.type("G12D")
    options = field.locator(".ts-dropdown .option")
    expect(options).to_have_count(2)
    expect(options.nth(0)).to_contain_text("·")
    field.locator(".ts-dropdown .option", has_text="西南医科大学").click()
    page.click("form.editform button[type=submit]")

    expect(page.locator("h1")).to_contain_text("KRAS G12D抑制剂")
    project = Project.objects.get()
    assert project.achievement is not None
    assert project.achievement.owner.name_zh == "西南医科大学"


def test_a_word_matching_nothing_says_so_and_saving_without_a_choice_is_refused(
    page, personas: Personas
) -> None:  # type: ignore[no-untyped-def]
    _catalog(personas)
    sign_in(page, "staff_user", PASSWORD)
    page.goto("/projects/new/")

    field = page.locator(".field", has=page.locator("select[name=achievement]"))
    field.locator(".ts-control").click()
    page.keyboard.type("不存在的成果")
    expect(field.locator(".ts-dropdown .no-results")).to_have_text("没有匹配的选项")
    page.keyboard.press("Escape")
    page.click("form.editform button[type=submit]")

    expect(page.locator("form.editform")).to_contain_text("请选择")
    assert not Project.objects.exists()
