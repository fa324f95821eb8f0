"""Aggregation against a reference computed by hand."""

from __future__ import annotations

import math

import pytest

from luodi.assessments.aggregate import aggregate

CRITERIA = [
    {"code": "trl", "weight": 30, "min": 1, "max": 9},
    {"code": "novelty", "weight": 20, "min": 1, "max": 5},
    {"code": "ip", "weight": 50, "min": 0, "max": 10},
]


def test_aggregate_matches_a_hand_computed_reference() -> None:
    scores = {
        "a": {"trl": 7, "novelty": 4, "ip": 6},
        "b": {"trl": 5, "novelty": 2, "ip": 6},
    }
    agg = aggregate(CRITERIA, scores)
    trl, novelty, ip = agg.criteria
    # trl: mean 6 → (6−1)/8 = 0.625; spread (7−5)/8 = 0.25; σ = 1
    assert (trl.mean, trl.normalised, trl.spread, trl.stdev) == (6, 0.625, 0.25, 1.0)
    assert trl.disagreement is False
    # novelty: mean 3 → 0.5; spread (4−2)/4 = 0.5 → flagged at the 0.5 threshold
    assert (novelty.mean, novelty.normalised, novelty.spread) == (3, 0.5, 0.5)
    assert novelty.disagreement is True
    # ip: 6 and 6 → 0.6, no spread
    assert (ip.normalised, ip.spread, ip.stdev) == (0.6, 0.0, 0.0)
    # overall: (30×0.625 + 20×0.5 + 50×0.6) / 100 = 0.5875
    assert agg.overall == pytest.approx(0.5875)
    # per reviewer: a = (30×0.75 + 20×0.75 + 50×0.6)/100 = 0.675; b = (30×0.5 + 20×0.25 + 30)/100
    assert agg.reviewers["a"] == pytest.approx(0.675)
    assert agg.reviewers["b"] == pytest.approx(0.5)
    assert agg.overall_spread == pytest.approx(0.175)
    assert agg.disagreement is True  # novelty is flagged


def test_an_unscored_criterion_leaves_the_weights() -> None:
    agg = aggregate(CRITERIA, {"a": {"trl": 9, "novelty": 1}})
    # (30×1 + 20×0) / 50: ip, scored by nobody, is not counted as zero
    assert agg.overall == pytest.approx(0.6)
    assert agg.by_code()["ip"].n == 0 and agg.by_code()["ip"].mean is None
    assert agg.disagreement is False  # one reviewer cannot disagree


def test_three_reviewers_standard_deviation() -> None:
    agg = aggregate(CRITERIA[:1], {"a": {"trl": 2}, "b": {"trl": 4}, "c": {"trl": 9}})
    only = agg.criteria[0]
    mean = 5.0
    assert only.mean == mean
    assert only.stdev == pytest.approx(math.sqrt(((2 - 5) ** 2 + 1 + 16) / 3))
    assert only.spread == pytest.approx(7 / 8) and only.disagreement is True


def test_a_value_outside_the_scale_is_an_error() -> None:
    with pytest.raises(ValueError, match="trl"):
        aggregate(CRITERIA, {"a": {"trl": 10}})
