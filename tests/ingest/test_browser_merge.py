from __future__ import annotations

from playwright.sync_api import expect

from luodi.catalog.models import Achievement
from tests.browser.conftest import sign_in
from tests.conftest import Personas
from tests.factories import PASSWORD, OrganizationFactory


def test_merge_two_duplicate_organizations(page, personas: Personas) -> None:
    a = OrganizationFactory(name_zh="成都医学城", name_en="Chengdu Medical City", kind="park")
    b = OrganizationFactory(name_zh="成都医学城管委会", name_en="CHENGDU MEDICAL CITY", kind="park")
    achievement = Achievement.objects.create(
        title_zh="成果", kind="drug", owner=b, stage="discovery"
    )
    sign_in(page, "staff_user", PASSWORD)

    page.goto("/import/merge/")
    page.locator("[data-testid=pairs] a", has_text="成都医学城管委会").click()
    preview = page.locator("[data-testid=merge-preview]")
    expect(preview).to_contain_text("成都医学城管委会")
    expect(preview).to_contain_text("1")
    page.click("[data-testid=confirm-merge]")

    expect(page.locator(".messages")).to_contain_text("成都医学城管委会")
    b.refresh_from_db()
    achievement.refresh_from_db()
    assert (b.merged_into_id, achievement.owner_id) == (a.pk, a.pk)
    assert b.archived_at is not None
