"""Assessments in the browser: staff open an assessment of an achievement, invite three
reviewers; one declares a conflict, two score (one of them an external expert through the
mailed link, no account); staff close and summarise; the result shows. Failure paths: a
forged link shows a clear error page; scores out of scale re-render with field errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from luodi.assessments.models import Assessment, Invitation
from tests.assessments.helpers import GOOD, WEAK, default_template, expert
from tests.browser_fixtures import sign_in
from tests.conftest import Personas
from tests.factories import PASSWORD, AchievementFactory

pytestmark = [pytest.mark.browser]

DETAIL = (
    Path(__file__).resolve().parents[2] / "luodi/web/templates/catalog/detail_achievements.html"
)


def _sign_out(page) -> None:  # type: ignore[no-untyped-def]
    page.context.clear_cookies()


def _score(page, values: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    for code, value in values.items():
        page.get_by_test_id(f"score_{code}").fill(str(value))
    page.get_by_test_id("submit-scores").click()


def _declare_no_conflict(page) -> None:  # type: ignore[no-untyped-def]
    page.locator("input[name=conflict][value=no]").check()
    page.get_by_test_id("declare").click()


def test_three_reviewers_one_conflict_summary_shows(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    default_template()  # flushed by an earlier browser test, if any
    achievement = AchievementFactory(owner=personas.org_a, title_zh="可降解镁合金骨钉")
    internal_a, internal_b = expert("expert_a"), expert("expert_b")

    sign_in(page, "staff_user", PASSWORD)
    page.goto(f"/assessments/new/?achievement={achievement.pk}")
    page.get_by_test_id("open").click()
    expect(page.get_by_test_id("assessment-status")).to_have_attribute("data-status", "open")
    assessment = Assessment.objects.get(achievement=achievement)
    for n, user in enumerate((internal_a, internal_b), start=1):
        page.select_option("#id_user", str(user.pk))
        page.get_by_test_id("invite").click()
        expect(page.get_by_test_id("reviewer")).to_have_count(n)  # the htmx swap is done
    expect(page.get_by_test_id("invite-done")).to_be_visible()
    page.fill("#id_name", "外部专家甲")
    page.fill("#id_email", "external@example.org")
    page.get_by_test_id("invite").click()
    expect(page.get_by_test_id("reviewer")).to_have_count(3)
    link = next(m for m in mail.outbox if m.to == ["external@example.org"])
    url = re.search(r"https?://\S+/assessments/\d+/review/\?token=\S+", link.body)
    assert url is not None
    _sign_out(page)

    # expert A declares a conflict: recorded, no dossier, no scores
    sign_in(page, "expert_a", PASSWORD)
    page.goto(f"/assessments/{assessment.pk}/review/")
    expect(page.get_by_test_id("dossier")).to_have_count(0)
    page.locator("input[name=conflict][value=yes]").check()
    page.fill("#id_conflict_note", "与成果团队有合作课题")
    page.get_by_test_id("declare").click()
    expect(page.get_by_test_id("conflict-recorded")).to_be_visible()
    expect(page.get_by_test_id("score-form")).to_have_count(0)
    _sign_out(page)

    # expert B scores; blind review: sees nobody else
    sign_in(page, "expert_b", PASSWORD)
    page.goto(f"/assessments/{assessment.pk}/review/")
    _declare_no_conflict(page)
    expect(page.get_by_test_id("dossier")).to_be_visible()
    _score(page, GOOD)
    expect(page.get_by_test_id("scores-saved")).to_be_visible()
    expect(page.get_by_test_id("co-reviewers")).to_have_count(0)
    _sign_out(page)

    # the external expert, with no account, through the mailed link
    page.goto(url.group(0).replace("http://testserver", ""))
    _declare_no_conflict(page)
    _score(page, WEAK)
    expect(page.get_by_test_id("scores-saved")).to_be_visible()
    assert page.get_by_text("expert_b").count() == 0

    sign_in(page, "staff_user", PASSWORD)
    page.goto(f"/assessments/{assessment.pk}/")
    expect(page.locator("[data-testid=reviewer][data-state=conflict]")).to_have_count(1)
    expect(page.locator("[data-testid=reviewer][data-state=submitted]")).to_have_count(2)
    expect(page.get_by_test_id("reviewer-col")).to_have_count(2)  # the conflict is not scored
    expect(page.get_by_test_id("disagreement").first).to_be_visible()  # market 4 vs 2
    page.get_by_test_id("close").click()
    page.get_by_test_id("summarise").click()
    page.select_option("#id_readiness", "6")
    page.fill("#id_strengths", "动物实验数据完整")
    page.fill("#id_risks", "市场判断分歧")
    page.fill("#id_summary", "建议对接器械企业")
    page.locator("input[name=suggested_kinds][value=company]").check()
    page.get_by_test_id("save-summary").click()
    expect(page.get_by_test_id("assessment-status")).to_have_attribute("data-status", "summarised")
    expect(page.get_by_test_id("readiness")).to_contain_text("6")
    assert Invitation.objects.filter(assessment=assessment, has_conflict=True).count() == 1

    page.goto(f"/catalog/achievements/{achievement.pk}/")
    if "assessment_result" in DETAIL.read_text(encoding="utf-8"):  # the lead's one-line include
        expect(page.get_by_test_id("result-readiness")).to_contain_text("6")


def test_forged_link_and_out_of_scale_scores(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    from luodi.assessments import tokens
    from tests.assessments.helpers import invite_external, open_for

    assessment = open_for(personas.staff, AchievementFactory(owner=personas.org_a))
    token = tokens.make(invite_external(personas.staff, assessment, "ext@example.org"))
    page.goto(f"/assessments/{assessment.pk}/review/?token={token}broken")
    expect(page.get_by_test_id("link-error")).to_have_attribute("data-reason", "forged")
    expect(page.get_by_test_id("declaration-form")).to_have_count(0)

    page.goto(f"/assessments/{assessment.pk}/review/?token={token}")
    _declare_no_conflict(page)
    _score(page, {**GOOD, "trl": 12})
    expect(page.locator(".field.has-error")).to_have_count(1)
    expect(page.get_by_test_id("score_trl")).to_have_value("12")
    assert not Invitation.objects.get(assessment=assessment).scores.exists()
