"""IR metrics, the one implementation every evaluation uses (retrieval, sites, tuning).

Conventions are trec_eval's (as pytrec_eval / ir-measures compute them; the tests check
each function against ir-measures on a fixture):

- judgements are graded; a grade <= 0 is "judged not relevant" and counts nowhere;
- nDCG@k uses linear gains (the grade) and log2(rank + 1) discounts, the ideal ranking
  being all relevant judgements sorted by grade (`ndcg_cut_k`);
- R@k = relevant documents in the top k / all relevant documents (`recall_k`);
- RR@k = 1 / rank of the first relevant document within the top k, else 0 (`recip_rank`
  cut at k);
- AP@k = sum of precision at each relevant document within the top k, divided by the
  number of relevant documents (`map_cut_k`).

Each metric has a core over the 0-based ranks of the relevant documents (what the tuners
have, without building ranked lists), and a wrapper over a ranked list of ids. A query
without any relevant document scores 0 everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence

import numpy as np

Judgements = Mapping[str, int] | Mapping[str, float] | Collection[str]

__all__ = [
    "ap_from_ranks",
    "average_precision",
    "grades",
    "mean",
    "mrr_at",
    "ndcg_at",
    "ndcg_from_ranks",
    "recall_at",
    "recall_from_ranks",
    "rr_from_ranks",
]


def grades(rel: Judgements) -> dict[str, float]:
    """Relevant documents and their grades; a plain collection of ids means grade 1."""
    if isinstance(rel, Mapping):
        return {d: float(g) for d, g in rel.items() if g > 0}
    return dict.fromkeys(rel, 1.0)


# -- cores: ranks (0-based) of the relevant documents that were retrieved ----------------


def recall_from_ranks(ranks: np.ndarray, n_relevant: int, k: int) -> float:
    if n_relevant <= 0:
        return 0.0
    return float(np.count_nonzero(np.asarray(ranks) < k)) / n_relevant


def ap_from_ranks(ranks: np.ndarray, n_relevant: int, k: int) -> float:
    if n_relevant <= 0:
        return 0.0
    hits = np.sort(np.asarray(ranks))
    hits = hits[hits < k]
    # The i-th relevant hit (1-based) at rank r contributes precision i / (r + 1).
    return float(np.sum(np.arange(1, hits.size + 1) / (hits + 1))) / n_relevant


def rr_from_ranks(ranks: np.ndarray, k: int) -> float:
    ranks = np.asarray(ranks)
    ranks = ranks[ranks < k]
    return 1.0 / (float(ranks.min()) + 1.0) if ranks.size else 0.0


def ndcg_from_ranks(
    ranks: np.ndarray, gains: np.ndarray, all_gains: Sequence[float], k: int
) -> float:
    """`gains[i]` is the grade of the relevant document at `ranks[i]`; `all_gains` the
    grades of every relevant document (for the ideal ranking)."""
    ideal = sorted((g for g in all_gains if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    if idcg <= 0:
        return 0.0
    ranks = np.asarray(ranks)
    keep = ranks < k
    dcg = float(np.sum(np.asarray(gains, dtype=np.float64)[keep] / np.log2(ranks[keep] + 2.0)))
    return dcg / idcg


# -- wrappers: a ranked list of ids ------------------------------------------------------


def _hits(ranked: Sequence[str], rel: Mapping[str, float], k: int) -> tuple[np.ndarray, np.ndarray]:
    """Ranks and grades of the relevant documents within the top k (first occurrence of
    an id only, as trec_eval reads a run with one score per document)."""
    ranks: list[int] = []
    gains: list[float] = []
    seen: set[str] = set()
    for i, d in enumerate(ranked[:k]):
        if d in seen:
            continue
        seen.add(d)
        g = rel.get(d, 0.0)
        if g > 0:
            ranks.append(i)
            gains.append(g)
    return np.asarray(ranks, dtype=np.int64), np.asarray(gains, dtype=np.float64)


def ndcg_at(ranked: Sequence[str], rel: Judgements, k: int = 10) -> float:
    g = grades(rel)
    ranks, gains = _hits(ranked, g, k)
    return ndcg_from_ranks(ranks, gains, list(g.values()), k)


def recall_at(ranked: Sequence[str], rel: Judgements, k: int = 100) -> float:
    g = grades(rel)
    return recall_from_ranks(_hits(ranked, g, k)[0], len(g), k)


def mrr_at(ranked: Sequence[str], rel: Judgements, k: int = 10) -> float:
    return rr_from_ranks(_hits(ranked, grades(rel), k)[0], k)


def average_precision(ranked: Sequence[str], rel: Judgements, k: int = 50) -> float:
    g = grades(rel)
    return ap_from_ranks(_hits(ranked, g, k)[0], len(g), k)


def mean(values: Sequence[float], digits: int = 4) -> float:
    """The reported mean over queries (0 for none), rounded as the JSON lines print it."""
    return round(float(np.mean(values)), digits) if len(values) else 0.0
