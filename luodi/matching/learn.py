"""Tuning from labelled queries: deterministic folds and the fusion weights' grid search.

What is learned from labels at ranking time (which documents a past query accepted) is the
outcome memory of outcomes.py, the one the product learns with.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Mapping, Sequence

import numpy as np

from .fusion import Candidates, FusionConfig, fuse_candidates
from .metrics import ndcg_at


def split_folds(qids: Sequence[str], salt: str = "luodi") -> tuple[list[str], list[str]]:
    """Deterministic 2-fold split by a hash of the query id: (fold A, fold B)."""
    a: list[str] = []
    b: list[str] = []
    for q in qids:
        h = hashlib.sha256(f"{salt}:{q}".encode()).digest()[0]
        (a if h % 2 == 0 else b).append(q)
    return a, b


def fusion_grid(use_memory: bool) -> list[FusionConfig]:
    grid = []
    weights = [round(x, 2) for x in np.arange(0.0, 1.0001, 0.1)]
    memory = [0.0, 0.5, 1.0, 2.0, 4.0, 8.0] if use_memory else [0.0]
    for norm, w, adapt, mw in itertools.product(("minmax", "zscore"), weights, (0.0, 1.0), memory):
        grid.append(
            FusionConfig(
                method="convex",
                norm=norm,
                lexical_weight=w,
                adapt=adapt,
                extra_weights={"memory": mw} if mw else {},
            )
        )
    grid.append(FusionConfig(method="rrf"))
    return grid


def evaluate_config(
    cands: Sequence[Candidates],
    rels: Sequence[Mapping[str, int]],
    ids: Sequence[str | None],
    cfg: FusionConfig,
) -> float:
    total = 0.0
    for c, rel in zip(cands, rels, strict=True):
        if c.slots.size == 0:
            continue
        fused, _, _, _ = fuse_candidates(c, cfg)
        top = c.slots[np.argsort(-fused, kind="stable")[:10]]
        total += ndcg_at([ids[int(s)] or "" for s in top], rel, 10)
    return total / max(len(cands), 1)


def tune(
    cands: Sequence[Candidates],
    rels: Sequence[Mapping[str, int]],
    ids: Sequence[str | None],
    use_memory: bool,
) -> tuple[FusionConfig, float]:
    """Grid search of fusion settings maximising mean nDCG@10 on the given queries."""
    best, best_score = FusionConfig(), -1.0
    for cfg in fusion_grid(use_memory):
        s = evaluate_config(cands, rels, ids, cfg)
        if s > best_score + 1e-9:
            best, best_score = cfg, s
    return best, best_score
