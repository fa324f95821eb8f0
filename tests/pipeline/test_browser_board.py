"""The board with demo data: every column filled, moved with the keyboard only."""

from __future__ import annotations

import io

from playwright.sync_api import expect

from luodi.pipeline import demo
from luodi.pipeline.choices import BOARD_COLUMNS
from luodi.pipeline.models import Project
from tests.browser.conftest import sign_in
from tests.conftest import Personas
from tests.factories import PASSWORD, AchievementFactory, OrganizationFactory


def test_demo_board_and_keyboard_move(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    for i in range(4):
        AchievementFactory(is_demo=True, kind="device" if i % 2 else "drug")
    OrganizationFactory(kind="park", name_zh="天府国际生物城（测试）")
    OrganizationFactory(kind="hospital", name_zh="华西医院（测试）")
    personas.staff.username = "staff"
    personas.staff.save(update_fields=["username"])
    demo.load(io.StringIO())
    sign_in(page, "staff", PASSWORD)

    page.goto("/projects/board/")
    for stage in BOARD_COLUMNS:
        expect(page.locator(f"[data-testid=col-{stage}] .pl-card")).not_to_have_count(0)

    lead = Project.objects.get(stage="lead")
    page.focus(f"[data-testid=move-select-{lead.pk}]")
    page.keyboard.press("ArrowDown")  # assessment → paused; back up again
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(
        page.locator(f"[data-testid=col-assessment] [data-testid=card-{lead.pk}]")
    ).to_be_visible()
    expect(page.locator("[data-testid=board-notice]")).to_be_visible()
    lead.refresh_from_db()
    assert lead.stage == "assessment"
