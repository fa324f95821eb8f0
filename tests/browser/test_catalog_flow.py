from __future__ import annotations

import csv
import io
import re

from playwright.sync_api import expect

from luodi.catalog.models import Achievement
from tests.browser.conftest import sign_in
from tests.conftest import Personas
from tests.factories import PASSWORD, AchievementFactory, OrganizationFactory


def test_partner_creates_zh_only_achievement_staff_publishes_and_search_finds_it(
    page, personas: Personas
) -> None:
    sign_in(page, "partner_a", PASSWORD)
    page.goto("/catalog/achievements/new/")
    page.click("form.editform button[type=submit]")  # empty form: errors, nothing saved
    expect(page.locator(".form-errors")).to_be_visible()
    page.fill("input[name=title_zh]", "可降解镁合金心血管支架")
    page.fill("textarea[name=summary_zh]", "一种可在体内逐步降解的镁合金支架。")
    page.select_option("select[name=kind]", "device")
    page.select_option("select[name=owner]", str(personas.org_a.pk))
    page.select_option("select[name=stage]", "prototype")
    page.click("form.editform button[type=submit]")
    expect(page.locator("h1")).to_contain_text("可降解镁合金心血管支架")
    expect(page.locator("[data-testid=review-status]")).to_be_visible()
    item = Achievement.objects.get(title_zh="可降解镁合金心血管支架")
    assert item.status == "pending"

    page.click("[data-testid=sign-out]")
    sign_in(page, "staff_user", PASSWORD)
    page.goto("/catalog/review/")
    page.click("text=可降解镁合金心血管支架")
    page.click("button[value=approve]")
    expect(page).to_have_url(re.compile(r"/catalog/review/"))
    item.refresh_from_db()
    assert item.status == "published"

    # Found through global search with a Chinese query that is not the exact title.
    page.goto("/search/?q=镁合金支架")
    expect(page.locator("#main")).to_contain_text("可降解镁合金心血管支架")


def test_filter_list_as_you_type_and_export(page, personas: Personas) -> None:
    AchievementFactory(title_zh="器械甲：手术机器人", kind="device", stage="prototype")
    AchievementFactory(title_zh="药物乙：KRAS抑制剂", kind="drug")
    sign_in(page, "staff_user", PASSWORD)
    page.goto("/catalog/achievements/")
    page.select_option("select[name=kind]", "device")
    expect(page.locator("#list-rows")).not_to_contain_text("药物乙")
    expect(page.locator("#list-rows")).to_contain_text("器械甲")
    with page.expect_download() as download_info:
        page.click("[data-testid=export-csv]")
    text = download_info.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert any("器械甲" in cell for row in rows for cell in row)
    assert not any("药物乙" in cell for row in rows for cell in row)


def test_staff_edits_a_park_profile(page, personas: Personas) -> None:
    park = OrganizationFactory(kind="park", name_zh="测试生物城")
    sign_in(page, "staff_user", PASSWORD)
    page.goto(f"/catalog/organizations/{park.pk}/")
    page.click("[data-testid=edit-profile]")
    page.fill("input[name=rent_subsidy_pct]", "150")
    page.click("form.editform button[type=submit]")
    expect(page.locator(".field.has-error")).to_be_visible()
    page.fill("input[name=rent_subsidy_pct]", "50")
    page.check("input[name=services][value=bonded]")
    page.click("form.editform button[type=submit]")
    expect(page.locator("h1")).to_contain_text("测试生物城")
    expect(page.locator("#main")).to_contain_text("50")
