"""Browser acceptance: four audiences with reasons on a demo achievement; a decline that
changes the ranking; the NDA flow ending in the owner's audit view; an outsider's teaser."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from luodi.catalog.models import Achievement
from luodi.ingest.demo import load_catalog
from luodi.retrieval import indexing
from tests.browser.conftest import sign_in
from tests.conftest import Personas
from tests.factories import PASSWORD, AchievementFactory
from tests.matchmaking.conftest import Eco

pytestmark = [pytest.mark.browser]

TABS = ("company", "investor", "park", "center")


def test_demo_achievement_matches_in_four_tabs_with_reasons(page: Any, personas: Personas) -> None:
    load_catalog(io.StringIO())
    indexing.rebuild_all()
    item = Achievement.objects.filter(kind="drug", stage="phase2", disclosure="public").first()
    assert item is not None
    sign_in(page, "staff_user", PASSWORD)
    page.goto(f"/matchmaking/achievement/{item.pk}/")
    expect(page.locator("[data-testid=source-title]")).to_contain_text(item.title)
    for tab in TABS:
        page.click(f"[data-testid=tab-{tab}]")
        panel = page.locator(f"[data-testid=panel-{tab}]")
        expect(panel).to_be_visible()
        first = panel.locator("[data-testid=candidate]").first
        expect(first.locator(".mm-score")).to_be_visible()
        expect(first.locator("[data-testid=reasons] li").first).to_be_visible()
    # The centers tab names a lead site; the parks tab explains carrier fit.
    page.click("[data-testid=tab-center]")
    expect(page.locator("[data-testid=lead-site]")).to_have_count(1)
    page.click("[data-testid=tab-park]")
    expect(page.locator("[data-code=carrier]").first).to_be_visible()


def test_decline_with_reason_changes_the_ranking(page: Any, personas: Personas, eco: Eco) -> None:
    sign_in(page, "partner_a", PASSWORD)
    page.goto(f"/matchmaking/achievement/{eco.achievement.pk}/?tab=investor")
    cards = page.locator("[data-testid=panel-investor] [data-testid=candidate]")
    expect(cards.first).to_contain_text("天使创投")
    first = cards.first
    first.locator("[data-testid=decline]").click()
    first.locator("[data-testid=decline-reason]").select_option("too_early")
    first.locator("[data-testid=decline-note]").fill("先看一期数据")
    first.locator("[data-testid=decline-submit]").click()
    expect(page).to_have_url(re.compile(r"tab=investor"))
    cards = page.locator("[data-testid=panel-investor] [data-testid=candidate]")
    expect(cards.first).to_contain_text("后期产业基金")
    expect(cards.last).to_contain_text("天使创投")
    expect(cards.last.locator("[data-testid=status]")).to_be_visible()
    page.goto("/matchmaking/")
    expect(page.locator("[data-testid=records]")).to_contain_text("天使创投")


def test_investor_reads_what_was_learned_and_an_outsider_is_refused(
    page: Any, personas: Personas, eco: Eco, member_of: Any
) -> None:
    """The investor's own page lists the achievement it declined, with the reason, as the
    memory its next rankings use; another organization's member gets the 403 page."""
    member_of(eco.early_vc, "angel")
    sign_in(page, "partner_a", PASSWORD)
    page.goto(f"/matchmaking/achievement/{eco.achievement.pk}/?tab=investor")
    card = page.locator("[data-testid=panel-investor] [data-testid=candidate]").first
    expect(card).to_contain_text("天使创投")
    card.locator("[data-testid=decline]").click()
    card.locator("[data-testid=decline-reason]").select_option("too_early")
    card.locator("[data-testid=decline-submit]").click()
    expect(page).to_have_url(re.compile(r"tab=investor"))

    page.goto(f"/matchmaking/learned/{eco.early_vc.pk}/")
    expect(page.locator("[data-testid=error-403]")).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, "angel", PASSWORD)
    page.goto(f"/matchmaking/learned/{eco.early_vc.pk}/")
    rows = page.locator("[data-testid=answered] tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(eco.achievement.title_zh)
    expect(rows.first).to_contain_text("已拒绝：过早")
    expect(page.locator("[data-testid=learned]")).to_contain_text("排名")


def test_nda_request_approval_use_and_audit(
    page: Any, personas: Personas, eco: Eco, member_of: Any
) -> None:
    teaser = AchievementFactory(
        owner=personas.org_a,
        title_zh="预告：新型ADC",
        disclosure="teaser",
        dossier_zh="DOSSIER-合成工艺-ADC-9",
    )
    member_of(eco.onco_co, "buyer")
    sign_in(page, "buyer", PASSWORD)
    page.goto(f"/catalog/achievements/{teaser.pk}/")
    expect(page.locator("[data-testid=teaser-only]")).to_be_visible()
    page.goto(f"/matchmaking/access/request/{teaser.pk}/")
    expect(page.locator("[data-testid=nda-text]")).to_be_visible()
    page.fill("textarea[name=message]", "评估许可合作")
    page.check("input[name=accept_nda]")
    page.click("[data-testid=submit-request]")
    expect(page.locator("[data-testid=access-status]").first).to_contain_text(
        re.compile("NDA|保密")
    )
    page.click("[data-testid=sign-out]")

    sign_in(page, "partner_a", PASSWORD)
    page.goto("/matchmaking/access/")
    page.click("[data-testid=approve]")
    expect(page.locator("[data-testid=access-status]").first).to_contain_text(
        re.compile("Approved|已批准|批准")
    )
    page.click("[data-testid=sign-out]")

    sign_in(page, "buyer", PASSWORD)
    page.goto(f"/catalog/achievements/{teaser.pk}/")
    expect(page.locator("[data-testid=dossier]")).to_contain_text("DOSSIER-合成工艺-ADC-9")
    page.click("[data-testid=sign-out]")

    sign_in(page, "partner_a", PASSWORD)
    page.goto("/matchmaking/viewers/")
    views = page.locator("[data-testid=dossier-views]")
    expect(views).to_contain_text("buyer")
    expect(views).to_contain_text("预告：新型ADC")


def test_outsider_without_access_sees_only_the_teaser(
    page: Any, personas: Personas, eco: Eco
) -> None:
    teaser = AchievementFactory(
        owner=personas.org_a,
        title_zh="预告：基因编辑平台",
        summary_zh="公开摘要：高效基因编辑。",
        disclosure="teaser",
        dossier_zh="DOSSIER-向导RNA序列-42",
    )
    indexing.rebuild_all()
    sign_in(page, "partner_b", PASSWORD)
    page.goto(f"/catalog/achievements/{teaser.pk}/")
    expect(page.locator("[data-testid=summary]")).to_contain_text("公开摘要")
    expect(page.locator("[data-testid=teaser-only]")).to_be_visible()
    expect(page.locator("[data-testid=dossier]")).to_have_count(0)
    page.goto(f"/matchmaking/achievement/{teaser.pk}/?tab=company")
    expect(page.locator("[data-testid=source-title]")).to_contain_text("预告：基因编辑平台")
    assert "DOSSIER-向导RNA序列-42" not in page.content()
    # Only their own organization's suggestion is theirs to answer; nothing else.
    others = page.locator(
        f'[data-testid=candidate]:not([data-pk="{personas.org_b.pk}"]) [data-testid=decline]'
    )
    expect(others).to_have_count(0)
