"""Posting segments of the lexical index: immutable term-major arrays, built from sorted
postings and merged between neighbours (dead postings dropped), as in Lucene."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np

# Term frequencies are small multiples of the field weights (counts x 2.0 / 1.5 / 1.0 by
# default): float16 holds them exactly up to 1024 (relative error <= 5e-4 for other
# weights), and saves 2 bytes of the ~9 a posting costs, ~220 MB at a million documents.
# Counts past float16's range are clipped; BM25 has saturated long before.
TF_DTYPE = np.float16
TF_MAX = float(np.finfo(np.float16).max)


def mask_dtype(n_fields: int) -> type[np.unsignedinteger[Any]]:
    for dt in (np.uint8, np.uint16, np.uint32):
        if n_fields <= np.iinfo(dt).bits:
            return dt
    return np.uint64


@dataclass
class Segment:
    indptr: np.ndarray  # int64 [n_terms_at_build + 1]
    docs: np.ndarray  # int32 slots, sorted within each term
    tf: np.ndarray  # float16 field-weighted term frequency (see TF_DTYPE)
    fmask: np.ndarray  # unsigned bitmask of fields containing the term (see mask_dtype)

    @property
    def n_postings(self) -> int:
        return int(self.docs.shape[0])

    def postings(self, term: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if term + 1 >= self.indptr.shape[0]:
            e = np.zeros(0, np.int32)
            return e, np.zeros(0, np.float32), np.zeros(0, np.uint8)
        a, b = int(self.indptr[term]), int(self.indptr[term + 1])
        return self.docs[a:b], self.tf[a:b], self.fmask[a:b]


def _build_segment(
    terms: np.ndarray, docs: np.ndarray, tf: np.ndarray, fmask: np.ndarray, n_terms: int
) -> Segment:
    # Stable sort by term keeps slots ascending inside each term run (input is slot-ordered).
    order = np.argsort(terms, kind="stable")
    return _segment_in_order(terms[order], docs[order], tf[order], fmask[order], n_terms)


def _segment_in_order(
    terms: np.ndarray, docs: np.ndarray, tf: np.ndarray, fmask: np.ndarray, n_terms: int
) -> Segment:
    """Segment from postings already sorted by (term, slot)."""
    counts = np.bincount(terms, minlength=n_terms)
    indptr = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return Segment(
        indptr,
        docs.astype(np.int32, copy=False),
        _clip_tf(tf).astype(TF_DTYPE, copy=False),
        fmask,
    )


def _clip_tf(tf: np.ndarray) -> np.ndarray:
    """Term frequencies within float16's range. Clipping is rarely needed: checking costs
    one pass, clipping an extra array."""
    return tf if tf.max(initial=0.0) <= TF_MAX else np.minimum(tf, TF_MAX)


def _concat_by_term(parts: Sequence[tuple[np.ndarray, ...]], n_terms: int, mask_dt: Any) -> Segment:
    """Segment from batches' (terms, docs, tf, fmask) postings, each sorted by (term, doc),
    whose doc ranges follow each other in list order: a term's postings are its runs in
    list order, scattered straight into place (no per-batch segments to merge)."""
    if len(parts) == 1:
        t, d, w, m = parts[0]
        return _segment_in_order(t, d, w, m.astype(mask_dt), n_terms)
    counts = [np.bincount(p[0], minlength=n_terms) for p in parts]
    total = np.zeros(n_terms, dtype=np.int64)
    for c in counts:
        total += c
    indptr = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum(total, out=indptr[1:])
    size = int(indptr[-1])
    docs = np.empty(size, dtype=np.int32)
    tf = np.empty(size, dtype=TF_DTYPE)
    fmask = np.empty(size, dtype=mask_dt)
    free = indptr[:-1].copy()  # next free position of each term's run
    before = np.zeros(n_terms, dtype=np.int64)  # a term's first posting within the batch
    for (_, d, w, m), c in zip(parts, counts, strict=True):
        np.cumsum(c[:-1], out=before[1:])
        dest = np.repeat(free - before, c)
        dest += np.arange(dest.shape[0], dtype=np.int64)
        docs[dest] = d
        tf[dest] = _clip_tf(w)
        fmask[dest] = m
        free += c
    return Segment(indptr, docs, tf, fmask)


def _live_counts(seg: Segment, live: np.ndarray, n_terms: int) -> tuple[np.ndarray, np.ndarray]:
    """(all, live) postings per term of a segment, padded to n_terms."""
    c = np.zeros(live.shape[0] + 1, dtype=np.int64)
    np.cumsum(live, out=c[1:])
    total = np.zeros(n_terms, dtype=np.int64)
    alive_n = np.zeros(n_terms, dtype=np.int64)
    m = seg.indptr.shape[0] - 1
    total[:m] = np.diff(seg.indptr)
    alive_n[:m] = c[seg.indptr[1:]] - c[seg.indptr[:-1]]
    return total, alive_n


def _merge_neighbours(
    segs: Sequence[Segment], alive: np.ndarray, df: np.ndarray, n_terms: int
) -> Segment | None:
    """Merge segments whose slot ranges follow each other, without sorting: each term's
    postings are the concatenation of its runs in range order. Scratch memory is one
    segment's worth of indexes, not the whole merge's. None if the ranges interleave."""
    spans = [(int(s.docs.min()), int(s.docs.max()), s) for s in segs if s.n_postings]
    spans.sort(key=lambda x: x[0])
    if any(a[1] >= b[0] for a, b in pairwise(spans)):
        return None
    ordered = [s for _, _, s in spans]
    lives = [
        alive[s.docs] if alive.shape[0] else np.zeros(s.n_postings, dtype=bool) for s in ordered
    ]
    counts = [_live_counts(s, lv, n_terms) for s, lv in zip(ordered, lives, strict=True)]
    out_counts = np.zeros(n_terms, dtype=np.int64)
    for total, live_n in counts:
        df -= total - live_n
        out_counts += live_n
    indptr = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum(out_counts, out=indptr[1:])
    size = int(indptr[-1])
    mdt = np.result_type(*[s.fmask.dtype for s in segs])
    docs = np.empty(size, dtype=np.int32)
    tf = np.empty(size, dtype=np.result_type(*[s.tf.dtype for s in segs]))
    fmask = np.empty(size, dtype=mdt)
    filled = np.zeros(n_terms, dtype=np.int64)  # postings already placed per term
    for s, lv, (_, live_n) in zip(ordered, lives, counts, strict=True):
        before = np.zeros(n_terms, dtype=np.int64)  # live postings of earlier terms here
        np.cumsum(live_n[:-1], out=before[1:])
        # The j-th live posting of this segment (term t) lands at
        # indptr[t] + filled[t] + (j - before[t]).
        dest = np.repeat(indptr[:-1] + filled - before, live_n)
        dest += np.arange(dest.shape[0], dtype=np.int64)
        docs[dest] = s.docs[lv]
        tf[dest] = s.tf[lv]
        fmask[dest] = s.fmask[lv]
        filled += live_n
    return Segment(indptr, docs, tf, fmask)


def _merge_by_sorting(
    segs: Sequence[Segment], alive: np.ndarray, df: np.ndarray, n_terms: int
) -> Segment:
    parts_t, parts_d, parts_f, parts_m = [], [], [], []
    for s in segs:
        terms = np.repeat(np.arange(s.indptr.shape[0] - 1, dtype=np.int32), np.diff(s.indptr))
        live = alive[s.docs] if alive.shape[0] else np.zeros(s.docs.shape[0], bool)
        dead_terms = terms[~live]
        if dead_terms.size:
            df -= np.bincount(dead_terms, minlength=df.shape[0])
        parts_t.append(terms[live])
        parts_d.append(s.docs[live])
        parts_f.append(s.tf[live])
        parts_m.append(s.fmask[live])
    d = np.concatenate(parts_d)
    order = np.argsort(d, kind="stable")  # slot order, so term runs come out sorted
    return _build_segment(
        np.concatenate(parts_t)[order],
        d[order],
        np.concatenate(parts_f)[order],
        np.concatenate(parts_m)[order],  # concatenate widens narrower masks
        n_terms,
    )
