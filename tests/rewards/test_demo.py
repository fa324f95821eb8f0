"""The demo's rewards: the demo hospital's policy, contributor shares and one distribution
final, one on notice, one draft; a second run adds nothing; everything flagged demo."""

from __future__ import annotations

import io

import pytest

from luodi import demo
from luodi.accounts.models import User
from luodi.rewards.models import ContributorTeam, RewardDistribution, RewardPolicy
from luodi.rewards.rules import distributions_visible_to

pytestmark = pytest.mark.django_db


def test_demo_rewards() -> None:
    demo.load(io.StringIO())
    counts = (
        RewardPolicy.objects.count(),
        ContributorTeam.objects.count(),
        RewardDistribution.objects.count(),
    )
    demo.load(io.StringIO())  # idempotent
    assert counts == (
        RewardPolicy.objects.count(),
        ContributorTeam.objects.count(),
        RewardDistribution.objects.count(),
    )
    assert all(counts)
    hospital = User.objects.get(username="hospital")
    own = distributions_visible_to(hospital)
    assert {d.state for d in own} == {"final", "on_notice", "draft"}
    assert own.get(state="draft").equity
    for d in RewardDistribution.objects.all():
        assert d.is_demo and sum(d.lines.values_list("amount_fen", flat=True)) == d.base_fen
    assert not RewardPolicy.objects.filter(is_demo=False).exists()
    policy = RewardPolicy.objects.first()
    assert policy is not None and (policy.team_bp, policy.main_bp) == (7_000, 6_000)
