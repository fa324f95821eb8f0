"""Rewards test data, built through the domains (ledger, rewards) like real rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from luodi.accounts.models import User
from luodi.catalog.models import Achievement, Organization, Person
from luodi.ledger.models import LedgerEntry
from luodi.rewards import domain, policies
from luodi.rewards.models import RewardDistribution, RewardPolicy
from tests.factories import AchievementFactory, PersonFactory
from tests.ledger.helpers import entry

TODAY = timezone.localdate()
LONG_AGO = date(2000, 1, 1)
RATES = {"team_bp": 7_000, "main_bp": 6_000, "institution_bp": 2_000, "department_bp": 1_000}


def policy(actor: User, institution: Organization, **values: Any) -> RewardPolicy:
    base: dict[str, Any] = {
        "effective_from": LONG_AGO,
        **RATES,
        "department_name": "科研部",
        "notice_days": 15,
    }
    return policies.add_policy(actor=actor, institution=institution, values={**base, **values})


def team(actor: User, achievement: Achievement, plan: list[tuple[Person, int, bool]]) -> None:
    rows = [policies.ShareRow(p, bp, main) for p, bp, main in plan]
    policies.save_shares(actor=actor, achievement=achievement, rows=rows)


@dataclass
class Setup:
    achievement: Achievement
    people: list[Person]
    income: LedgerEntry


def ready(
    actor: User,
    institution: Organization,
    amount_fen: int = 1_000_000_00,
    title: str = "",
    **achievement: Any,
) -> Setup:
    """An achievement of `institution` with three inventors (two main), a policy, and a
    royalty received for it."""
    extra = {"title_zh": title} if title else {}
    a = AchievementFactory(owner=institution, **extra, **achievement)
    people = [PersonFactory(organization=institution) for _ in range(3)]
    a.inventors.set(people)
    policy(actor, institution)
    team(actor, a, [(people[0], 5_000, True), (people[1], 3_000, True), (people[2], 2_000, False)])
    income = entry(actor, institution, achievement=a, amount_fen=amount_fen)
    return Setup(a, people, income)


def through_final(actor: User, d: RewardDistribution) -> RewardDistribution:
    """Approve, notice (ended yesterday) and finalize `d`."""
    domain.approve(actor=actor, distribution=d, body="院长办公会", reference="纪要12号")
    start = TODAY - timedelta(days=20)
    domain.start_notice(
        actor=actor,
        distribution=d,
        starts_on=start,
        ends_on=start + timedelta(days=14),
        where="院内公示栏",
    )
    return domain.finalize(actor=actor, distribution=d)
