"""Rewards in the browser: a hospital's transfer office marks a royalty received in the
ledger, follows the link to compute its reward split and sees the split to the fen; a
policy below the floor is refused beside its field and nothing is saved; a partner of
another institution cannot reach the split to approve it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from luodi.rewards.models import RewardDistribution, RewardPolicy
from tests.browser_fixtures import sign_in
from tests.conftest import Personas
from tests.factories import PASSWORD
from tests.ledger.helpers import TODAY, entry
from tests.rewards.helpers import ready

pytestmark = [pytest.mark.browser]


def test_record_a_royalty_payment_and_see_the_reward_split(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    s = ready(personas.staff, personas.org_a)
    royalty = entry(
        personas.staff,
        personas.org_a,
        achievement=s.achievement,
        status="expected",
        received_on=None,
        expected_on=TODAY,
        amount_fen=10_000_00,
    )
    sign_in(page, "partner_a", PASSWORD)
    page.goto(f"/ledger/?institution={personas.org_a.pk}")
    page.get_by_test_id(f"receive-{royalty.pk}").locator("summary").click()
    page.get_by_test_id(f"receive-{royalty.pk}").locator("input[name=amount]").fill("12345.67")
    page.get_by_test_id(f"receive-save-{royalty.pk}").click()

    page.get_by_test_id(f"reward-split-{royalty.pk}").click()
    page.get_by_test_id("compute").click()

    expect(page.get_by_test_id("state")).to_have_attribute("data-state", "draft")
    expect(page.get_by_test_id("base")).to_contain_text("¥12,345.67")
    expect(page.get_by_test_id("total")).to_contain_text("¥12,345.67")
    # 20 % institution, 10 % department, 70 % team: 60 % of it to the two main contributors.
    expect(page.get_by_test_id("line-amount-1")).to_contain_text("¥2,469.13")
    expect(page.get_by_test_id("line-amount-2")).to_contain_text("¥1,234.57")
    d = RewardDistribution.objects.get(entry=royalty)
    assert sum(d.lines.values_list("amount_fen", flat=True)) == 1_234_567


def test_a_policy_below_the_floor_is_refused_beside_the_field(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "partner_a", PASSWORD)
    page.goto(f"/rewards/policy/{personas.org_a.pk}/")
    page.fill("#id_team", "40")
    page.fill("#id_main", "60")
    page.fill("#id_institution", "40")
    page.fill("#id_department", "20")
    page.get_by_test_id("save").click()

    field = page.locator(".field.has-error", has=page.locator("#id_team"))
    expect(field.locator(".error")).to_be_visible()
    expect(page.locator("#id_team")).to_have_value("40")
    assert not RewardPolicy.objects.exists()


def test_another_institution_cannot_approve_the_split(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    from luodi.rewards import domain

    s = ready(personas.staff, personas.org_a)
    d = domain.create_distribution(actor=personas.staff, entry=s.income)
    sign_in(page, "partner_b", PASSWORD)
    response = page.goto(f"/rewards/{d.pk}/")
    assert response is not None and response.status == 404
    expect(page.get_by_test_id("approve")).to_have_count(0)
    d.refresh_from_db()
    assert d.state == "draft"
