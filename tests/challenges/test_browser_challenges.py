"""Challenges in the browser: a company posts and opens a challenge; an applicant without an
account answers it through the public page (with a file) and a signed-in applicant for its
organization; the poster moves one to finalist and awards it, and finds the project on the
board. Failure path: a proposal missing required fields, and one after the deadline, are
refused with their errors and nothing is saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from luodi.challenges.models import Challenge, Proposal
from luodi.pipeline.models import Project
from tests.browser_fixtures import sign_in
from tests.challenges.helpers import make_challenge
from tests.conftest import Personas
from tests.factories import PASSWORD, AchievementFactory

pytestmark = [pytest.mark.browser]
PDF = b"%PDF-1.4 plan\n"


def _fill_proposal(page, title: str) -> None:  # type: ignore[no-untyped-def]
    page.fill("#id_title", title)
    page.fill("#id_summary", "一页纸方案摘要")
    page.fill("#id_approach", "假设：柔性电极可在术中实时监测出血。")
    page.select_option("#id_readiness", "4")
    page.fill("#id_plan", "第 3 个月样机，第 6 个月动物实验。")


def test_post_receive_two_proposals_and_award_one(  # type: ignore[no-untyped-def]
    page, browser, live_server, personas: Personas
) -> None:
    deadline = timezone.localdate() + timedelta(days=14)
    achievement = AchievementFactory(owner=personas.org_b, title_zh="柔性出血监测电极")
    sign_in(page, "partner_a", PASSWORD)
    page.goto("/challenges/")
    page.get_by_test_id("new-challenge").click()
    page.select_option("#id_poster", str(personas.org_a.pk))
    page.fill("#id_title_zh", "术中出血实时监测")
    page.fill("#id_problem_zh", "需要在手术中实时发现隐匿性出血。")
    page.fill("#id_budget_min", "500000")
    page.fill("#id_budget_max", "2000000")
    page.fill("#id_deadline", deadline.isoformat())
    page.select_option("#id_visibility", "public")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("challenge-status")).to_have_attribute("data-status", "draft")
    page.get_by_test_id("status-open").click()
    expect(page.get_by_test_id("challenge-status")).to_have_attribute("data-status", "open")
    challenge = Challenge.objects.get()

    # An applicant without an account, through the public page.
    anon = browser.new_context(base_url=live_server.url, locale="zh-CN")
    public = anon.new_page()
    public.goto(f"/challenges/public/{challenge.pk}/")
    public.fill("#id_applicant_name", "钱无账号")
    public.fill("#id_applicant_email", "qian@example.org")
    public.fill("#id_applicant_organization", "某大学医学院")
    _fill_proposal(public, "无账号申请人的方案")
    public.set_input_files(
        "#id_attachments",
        files=[{"name": "plan.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    public.get_by_test_id("submit-proposal").click()
    expect(public.get_by_test_id("sent")).to_be_visible()
    expect(public.get_by_test_id("proposal-stage")).to_have_attribute("data-stage", "screen")
    expect(public.get_by_test_id("attachments")).to_contain_text("plan.pdf")
    anon.close()

    # A signed-in applicant, for its organization.
    other = browser.new_context(base_url=live_server.url, locale="zh-CN")
    applicant = other.new_page()
    sign_in(applicant, "partner_b", PASSWORD)
    applicant.goto(f"/challenges/{challenge.pk}/")
    applicant.get_by_test_id("propose").click()
    _fill_proposal(applicant, "乙机构的方案")
    applicant.select_option("#id_achievements", str(achievement.pk))
    applicant.get_by_test_id("submit-proposal").click()
    expect(applicant.get_by_test_id("proposal-stage")).to_have_attribute("data-stage", "screen")
    other.close()

    assert Proposal.objects.count() == 2
    chosen = Proposal.objects.get(organization=personas.org_b)
    page.goto(f"/challenges/{challenge.pk}/")
    expect(page.get_by_test_id("proposals")).to_contain_text("无账号申请人的方案")
    page.get_by_test_id(f"proposal-row-{chosen.pk}").get_by_role("link").click()
    page.select_option("#id_score", "5")
    page.get_by_test_id("score-save").click()
    for stage in ("assess", "finalist"):
        page.select_option("#id_stage", stage)
        page.get_by_test_id("move-save").click()
        expect(page.get_by_test_id("proposal-stage")).to_have_attribute("data-stage", stage)
    page.get_by_test_id("award").click()
    expect(page.get_by_test_id("proposal-stage")).to_have_attribute("data-stage", "awarded")
    expect(page.get_by_test_id("awarded-project")).to_be_visible()

    project = Project.objects.get()
    assert (project.owner, project.company, project.achievement) == (
        personas.org_b,
        personas.org_a,
        achievement,
    )
    page.goto(reverse("pipeline:board"))
    expect(page.get_by_test_id(f"card-{project.pk}")).to_be_visible()
    expect(page.get_by_test_id("col-lead")).to_contain_text(project.title)


def test_missing_fields_and_late_proposals_are_refused(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    challenge = make_challenge(personas.partner_a, personas.org_a)
    page.goto(f"/challenges/public/{challenge.pk}/")
    page.fill("#id_applicant_name", "孙缺项")
    page.fill("#id_title", "缺少摘要的方案")
    page.get_by_test_id("submit-proposal").click()
    form = page.get_by_test_id("proposal-form")
    for field in (
        "applicant_email",
        "applicant_organization",
        "summary",
        "approach",
        "plan",
        "readiness",
    ):
        expect(form.locator(f".field.has-error:has(#id_{field})")).to_be_visible()
    expect(page.locator("#id_title")).to_have_value("缺少摘要的方案")
    assert Proposal.objects.count() == 0

    Challenge.objects.filter(pk=challenge.pk).update(
        deadline=timezone.localdate() - timedelta(days=1)
    )
    page.goto(f"/challenges/public/{challenge.pk}/")
    expect(page.get_by_test_id("closed")).to_be_visible()
    expect(page.get_by_test_id("proposal-form")).to_have_count(0)
    assert Proposal.objects.count() == 0
