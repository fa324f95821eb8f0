"""The arithmetic of a split, without Django: a base in fen shared by weights, rounded to the
fen by the largest-remainder method, so the parts always add up to the whole exactly.

`split` applies a policy: institution, department and team by the policy's basis points;
the team's part to its main contributors (the policy's share of it) and the rest to the
other contributors, each group by the contributors' agreed shares. Every level is
apportioned from its parent, so the lines sum to the base and each group to its subtotal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from luodi.rewards.choices import WHOLE_BP


def apportion(total: int, weights: Sequence[int]) -> list[int]:
    """`total` (≥ 0) shared in proportion to `weights` (≥ 0, not all 0), in whole units that
    sum to `total`: each gets the floor of its exact part, and the units left go one each to
    the largest remainders (ties: the earlier weight first)."""
    if total < 0 or any(w < 0 for w in weights):
        raise ValueError("total and weights must not be negative")
    whole = sum(weights)
    if whole == 0:
        raise ValueError("the weights must not all be zero")
    floors = [total * w // whole for w in weights]
    remainders = [total * w % whole for w in weights]
    left = total - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:left]:
        floors[i] += 1
    return floors


@dataclass(frozen=True)
class Member:
    """One contributor of the team: an id (a Person's), the agreed share (bp), main or not."""

    key: int
    share_bp: int
    is_main: bool


@dataclass(frozen=True)
class Rates:
    """A policy's basis points: institution + department + team = 10,000; `main_bp` is the
    main contributors' share of the team's part."""

    team_bp: int
    main_bp: int
    institution_bp: int
    department_bp: int


@dataclass(frozen=True)
class Part:
    role: str  # "institution", "department", "main" or "contributor"
    key: int | None  # the member's key; None for the institution and the department
    amount_fen: int
    share: Fraction  # of the base


@dataclass(frozen=True)
class Split:
    base_fen: int
    parts: list[Part]

    def total(self, *roles: str) -> int:
        return sum(p.amount_fen for p in self.parts if p.role in roles)


def split(base_fen: int, rates: Rates, team: Sequence[Member]) -> Split:
    """The lines of a distribution of `base_fen` under `rates` among `team` (at least one
    member with a share; with no other contributors the whole team part goes to the main
    ones, with no main ones to the others)."""
    if rates.team_bp + rates.institution_bp + rates.department_bp != WHOLE_BP:
        raise ValueError("the policy's shares must add up to 100 %")
    sharing = [m for m in team if m.share_bp > 0]
    if not sharing:
        raise ValueError("the team has no member with a share")
    institution_fen, department_fen, team_fen = apportion(
        base_fen, [rates.institution_bp, rates.department_bp, rates.team_bp]
    )
    main = [m for m in sharing if m.is_main]
    others = [m for m in sharing if not m.is_main]
    main_bp = rates.main_bp if main and others else (WHOLE_BP if main else 0)
    main_fen, others_fen = apportion(team_fen, [main_bp, WHOLE_BP - main_bp])
    team_rate = Fraction(rates.team_bp, WHOLE_BP)
    parts = [
        Part("institution", None, institution_fen, Fraction(rates.institution_bp, WHOLE_BP)),
        Part("department", None, department_fen, Fraction(rates.department_bp, WHOLE_BP)),
    ]
    for role, group, fen, bp in (
        ("main", main, main_fen, main_bp),
        ("contributor", others, others_fen, WHOLE_BP - main_bp),
    ):
        if not group:
            continue
        weights = [m.share_bp for m in group]
        group_rate = team_rate * Fraction(bp, WHOLE_BP)
        for member, amount in zip(group, apportion(fen, weights), strict=True):
            share = group_rate * Fraction(member.share_bp, sum(weights))
            parts.append(Part(role, member.key, amount, share))
    return Split(base_fen, parts)
