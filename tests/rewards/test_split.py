"""The split's arithmetic: largest remainder to the fen, lines summing exactly to the base
at every level, with awkward numbers."""

from __future__ import annotations

from fractions import Fraction
from itertools import product

import pytest

from luodi.rewards.split import Member, Rates, apportion, split

RATES = Rates(team_bp=7_000, main_bp=6_000, institution_bp=2_000, department_bp=1_000)


def test_apportion_gives_leftover_fen_to_the_largest_remainders() -> None:
    assert apportion(100, [1, 1, 1]) == [34, 33, 33]
    assert apportion(10, [2, 3, 5]) == [2, 3, 5]
    assert apportion(7, [3333, 3333, 3334]) == [2, 2, 3]
    assert apportion(1, [5000, 5000]) == [1, 0]  # a tie: the earlier first
    assert apportion(0, [1, 2]) == [0, 0]
    assert apportion(5, [0, 1]) == [0, 5]


def test_apportion_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        apportion(5, [0, 0])
    with pytest.raises(ValueError):
        apportion(-1, [1])


def test_the_example_policy_on_round_numbers() -> None:
    team = [Member(1, 5_000, True), Member(2, 3_000, True), Member(3, 2_000, False)]
    result = split(1_000_000, RATES, team)
    amounts = {(p.role, p.key): p.amount_fen for p in result.parts}
    assert amounts == {
        ("institution", None): 200_000,
        ("department", None): 100_000,
        # team 700,000; main 60 % = 420,000 shared 5:3; the rest 280,000 to person 3
        ("main", 1): 262_500,
        ("main", 2): 157_500,
        ("contributor", 3): 280_000,
    }
    shares = {p.key: p.share for p in result.parts if p.key}
    assert shares == {1: Fraction(2625, 10_000), 2: Fraction(1575, 10_000), 3: Fraction(28, 100)}


def test_lines_sum_exactly_to_the_base_with_awkward_numbers() -> None:
    awkward_rates = [
        RATES,
        Rates(team_bp=5_001, main_bp=5_000, institution_bp=3_333, department_bp=1_666),
        Rates(team_bp=9_999, main_bp=9_999, institution_bp=1, department_bp=0),
        Rates(team_bp=6_667, main_bp=7_777, institution_bp=3_333, department_bp=0),
    ]
    teams = [
        [Member(1, 3_333, True), Member(2, 3_333, True), Member(3, 3_334, False)],
        [Member(1, 1, True), Member(2, 9_999, False)],
        [Member(k, 1_429 if k < 7 else 1_426, k % 2 == 0) for k in range(1, 8)],
        [Member(1, 10_000, True)],
    ]
    for base, rates, team in product(
        [0, 1, 7, 99, 1_000_001, 123_456_789_01], awkward_rates, teams
    ):
        result = split(base, rates, team)
        assert sum(p.amount_fen for p in result.parts) == base
        assert all(p.amount_fen >= 0 for p in result.parts)
        team_fen = result.total("main", "contributor")
        exact_team = Fraction(base * rates.team_bp, 10_000)
        assert abs(team_fen - exact_team) < 1
        # Each line is within one fen of its exact share.
        for part in result.parts:
            assert abs(part.amount_fen - part.share * base) < 2, (base, rates, part)


def test_without_other_contributors_the_main_ones_take_the_whole_team_part() -> None:
    result = split(10_000, RATES, [Member(1, 6_000, True), Member(2, 4_000, True)])
    assert [(p.role, p.amount_fen) for p in result.parts] == [
        ("institution", 2_000),
        ("department", 1_000),
        ("main", 4_200),
        ("main", 2_800),
    ]


def test_shares_not_adding_up_and_an_empty_team_are_refused() -> None:
    with pytest.raises(ValueError):
        split(100, Rates(7_000, 6_000, 2_000, 2_000), [Member(1, 10_000, True)])
    with pytest.raises(ValueError):
        split(100, RATES, [])
