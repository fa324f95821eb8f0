"""The annual report's interface: one line per distribution of income received in the
period, what each person received in cash, and nothing for who may not see."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from luodi.rewards import domain
from luodi.rewards.choices import DistributionState
from luodi.rewards.report import DistributionLine, PersonReward, distributions_in, rewards_in
from tests.conftest import Personas
from tests.ledger.helpers import SECRET, agreement, entry
from tests.pipeline.factories import make_project
from tests.rewards.helpers import TODAY, ready, through_final

pytestmark = pytest.mark.django_db
YEAR = (TODAY - timedelta(days=400), TODAY)


def test_lines_and_person_totals(personas: Personas) -> None:
    s = ready(personas.staff, personas.org_a, amount_fen=1_000_000, title="骨修复支架")
    final = through_final(
        personas.staff, domain.create_distribution(actor=personas.staff, entry=s.income)
    )
    project = make_project(personas.staff, personas.org_b)
    hidden = agreement(personas.staff, project, [personas.org_b, personas.org_a], SECRET)
    second = entry(
        personas.staff, personas.org_a, achievement=s.achievement, amount_fen=999, agreement=hidden
    )
    domain.create_distribution(actor=personas.staff, entry=second)  # a draft: no person total
    equity = entry(
        personas.staff,
        personas.org_a,
        achievement=s.achievement,
        kind="equity",
        amount_fen=500_00,
        valuation_fen=600_00,
    )
    through_final(personas.staff, domain.create_distribution(actor=personas.staff, entry=equity))
    lines = distributions_in(personas.partner_a, personas.org_a, *YEAR)
    assert len(lines) == 3
    first = next(line for line in lines if line.base_fen == 1_000_000)
    assert first == DistributionLine(
        income_on=s.income.received_on,  # type: ignore[arg-type]
        income="提成或许可费",
        achievement="骨修复支架",
        base_fen=1_000_000,
        team_fen=700_000,
        main_contributors_fen=420_000,
        institution_fen=200_000,
        department_fen=100_000,
        status=str(DistributionState.FINAL.label),
        approved_on=TODAY,
        notice_ends_on=final.notice_ends_on,
        equity=False,
    )
    assert all(SECRET not in line.income for line in lines)
    staff_lines = distributions_in(personas.staff, personas.org_a, *YEAR)
    assert any(SECRET in line.income for line in staff_lines)
    assert [line.equity for line in lines].count(True) == 1
    rewards = rewards_in(personas.partner_a, personas.org_a, *YEAR)
    assert rewards == [
        PersonReward(str(s.people[2]), 280_000, 1),
        PersonReward(str(s.people[0]), 262_500, 1),
        PersonReward(str(s.people[1]), 157_500, 1),
    ]


def test_nothing_for_who_may_not_see_and_outside_the_period(personas: Personas) -> None:
    s = ready(personas.staff, personas.org_a)
    through_final(personas.staff, domain.create_distribution(actor=personas.staff, entry=s.income))
    for user in (personas.partner_b, personas.viewer):
        assert distributions_in(user, personas.org_a, *YEAR) == []
        assert rewards_in(user, personas.org_a, *YEAR) == []
    before = (date(2001, 1, 1), date(2001, 12, 31))
    assert distributions_in(personas.partner_a, personas.org_a, *before) == []
    assert rewards_in(personas.partner_a, personas.org_a, *before) == []
