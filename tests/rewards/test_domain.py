"""Policies (floors, versions by day), contributor shares, computing a split from the
ledger (deductions, the base never below zero, equity), the state machine and versions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from luodi.concurrency import Conflict
from luodi.rewards import domain, policies
from luodi.rewards.models import RewardDistribution, RewardLine, RewardPolicy
from tests.conftest import Personas
from tests.factories import AchievementFactory, PersonFactory
from tests.ledger.helpers import entry
from tests.rewards.helpers import LONG_AGO, TODAY, policy, ready, team, through_final

pytestmark = pytest.mark.django_db


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


def test_policy_below_the_floor_is_refused_by_field(personas: Personas) -> None:
    with pytest.raises(ValidationError) as low_team:
        policy(
            personas.staff, personas.org_a, team_bp=4_999, institution_bp=3_001, department_bp=2_000
        )
    assert set(_errors(low_team)) == {"team_bp"}
    with pytest.raises(ValidationError) as low_main:
        policy(personas.staff, personas.org_a, main_bp=4_999)
    assert set(_errors(low_main)) == {"main_bp"}
    with pytest.raises(ValidationError) as not_whole:
        policy(personas.staff, personas.org_a, department_bp=1_500)
    assert set(_errors(not_whole)) == {"__all__"}
    assert not RewardPolicy.objects.exists()
    at_floor = policy(
        personas.staff, personas.org_a, team_bp=5_000, main_bp=5_000, institution_bp=4_000
    )
    assert (at_floor.team_bp, at_floor.main_bp) == (5_000, 5_000)


def test_policy_versions_are_kept_and_chosen_by_day(personas: Personas) -> None:
    old = policy(personas.staff, personas.org_a)
    new = policy(
        personas.staff,
        personas.org_a,
        effective_from=TODAY - timedelta(days=10),
        team_bp=8_000,
        institution_bp=1_000,
    )
    assert policies.policy_in_force(personas.org_a, TODAY - timedelta(days=11)) == old
    assert policies.policy_in_force(personas.org_a, TODAY) == new
    assert policies.policy_in_force(personas.org_a, LONG_AGO - timedelta(days=1)) is None
    with pytest.raises(ValidationError) as same_day:
        policy(personas.staff, personas.org_a, effective_from=LONG_AGO)
    assert set(_errors(same_day)) == {"effective_from"}
    with pytest.raises(Conflict):  # the editor saw one version; there are two now
        policies.add_policy(
            actor=personas.staff,
            institution=personas.org_a,
            values={
                "effective_from": TODAY,
                "team_bp": 7_000,
                "main_bp": 6_000,
                "institution_bp": 2_000,
                "department_bp": 1_000,
                "notice_days": 15,
            },
            expected_version=1,
        )
    assert RewardPolicy.objects.count() == 2


def test_shares_must_add_up_and_name_a_main_contributor(personas: Personas) -> None:
    a = AchievementFactory(owner=personas.org_a)
    p, q = PersonFactory(organization=personas.org_a), PersonFactory(organization=personas.org_a)
    outsider = PersonFactory(organization=personas.org_b)
    for plan in (
        [(p, 5_000, True), (q, 4_000, False)],  # 90 %
        [(p, 5_000, False), (q, 5_000, False)],  # no main contributor
        [(p, 5_000, True), (outsider, 5_000, False)],  # not of the institution
        [(p, 5_000, True), (p, 5_000, False)],  # twice
    ):
        with pytest.raises(ValidationError):
            team(personas.staff, a, plan)
    assert policies.team_of(a) is None
    team(personas.staff, a, [(p, 5_000, True), (q, 5_000, False)])
    saved = policies.team_of(a)
    assert saved is not None and saved.version == 1
    with pytest.raises(Conflict):
        policies.save_shares(
            actor=personas.staff,
            achievement=a,
            rows=[policies.ShareRow(p, 10_000, True)],
            expected_version=0,
        )
    assert [(s.person, s.share_bp) for s in policies.shares_of(a)] == [(p, 5_000), (q, 5_000)]


def test_inventors_are_offered_first(personas: Personas) -> None:
    a = AchievementFactory(owner=personas.org_a)
    colleague = PersonFactory(organization=personas.org_a, name_zh="甲")
    inventor = PersonFactory(organization=personas.org_b, name_zh="乙")
    a.inventors.set([inventor])
    assert list(policies.candidates(a)) == [inventor, colleague]


def test_a_split_from_the_ledger_sums_exactly_to_the_base(personas: Personas) -> None:
    s = ready(personas.staff, personas.org_a, amount_fen=1_234_567_89)
    cost = entry(
        personas.staff,
        personas.org_a,
        achievement=s.achievement,
        direction="expense",
        kind="legal",
        amount_fen=3_333_33,
    )
    other = entry(
        personas.staff, personas.org_a, direction="expense", kind="legal", amount_fen=50_00
    )  # no achievement: not suggested
    assert list(domain.suggested_expenses(s.income)) == [cost]
    d = domain.create_distribution(actor=personas.staff, entry=s.income)
    assert (d.gross_fen, d.deducted_fen, d.base_fen) == (1_234_567_89, 3_333_33, 1_231_234_56)
    lines = list(d.lines.all())
    assert sum(line.amount_fen for line in lines) == d.base_fen
    assert [line.role for line in lines] == [
        "institution",
        "department",
        "main",
        "main",
        "contributor",
    ]
    assert [line.recipient for line in lines[2:]] == [str(p) for p in s.people]
    assert lines[0].amount_fen == 246_246_91  # 20 % of 1,231,234.56 yuan, to the fen
    assert d.state == "draft" and not d.equity and other.pk
    # The cost is deducted once: another income of the achievement no longer gets it.
    second = entry(personas.staff, personas.org_a, achievement=s.achievement, amount_fen=99_00)
    assert not domain.suggested_expenses(second).exists()
    with pytest.raises(ValidationError) as taken:
        domain.create_distribution(actor=personas.staff, entry=second, expenses=[cost])
    assert set(_errors(taken)) == {"expenses"}
    with pytest.raises(ValidationError):  # one split per income
        domain.create_distribution(actor=personas.staff, entry=s.income)


def test_the_base_is_never_below_zero_and_a_changed_deduction_needs_a_note(
    personas: Personas,
) -> None:
    s = ready(personas.staff, personas.org_a, amount_fen=100_00)
    with pytest.raises(ValidationError) as no_note:
        domain.create_distribution(actor=personas.staff, entry=s.income, deducted_fen=500_00)
    assert set(_errors(no_note)) == {"deduction_note"}
    d = domain.create_distribution(
        actor=personas.staff, entry=s.income, deducted_fen=500_00, deduction_note="评估费"
    )
    assert d.base_fen == 0 and sum(line.amount_fen for line in d.lines.all()) == 0


def test_a_split_needs_a_policy_in_force_and_contributor_shares(personas: Personas) -> None:
    a = AchievementFactory(owner=personas.org_a)
    income = entry(personas.staff, personas.org_a, achievement=a)
    with pytest.raises(ValidationError) as no_policy:
        domain.create_distribution(actor=personas.staff, entry=income)
    assert set(_errors(no_policy)) == {"policy"}
    policy(personas.staff, personas.org_a)
    with pytest.raises(ValidationError) as no_team:
        domain.create_distribution(actor=personas.staff, entry=income)
    assert set(_errors(no_team)) == {"achievement"}
    expected = entry(
        personas.staff, personas.org_a, achievement=a, status="expected", received_on=None
    )
    with pytest.raises(ValidationError) as not_received:
        domain.create_distribution(actor=personas.staff, entry=expected)
    assert set(_errors(not_received)) == {"entry"}
    assert not RewardDistribution.objects.exists()


def test_equity_is_flagged_and_split_by_its_value(personas: Personas) -> None:
    s = ready(personas.staff, personas.org_a)
    equity = entry(
        personas.staff,
        personas.org_a,
        achievement=s.achievement,
        kind="equity",
        amount_fen=400_000_00,
        valuation_fen=500_000_00,
    )
    d = domain.create_distribution(actor=personas.staff, entry=equity)
    assert d.equity and d.base_fen == 400_000_00
    assert sum(line.amount_fen for line in d.lines.all()) == 400_000_00


def test_a_later_policy_does_not_rewrite_a_split(personas: Personas) -> None:
    s = ready(personas.staff, personas.org_a, amount_fen=10_000_00)
    d = domain.create_distribution(actor=personas.staff, entry=s.income)
    before = list(d.lines.values_list("amount_fen", flat=True))
    policy(
        personas.staff,
        personas.org_a,
        effective_from=TODAY - timedelta(days=30),
        team_bp=9_000,
        institution_bp=500,
        department_bp=500,
    )
    d.refresh_from_db()
    assert d.team_bp == 7_000 and list(d.lines.values_list("amount_fen", flat=True)) == before
    # Computing the draft again applies the version in force on the received day.
    domain.recompute(actor=personas.staff, distribution=d, expected_version=d.version)
    assert d.team_bp == 9_000
    assert sum(d.lines.values_list("amount_fen", flat=True)) == 10_000_00


def test_the_states_in_order(personas: Personas) -> None:
    s = ready(personas.staff, personas.org_a)
    d = domain.create_distribution(actor=personas.staff, entry=s.income)
    with pytest.raises(ValidationError):  # not approved yet
        domain.start_notice(
            actor=personas.staff,
            distribution=d,
            starts_on=TODAY,
            ends_on=TODAY + timedelta(days=20),
            where="公示栏",
        )
    with pytest.raises(ValidationError) as no_body:
        domain.approve(actor=personas.staff, distribution=d, body=" ", reference="")
    assert set(_errors(no_body)) == {"approval_body", "approval_reference"}
    domain.approve(actor=personas.partner_a, distribution=d, body="院长办公会", reference="12号")
    assert d.state == "approved" and d.approved_by == personas.partner_a
    with pytest.raises(ValidationError):  # only a draft is computed again
        domain.recompute(actor=personas.staff, distribution=d)
    with pytest.raises(ValidationError) as short:
        domain.start_notice(
            actor=personas.staff,
            distribution=d,
            starts_on=TODAY,
            ends_on=TODAY + timedelta(days=13),
            where="公示栏",
        )
    assert set(_errors(short)) == {"notice_ends_on"}
    domain.start_notice(
        actor=personas.staff,
        distribution=d,
        starts_on=TODAY,
        ends_on=TODAY + timedelta(days=14),
        where="公示栏",
    )
    with pytest.raises(ValidationError) as early:
        domain.finalize(actor=personas.staff, distribution=d)
    assert set(_errors(early)) == {"notice_ends_on"}
    domain.record_objection(actor=personas.staff, distribution=d, text="本人贡献份额有误")
    d.refresh_from_db()
    assert (d.state, d.objection, d.approved_at, d.notice_ends_on) == (
        "draft",
        "本人贡献份额有误",
        None,
        None,
    )
    through_final(personas.staff, d)
    assert d.state == "final" and d.finalized_on == TODAY
    with pytest.raises(ValidationError):
        domain.mark_paid(actor=personas.staff, distribution=d, paid_on=TODAY + timedelta(days=1))
    domain.mark_paid(actor=personas.staff, distribution=d, paid_on=TODAY)
    states = list(d.events.values_list("from_state", "to_state"))
    assert states == [
        ("", "draft"),
        ("draft", "approved"),
        ("approved", "on_notice"),
        ("on_notice", "draft"),
        ("draft", "approved"),
        ("approved", "on_notice"),
        ("on_notice", "final"),
        ("final", "paid"),
    ]


def test_a_stale_version_changes_nothing(personas: Personas) -> None:
    s = ready(personas.staff, personas.org_a)
    d = domain.create_distribution(actor=personas.staff, entry=s.income)
    seen = d.version
    other = RewardDistribution.objects.get(pk=d.pk)
    domain.approve(
        actor=personas.staff, distribution=other, body="会", reference="1号", expected_version=seen
    )
    with pytest.raises(Conflict):
        domain.record_objection(
            actor=personas.staff, distribution=d, text="x", expected_version=seen
        )
    with pytest.raises(Conflict):
        domain.recompute(actor=personas.staff, distribution=d, expected_version=seen)
    d.refresh_from_db()
    assert d.state == "approved" and d.objection == ""
    assert RewardLine.objects.filter(distribution=d).count() == 5
