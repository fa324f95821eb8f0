"""Score aggregation: plain functions over numbers, no Django.

Each criterion's scores are put on 0–1 by its scale ((value − min) / (max − min)), so a TRL
of 1–9 and a grade of 1–5 weigh alike. Per criterion: the mean of the reviewers' scores (raw
and normalised), the population standard deviation and the range (max − min), normalised;
`disagreement` is flagged when the normalised range reaches DISAGREEMENT (0.5: on a 1–5
scale, two reviewers two grades apart, e.g. 2 and 4). Overall: the weighted mean of the
criteria's normalised means (criteria nobody scored are left out of the weights), and per
reviewer their own weighted score; the whole is flagged when any criterion is, or when the
reviewers' own overall scores are DISAGREEMENT / 2 (0.25) or more apart.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

DISAGREEMENT = 0.5


@dataclass(frozen=True)
class CriterionResult:
    code: str
    weight: int
    n: int
    mean: float | None  # on the criterion's own scale
    normalised: float | None  # 0–1
    stdev: float | None  # on the own scale (population)
    spread: float | None  # max − min, normalised 0–1
    disagreement: bool


@dataclass(frozen=True)
class Aggregate:
    criteria: list[CriterionResult]
    overall: float | None  # 0–1, weighted
    reviewers: dict[Any, float] = field(default_factory=dict)  # reviewer key → own overall
    overall_spread: float | None = None
    disagreement: bool = False

    def by_code(self) -> dict[str, CriterionResult]:
        return {c.code: c for c in self.criteria}


def normalise(value: float, low: int, high: int) -> float:
    return (value - low) / (high - low)


def _weighted(values: Mapping[str, float], weights: Mapping[str, int]) -> float | None:
    total = sum(weights[code] for code in values)
    if total <= 0:
        return None
    return sum(values[code] * weights[code] for code in values) / total


def aggregate(
    criteria: Sequence[Mapping[str, Any]],
    scores: Mapping[Any, Mapping[str, int]],
    threshold: float = DISAGREEMENT,
) -> Aggregate:
    """`criteria`: the assessment's snapshot (code, weight, min, max); `scores`: reviewer key →
    {criterion code: value}. Values outside a criterion's scale are the caller's error (the
    domain refuses them) and raise ValueError here."""
    weights = {c["code"]: int(c["weight"]) for c in criteria}
    results: list[CriterionResult] = []
    norm_means: dict[str, float] = {}
    for c in criteria:
        code, low, high = c["code"], int(c["min"]), int(c["max"])
        values = [own[code] for own in scores.values() if code in own]
        for v in values:
            if not low <= v <= high:
                raise ValueError(f"{code}: {v} is outside {low}–{high}")
        if not values:
            results.append(CriterionResult(code, weights[code], 0, None, None, None, None, False))
            continue
        mean = sum(values) / len(values)
        stdev = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
        spread = (max(values) - min(values)) / (high - low)
        norm_means[code] = normalise(mean, low, high)
        results.append(
            CriterionResult(
                code,
                weights[code],
                len(values),
                mean,
                norm_means[code],
                stdev,
                spread,
                len(values) > 1 and spread >= threshold,
            )
        )
    bounds = {c["code"]: (int(c["min"]), int(c["max"])) for c in criteria}
    per_reviewer: dict[Any, float] = {}
    for key, own in scores.items():
        mine = {code: normalise(v, *bounds[code]) for code, v in own.items() if code in bounds}
        value = _weighted(mine, weights) if mine else None
        if value is not None:
            per_reviewer[key] = value
    overall_spread = (
        max(per_reviewer.values()) - min(per_reviewer.values()) if per_reviewer else None
    )
    # On the whole: reviewers' own overall scores half a threshold apart, or any criterion.
    apart = len(per_reviewer) > 1 and (overall_spread or 0.0) >= threshold / 2
    return Aggregate(
        criteria=results,
        overall=_weighted(norm_means, weights) if norm_means else None,
        reviewers=per_reviewer,
        overall_spread=overall_spread,
        disagreement=apart or any(r.disagreement for r in results),
    )
