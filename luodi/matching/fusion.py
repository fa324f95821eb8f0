"""Rank fusion. Pure functions over per-candidate score arrays (pyserini-style small core).

`rrf` is the classic reciprocal-rank fusion. `convex` combines normalised scores with a
weight that can adapt per query: when one side's score distribution is flat (it cannot tell
its candidates apart) its weight is shrunk, so a weak side cannot drag a strong one down,
which is what makes naive RRF lose to dense alone on some collections.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np


@dataclass
class FusionConfig:
    method: str = "convex"  # "convex" | "rrf"
    # Defaults chosen as the best mean nDCG@10 over the CHIP-CDN / NFCorpus / KUAKE dev sets
    # (scifact was not used); the landscape is flat (each set within 0.005 of its own best),
    # so they are not tuned to one collection. `--train` refits them per collection.
    lexical_weight: float = 0.5  # weight of the lexical side in convex fusion (dense: 1-w)
    norm: str = "minmax"  # "minmax" | "zscore"
    rrf_k: float = 60.0
    depth: int = 100  # candidates taken from each side before fusing
    # Per-query adaptation: lexical odds are multiplied by (conf_lex / conf_dense) ** adapt,
    # where conf measures how clearly each side's top hit stands out from its list.
    adapt: float = 1.0
    extra_weights: dict[str, float] = field(default_factory=dict)  # other signals: "memory"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FusionConfig:
        known = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def ranks_desc(scores: np.ndarray) -> np.ndarray:
    """1-based rank of each entry by descending score (ties broken by position)."""
    order = np.argsort(-scores, kind="stable")
    r = np.empty(scores.shape[0], dtype=np.int64)
    r[order] = np.arange(1, scores.shape[0] + 1)
    return r


def rrf(
    rank_lists: list[np.ndarray], k: float = 60.0, present: list[np.ndarray] | None = None
) -> np.ndarray:
    """Sum of 1/(k+rank); `present[i]` masks candidates that side i did not retrieve."""
    out = np.zeros(rank_lists[0].shape[0], dtype=np.float64)
    for i, r in enumerate(rank_lists):
        contrib = 1.0 / (k + r)
        if present is not None:
            contrib = contrib * present[i]
        out += contrib
    return out


def normalize(scores: np.ndarray, ref: np.ndarray, how: str) -> np.ndarray:
    """Normalise `scores` using the statistics of `ref` (a side's own top list)."""
    if ref.size == 0:
        return np.zeros_like(scores, dtype=np.float64)
    if how == "zscore":
        sd = float(ref.std()) or 1.0
        return (scores - float(ref.mean())) / sd
    lo, hi = float(ref.min()), float(ref.max())
    if hi - lo < 1e-9:
        return np.where(scores >= hi, 1.0, 0.0)
    return np.clip((scores - lo) / (hi - lo), 0.0, None)


def confidence(top_scores: np.ndarray) -> float:
    """How clearly a side separates its best candidates from the rest of its list:
    (top1 - mean of top10) / (top1 - bottom), in [0, 1]; near 0 for a flat list."""
    if top_scores.size < 2:
        return 0.5
    s = np.sort(top_scores)[::-1]
    spread = float(s[0] - s[-1])
    if spread < 1e-9:
        return 0.0
    return float((s[0] - s[: min(10, s.size)].mean()) / spread)


def convex(
    lex: np.ndarray,
    dense: np.ndarray,
    lex_ref: np.ndarray,
    dense_ref: np.ndarray,
    cfg: FusionConfig,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Returns (fused, normalised lexical, normalised dense, lexical weight used)."""
    ln = normalize(lex, lex_ref, cfg.norm)
    dn = normalize(dense, dense_ref, cfg.norm)
    w = effective_lexical_weight(lex_ref, dense_ref, cfg)
    return w * ln + (1.0 - w) * dn, ln, dn, w


def effective_lexical_weight(
    lex_ref: np.ndarray, dense_ref: np.ndarray, cfg: FusionConfig
) -> float:
    w = cfg.lexical_weight
    if lex_ref.size == 0 or float(lex_ref.max()) <= 0:
        return 0.0  # no query term matched anything: lexical has nothing to say
    if cfg.adapt:
        cl, cd = confidence(lex_ref) + 0.05, confidence(dense_ref) + 0.05
        odds = w / max(1e-6, 1.0 - w) * (cl / cd) ** cfg.adapt
        w = odds / (1.0 + odds)
    return float(w)


@dataclass
class Candidates:
    """Per-query candidate set with every signal's score, the input of fusion.

    Kept separate from fusion so that weights can be tuned over many configurations
    without re-running retrieval."""

    mode: str
    slots: np.ndarray
    lex: np.ndarray  # BM25F score (0 when no query term occurs)
    dense: np.ndarray | None  # cosine similarity, None in lexical mode
    in_lex: np.ndarray  # bool: within the lexical top-depth
    in_dense: np.ndarray  # bool: within the dense top-depth
    votes: np.ndarray  # query-memory votes (0 without memory)
    qterms: dict[int, float]
    lex_top: np.ndarray
    dense_top: np.ndarray


def fuse_candidates(
    c: Candidates, cfg: FusionConfig
) -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, float], str]:
    """(fused score, contribution per signal, weight per signal, method name)."""
    lex = c.lex.astype(np.float64)
    if c.mode == "lexical" or c.dense is None:
        return lex, {"lexical": lex}, {"lexical": 1.0}, "bm25"
    den = c.dense.astype(np.float64)
    if c.mode == "dense":
        return den, {"dense": den}, {"dense": 1.0}, "dense"
    if cfg.method == "rrf":
        rl = ranks_desc(np.where(c.in_lex, lex, -np.inf))
        rd = ranks_desc(np.where(c.in_dense, den, -np.inf))
        pl = rrf([rl], cfg.rrf_k, [c.in_lex.astype(float)])
        pd = rrf([rd], cfg.rrf_k, [c.in_dense.astype(float)])
        return pl + pd, {"lexical": pl, "dense": pd}, {"lexical": 1.0, "dense": 1.0}, "rrf"
    # Normalise against each side's own top list, so a candidate only the other side found
    # is placed on the same scale (possibly below 0 for z-scores) instead of at an arbitrary 0.
    lex_ref = lex[c.in_lex]
    den_ref = den[c.in_dense] if c.in_dense.any() else den
    fused, ln, dn, w = convex(lex, den, lex_ref, den_ref, cfg)
    parts = {"lexical": w * ln, "dense": (1.0 - w) * dn}
    weights = {"lexical": w, "dense": 1.0 - w}
    mw = cfg.extra_weights.get("memory", 0.0)
    if mw and c.votes.any():
        parts["memory"] = mw * c.votes
        weights["memory"] = mw
        fused = fused + parts["memory"]
    return fused, parts, weights, f"convex-{cfg.norm}"
