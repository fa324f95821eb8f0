"""Query memory: past queries with the documents judged relevant to them (training labels,
accepted matches). A new query votes for the documents of its nearest remembered queries,
weighted by similarity, a k-nearest-neighbour signal fused beside lexical and dense.
It captures how a community words things (clinical shorthand -> standard names) that
neither BM25 nor a general-purpose encoder knows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np


class QueryMemory:
    def __init__(self, dim: int, k: int = 10, temperature: float = 0.02) -> None:
        self.dim = dim
        self.k = k
        self.temperature = temperature  # softmax temperature over cosine similarities
        self.vectors = np.zeros((0, dim), dtype=np.float32)
        self.labels: list[dict[str, float]] = []  # doc id -> gain

    def __len__(self) -> int:
        return len(self.labels)

    def add(self, vectors: np.ndarray, labels: Sequence[Mapping[str, float]]) -> None:
        self.vectors = np.vstack([self.vectors, np.asarray(vectors, dtype=np.float32)])
        self.labels.extend(dict(x) for x in labels)

    def votes(self, q: np.ndarray) -> dict[str, float]:
        """doc id -> vote in [0, 1]: similarity-softmax-weighted share of neighbours' labels."""
        if not self.labels:
            return {}
        sims = self.vectors @ q.astype(np.float32)
        k = min(self.k, sims.shape[0])
        top = np.argpartition(-sims, k - 1)[:k]
        w = np.exp((sims[top] - sims[top].max()) / self.temperature)
        w /= w.sum()
        # Scale by the best neighbour's similarity so an unrelated nearest query votes weakly.
        conf = float(max(0.0, sims[top].max()))
        out: dict[str, float] = {}
        for wi, i in zip(w, top, strict=True):
            lab = self.labels[int(i)]
            total = sum(lab.values()) or 1.0
            for d, g in lab.items():
                out[d] = out.get(d, 0.0) + float(wi) * conf * g / total
        return out

    def state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        return {"k": self.k, "temperature": self.temperature, "labels": self.labels}, {
            "vectors": self.vectors
        }

    @classmethod
    def from_state(cls, meta: Mapping[str, Any], vectors: np.ndarray) -> QueryMemory:
        m = cls(vectors.shape[1], k=meta["k"], temperature=meta["temperature"])
        m.vectors = np.asarray(vectors, dtype=np.float32)
        m.labels = [dict(x) for x in meta["labels"]]
        return m
