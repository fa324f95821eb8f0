"""Acceptance: from a demo achievement to landing, in Chromium."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from luodi.pipeline.models import Project, Task
from tests.browser.conftest import sign_in
from tests.conftest import Personas
from tests.factories import PASSWORD, AchievementFactory, OrganizationFactory


def _drag(page, pk: int, stage: str) -> None:  # type: ignore[no-untyped-def]
    page.locator(f"[data-testid=grip-{pk}]").drag_to(page.locator(f"[data-testid=col-{stage}] h2"))


def test_project_from_achievement_to_landing(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    achievement = AchievementFactory(
        owner=personas.org_a,
        title_zh="靶向KRAS G12D小分子抑制剂（演示）",
        kind="drug",
        stage="preclinical",
        is_demo=True,
    )
    park = OrganizationFactory(kind="park", name_zh="成都医学城（测试）")
    sign_in(page, "staff_user", PASSWORD)

    # Open the project from the achievement.
    page.goto(f"/projects/new/?achievement={achievement.pk}")
    page.select_option("select[name=company]", str(personas.org_b.pk))
    page.select_option("select[name=target_park]", str(park.pk))
    page.click("[data-testid=save]")
    expect(page.locator("h1")).to_contain_text("靶向KRAS G12D")
    project = Project.objects.get()
    expect(page.locator("[data-testid=regulatory]")).to_be_visible()

    # Across the board by drag and drop; an illegal jump is refused with a reason.
    page.goto("/projects/board/")
    _drag(page, project.pk, "landed")
    expect(page.locator("[data-testid=board-notice] .error")).to_be_visible()
    expect(page.locator(f"[data-testid=col-lead] [data-testid=card-{project.pk}]")).to_be_visible()
    for stage in ("assessment", "matchmaking", "negotiation"):
        _drag(page, project.pk, stage)
        expect(
            page.locator(f"[data-testid=col-{stage}] [data-testid=card-{project.pk}]")
        ).to_be_visible()
    # Keyboard alternative: the card's select + button; no signed agreement yet → warning.
    page.select_option(f"[data-testid=move-select-{project.pk}]", "agreement_signed")
    page.click(f"[data-testid=move-button-{project.pk}]")
    expect(page.locator("[data-testid=gate-warnings]")).to_be_visible()
    page.click("[data-testid=confirm-move]")
    expect(
        page.locator(f"[data-testid=col-agreement_signed] [data-testid=card-{project.pk}]")
    ).to_be_visible()
    project.refresh_from_db()
    assert project.stage == "agreement_signed"
    assert [t.to_stage for t in project.transitions.all()] == [
        "lead",
        "assessment",
        "matchmaking",
        "negotiation",
        "agreement_signed",
    ]

    # A cooperation intention with an obligation.
    page.click(f"[data-testid=card-{project.pk}] a")
    page.click("[data-testid=new-agreement]")
    page.select_option("select[name=kind]", "intention")
    page.fill("input[name=title]", "合作意向书")
    page.select_option("select[name=status]", "signed")
    page.fill("input[name=signed_on]", timezone.localdate().isoformat())
    page.click("[data-testid=save]")
    agreement = project.agreements.get()
    box = page.locator(f"[data-testid=add-obligation-{agreement.pk}]")
    box.locator("summary").click()
    box.locator("select[name=kind]").select_option("visit")
    box.locator("input[name=description]").fill("签约后30日内到协会拜访")
    due = timezone.localdate() + timedelta(days=1)
    box.locator("input[name=due_date]").fill(due.isoformat())
    box.locator("select[name=responsible]").select_option(str(personas.staff.pk))
    box.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=task-table]")).to_contain_text("签约后30日内到协会拜访")

    # The reminder task appears on "my tasks" and the job sends it once, run twice.
    page.goto("/projects/tasks/")
    task = Task.objects.get()
    expect(page.locator(f"[data-testid=task-{task.pk}]")).to_contain_text("签约后30日内")
    call_command("send_reminders", "--no-digest")
    call_command("send_reminders", "--no-digest")
    reminders = [m for m in mail.outbox if "签约后30日内" in m.subject]
    assert len(reminders) == 1
    assert reminders[0].to == [personas.staff.email]
    page.reload()
    expect(page.locator(f"[data-testid=task-{task.pk}] [data-testid=reminded]")).to_be_visible()

    # Record the landing, then move to "landed" without a gate warning.
    page.goto(f"/projects/{project.pk}/")
    page.click("[data-testid=record-landing]")
    page.fill("input[name=entity_name]", "成都某某生物医药有限公司（演示）")
    page.fill("input[name=credit_code]", "91440300708461136T")
    page.fill("input[name=jobs_planned]", "45")
    page.click("[data-testid=save]")
    expect(page.locator("[data-testid=landing]")).to_contain_text("91440300708461136T")
    page.select_option("[data-testid=move-select]", "landed")
    page.click("[data-testid=move-button]")
    expect(page.locator("[data-testid=stage]")).to_have_attribute("data-stage", "landed")
    expect(page.locator("[data-testid=timeline]")).to_contain_text("合作意向书")
