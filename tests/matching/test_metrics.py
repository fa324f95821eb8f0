"""The one metrics module against a reference (ir-measures over pytrec_eval) on a fixture."""

from __future__ import annotations

import numpy as np
import pytest

from luodi.matching import metrics
from luodi.sites import tune

ir_measures = pytest.importorskip("ir_measures")

# Graded judgements with the awkward cases: grade 0 judged documents, a relevant document
# never retrieved, a query with nothing relevant retrieved, relevant documents past every
# cut-off, ties in grades, and a ranking longer than the deepest cut-off.
QRELS: dict[str, dict[str, int]] = {
    "q1": {"a": 2, "b": 0, "c": 1, "d": 3},
    "q2": {"x": 1},
    "q3": {f"r{i}": 1 + i % 3 for i in range(0, 120, 7)},
    "q4": {"m": 1, "n": 1},
    "q5": {"k": 2, "l": 0},
}
RANKED: dict[str, list[str]] = {
    "q1": ["b", "z", "a", "y", "c", "w"],
    "q2": ["y", "w", "v"],
    "q3": [f"r{i}" for i in range(150)],
    "q4": ["n", "m"],
    "q5": [f"o{i}" for i in range(12)] + ["k"],
}
MEASURES = {
    "nDCG@10": (lambda r, q: metrics.ndcg_at(r, q, 10)),
    "nDCG@5": (lambda r, q: metrics.ndcg_at(r, q, 5)),
    "R@10": (lambda r, q: metrics.recall_at(r, q, 10)),
    "R@50": (lambda r, q: metrics.recall_at(r, q, 50)),
    "R@100": (lambda r, q: metrics.recall_at(r, q, 100)),
    "RR@10": (lambda r, q: metrics.mrr_at(r, q, 10)),
    "AP@50": (lambda r, q: metrics.average_precision(r, q, 50)),
}


def _reference() -> dict[tuple[str, str], float]:
    # Strictly decreasing scores: trec_eval re-sorts a run by score, so the run must say
    # the same order as the ranked lists.
    run = {q: {d: float(len(r) - i) for i, d in enumerate(r)} for q, r in RANKED.items()}
    parsed = [ir_measures.parse_measure(m) for m in MEASURES]
    return {
        (str(m.measure), m.query_id): float(m.value)
        for m in ir_measures.iter_calc(parsed, QRELS, run)
    }


def test_every_metric_matches_ir_measures_per_query() -> None:
    ref = _reference()
    for name, fn in MEASURES.items():
        for q in QRELS:
            assert fn(RANKED[q], QRELS[q]) == pytest.approx(ref[(name, q)], abs=1e-9), (name, q)


def test_sets_of_ids_are_grade_one_judgements() -> None:
    assert metrics.recall_at(["a", "b", "c"], {"a", "c", "z"}, 2) == pytest.approx(1 / 3)
    assert metrics.average_precision(["a", "b", "c"], {"a", "c"}) == pytest.approx((1 + 2 / 3) / 2)
    assert metrics.recall_at(["a"], set(), 10) == 0.0
    assert metrics.ndcg_at(["a"], {}, 10) == 0.0


def test_site_tuning_objective_is_the_same_metric() -> None:
    """tune.objective works on feature matrices and ranks; it must agree with the ranked-list
    metrics of the evaluation (ties broken by site index, as SiteRanker.rank does)."""
    rng = np.random.default_rng(3)
    data = []
    for _ in range(20):
        feats = rng.integers(0, 4, size=(3, 80)).astype(float)  # integer scores: many ties
        rel = sorted(rng.choice(80, size=int(rng.integers(1, 6)), replace=False).tolist())
        data.append((feats, rel))
    w = np.array([1.0, 0.5, 2.0])
    _, r10, ap = tune.objective(data, w)
    lists = [
        ([str(s) for s in np.argsort(-(w @ f), kind="stable")], {str(s) for s in rel})
        for f, rel in data
    ]
    assert r10 == pytest.approx(np.mean([metrics.recall_at(r, g, 10) for r, g in lists]))
    assert ap == pytest.approx(np.mean([metrics.average_precision(r, g, 50) for r, g in lists]))
