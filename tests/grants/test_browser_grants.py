"""Grants in the browser: a hospital's transfer office records a grant with its team,
uploads the valuation report, starts the public notice and sees the checklist; starting the
notice of a grant without its valuation is refused with a message, nothing changes; at
390 px the pages never scroll sideways. (No Chinese strings of new messages are read: the
test finds elements by data-testid.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from luodi.grants.models import Grant
from tests.browser_fixtures import sign_in
from tests.conftest import Personas
from tests.factories import PASSWORD, AchievementFactory, PersonFactory
from tests.grants.helpers import PDF, TODAY, make_grant

pytestmark = [pytest.mark.browser]


def _day(days: int) -> str:
    return (TODAY + timedelta(days=days)).isoformat()


def test_create_upload_start_notice_and_checklist(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    achievement = AchievementFactory(owner=personas.org_a, title_zh="浏览器测试成果")
    lead = PersonFactory(organization=personas.org_a, name_zh="王浏览")
    second = PersonFactory(organization=personas.org_a, name_zh="李浏览")
    sign_in(page, "partner_a", PASSWORD)
    page.goto("/grants/")
    page.get_by_test_id("new-grant").click()
    expect(page.get_by_test_id("institution-name")).to_contain_text(personas.org_a.display_name)
    page.select_option("#id_achievement", str(achievement.pk))
    page.select_option("#id_kind", "ownership")
    page.fill("#id_team_share", "70")
    page.fill("#id_valuer", "测试评估公司")
    page.fill("#id_valuation_report_on", _day(-20))
    page.fill("#id_valuation", "3200000")
    page.fill("#id_decision_body", "院长办公会")
    page.fill("#id_decided_on", _day(-10))
    page.fill("#id_notice_starts_on", _day(-2))
    page.fill("#id_notice_ends_on", _day(12))
    page.fill("#id_notice_place", "医院官网")
    page.select_option("#id_members-0-person", str(lead.pk))
    page.fill("#id_members-0-share", "40")
    page.select_option("#id_members-1-person", str(second.pk))
    page.fill("#id_members-1-share", "30")
    page.get_by_test_id("save").click()

    expect(page.get_by_test_id("grant-title")).to_have_text("浏览器测试成果")
    expect(page.get_by_test_id("team-share")).to_have_text("70%")
    expect(page.get_by_test_id("check-valuation")).to_have_attribute("data-present", "no")
    page.select_option("#id_doc_type", "valuation")
    page.set_input_files(
        "#id_file", files=[{"name": "评估报告.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_test_id("upload-save").click()
    expect(page.get_by_test_id("panel-done")).to_be_visible()
    expect(page.get_by_test_id("check-valuation")).to_have_attribute("data-present", "yes")
    expect(page.get_by_test_id("check-minutes")).to_have_attribute("data-present", "no")
    expect(page.get_by_test_id("documents")).to_contain_text("评估报告.pdf")

    page.get_by_test_id("start-notice").click()
    expect(page.get_by_test_id("grant-status")).to_have_attribute("data-status", "on_notice")
    expect(page.get_by_test_id("objection-form")).to_be_visible()
    grant = Grant.objects.get()
    assert (grant.status, grant.team_share_bp, grant.valuation_fen) == (
        "on_notice",
        7000,
        320_000_000,
    )
    assert [(m.person_id, m.share_bp) for m in grant.members.all()] == [
        (lead.pk, 4000),
        (second.pk, 3000),
    ]
    assert grant.documents.get().original_name == "评估报告.pdf"


def test_start_notice_without_valuation_is_refused(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    g = make_grant(personas.staff, personas.org_a, valuer="", valuation_fen=None)
    sign_in(page, "partner_a", PASSWORD)
    page.goto(f"/grants/{g.pk}/")
    expect(page.get_by_test_id("missing-for-notice")).to_be_visible()
    page.get_by_test_id("start-notice").click()
    expect(page.get_by_test_id("panel-error")).to_be_visible()
    expect(page.get_by_test_id("grant-status")).to_have_attribute("data-status", "draft")
    expect(page.get_by_test_id("check-valuation")).to_have_attribute("data-present", "no")
    fresh = Grant.objects.get(pk=g.pk)
    assert (fresh.status, fresh.version) == ("draft", g.version)


def test_pages_fit_a_phone(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    g = make_grant(
        personas.staff,
        personas.org_a,
        note="一种用于微创手术的可降解镁合金骨钉及其制备方法的赋权说明",
    )
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "partner_a", PASSWORD)
    for url in ("/grants/", f"/grants/{g.pk}/", f"/grants/{g.pk}/edit/", "/grants/new/"):
        page.goto(url)
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= 390, (url, width)
