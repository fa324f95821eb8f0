"""BM25F lexical index on term-major posting arrays, segmented for cheap incremental updates.

Each batch of added documents becomes an immutable segment (CSC-like: per-term runs of
document slots, field-weighted term frequencies and a bitmask of the fields the term occurred
in). Removals only clear the caller's `alive` mask; dead postings are dropped when segments
merge, as in Lucene. Scoring is Lucene BM25 over field-weighted term frequency and length
(weights from fields.FIELD_WEIGHTS, or a per-index override), computed at query time, so
corpus statistics (N, avgdl) are always current (Lucene >= 8 form, without the constant
(k1 + 1) factor, as bm25s). df still counts deleted documents until their segment merges.

Building is vectorised: a batch is tokenized into flat term-id arrays (bulk.py, across
processes for large batches); each chunk's sort of (term, document, field) keys yields its
postings in segment order as soon as it arrives (while workers tokenize the next chunks),
and the chunks' postings are then scattered term by term into one segment.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np

from .bulk import TokenBatch, _bits, _run_starts, iter_tokenized
from .fields import field_weight
from .tokenize import Tokenizer

# One bit per field in the posting mask. The mask is as narrow as the fields an index has
# seen need (uint8 up to 8, ...), so the common few-field index pays one byte per posting.
MAX_FIELDS = 64
# Term frequencies are small multiples of the field weights (counts x 2.0 / 1.5 / 1.0 by
# default): float16 holds them exactly up to 1024 (relative error <= 5e-4 for other
# weights), and saves 2 bytes of the ~9 a posting costs, ~220 MB at a million documents.
# Counts past float16's range are clipped; BM25 has saturated long before.
TF_DTYPE = np.float16
TF_MAX = float(np.finfo(np.float16).max)
MERGE_ABOVE_SEGMENTS = 12
MERGE_FACTOR = 4  # segments merged at once when there are too many
# ~9 bytes a posting: a merge's output stays under ~220 MB.
MAX_MERGED_POSTINGS = 24_000_000


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


def _draining(batches: list[TokenBatch]) -> Iterator[TokenBatch]:
    """The list's batches, each dropped from it once taken (peak memory: one unpacked
    batch at a time)."""
    while batches:
        yield batches.pop(0)


class LexicalIndex:
    def __init__(
        self,
        tokenizer: Tokenizer | None = None,
        k1: float = 1.2,
        b: float = 0.75,
        field_weights: Mapping[str, float] | None = None,
        workers: int | None = None,
    ) -> None:
        """`field_weights` overrides fields.FIELD_WEIGHTS per field for this index (other
        fields keep the defaults); weights are applied while indexing, so they are fixed
        for the index's life and saved with it. `workers`: tokenizer processes for large
        batches (None: one per available core; 1: never fork)."""
        self.tokenizer = tokenizer or Tokenizer()
        self.k1 = k1
        self.b = b
        self.field_weights: dict[str, float] = dict(field_weights or {})
        self.workers = workers
        self.vocab: dict[str, int] = {}
        self.fields: list[str] = []  # bit position -> field name
        self.df = np.zeros(0, dtype=np.int64)
        self.doc_len = np.zeros(0, dtype=np.float32)  # per slot, field-weighted
        self.segments: list[Segment] = []

    # -- building ---------------------------------------------------------------------
    def field_weight(self, name: str) -> float:
        w = self.field_weights.get(name)
        return field_weight(name) if w is None else float(w)

    def _field_bit(self, name: str) -> int:
        if name not in self.fields:
            self.fields.append(name)
        # Fields past the 64th share the last bit (field_names reports all of them).
        return min(self.fields.index(name), MAX_FIELDS - 1)

    def _term_id(self, term: str) -> int:
        tid = self.vocab.get(term)
        if tid is None:
            tid = len(self.vocab)
            self.vocab[term] = tid
        return tid

    def analyze_document(
        self, fields: Mapping[str, str]
    ) -> tuple[dict[int, float], dict[int, int], float]:
        """term id -> weighted tf, term id -> field mask, weighted length of one document."""
        tf: dict[int, float] = {}
        mask: dict[int, int] = {}
        length = 0.0
        for name, text in fields.items():
            if not text:
                continue
            w = self.field_weight(name)
            bit = 1 << self._field_bit(name)
            toks = self.tokenizer.tokenize(text)
            length += w * len(toks)
            for term, c in Counter(toks).items():
                tid = self._term_id(term)
                tf[tid] = tf.get(tid, 0.0) + w * c
                mask[tid] = mask.get(tid, 0) | bit
        return tf, mask, length

    def add(
        self, slots: Sequence[int], docs_fields: Sequence[Mapping[str, str]], alive: np.ndarray
    ) -> None:
        """Index documents at the given (new) slots as one segment."""
        if len(slots) != len(docs_fields):
            raise ValueError("one slot per document")
        batches = iter_tokenized(self.tokenizer, docs_fields, self.workers)
        try:
            self.add_batches(np.asarray(slots, dtype=np.int64), batches, alive)
        finally:
            # On an error, stop the workers and free the fork lock now, not whenever the
            # traceback (which holds the generator) goes away.
            batches.close()

    def add_batches(
        self, slots: np.ndarray, batches: Iterable[TokenBatch], alive: np.ndarray
    ) -> None:
        """Index tokenized batches (documents numbered in `slots` order) as one segment.

        Each batch is packed into sorted postings as it arrives (while forked workers
        tokenize the next ones), then the batches' postings are combined term by term.
        Consumes `batches` (a list is emptied, to bound peak memory)."""
        n = int(slots.shape[0])
        # Documents are numbered by slot rank, so postings sorted by (term, rank) are sorted
        # by (term, slot) as segments require, whatever order the caller's slots are in.
        by_slot = np.argsort(slots, kind="stable")
        rank = np.empty(n, dtype=np.int64)
        rank[by_slot] = np.arange(n)
        names: dict[str, int] = {}  # field -> number, first seen over the batches in order
        lens = np.zeros(n, dtype=np.float64)
        parts: list[tuple[np.ndarray, ...]] = []
        if isinstance(batches, list):
            batches = _draining(batches)
        for bt in batches:
            part = self._pack(bt, rank, names, lens)
            if part is not None:
                parts.append(part)
        sorted_slots = slots[by_slot]
        self._grow(sorted_slots, lens)  # lens are by rank
        if not parts:
            return
        n_terms = len(self.vocab)
        mdt = mask_dtype(len(self.fields))
        spans = [(int(p[1].min()), int(p[1].max())) for p in parts]  # rank ranges
        if all(a[1] < b[0] for a, b in pairwise(spans)):  # always, unless slots unordered
            seg = _concat_by_term(parts, n_terms, mdt)
        else:
            segs = [_segment_in_order(t, d, w, m.astype(mdt), n_terms) for t, d, w, m in parts]
            live, scratch = np.ones(n, dtype=bool), np.zeros(n_terms, dtype=np.int64)
            seg = _merge_by_sorting(segs, live, scratch, n_terms)
            del segs
        del parts
        self.df += np.diff(seg.indptr)
        first = int(sorted_slots[0])
        if int(sorted_slots[-1]) - first == n - 1:  # consecutive slots (every upsert)
            seg.docs += first
        else:
            seg.docs = sorted_slots[seg.docs].astype(np.int32)
        self.segments.append(seg)
        self._maybe_merge(alive)

    def _pack(
        self, bt: TokenBatch, rank: np.ndarray, names: dict[str, int], lens: np.ndarray
    ) -> tuple[np.ndarray, ...] | None:
        """(terms, doc ranks, weighted tf, field mask) of one batch's postings, sorted by
        (term, rank); document lengths are added to `lens`."""
        n = rank.shape[0]
        remap = np.fromiter((self._term_id(t) for t in bt.terms), np.int64, len(bt.terms))
        fmap = np.asarray([names.setdefault(f, len(names)) for f in bt.fields], np.int64)
        nf = max(1, len(names))
        weights = np.asarray([self.field_weight(f) for f in names], dtype=np.float64)
        bits = np.asarray([1 << self._field_bit(f) for f in names], dtype=np.uint64)
        bits = bits.astype(mask_dtype(len(self.fields)))
        g_fld = fmap[bt.group_field]
        g_doc = rank[bt.group_doc]
        lens += np.bincount(g_doc, weights=bt.group_len * weights[g_fld], minlength=n)
        if bt.tids.size == 0:
            return None
        nc = 1 + int(bt.counts.max())
        # Key fields are bit-packed (shifts and masks, not int64 multiply/divide); the
        # order is that of the (term, doc, field, count) tuples either way.
        bc, bf, bd = _bits(nc), _bits(nf), _bits(n)
        bfc = bf + bc
        # (field, count) -> weighted tf and field bit, looked up by the key's low bits.
        fc = np.arange(1 << bfc)
        fc_field = np.minimum(fc >> bc, nf - 1)
        fc_tf = weights[fc_field] * (fc & ((1 << bc) - 1))
        fc_bits = bits[fc_field]
        key = remap[bt.tids]
        if _bits(len(self.vocab)) + bd + bfc <= 62:
            key <<= bd + bfc
            key |= np.repeat((g_doc << bfc) | (g_fld << bc), bt.group_terms)
            key |= bt.counts
            key.sort()
            low = key & ((1 << bfc) - 1)
            key >>= bfc
        else:  # keys would overflow int64: sort the columns instead (slower, rare)
            d = np.repeat(g_doc, bt.group_terms)
            low = (np.repeat(g_fld, bt.group_terms) << bc) | bt.counts
            order = np.lexsort((low, d, key))
            key = (key[order] << bd) | d[order]
            low = low[order]
        groups = _run_starts(key)  # key is now term << bd | doc
        tf = np.add.reduceat(fc_tf[low], groups)
        fmask = np.bitwise_or.reduceat(fc_bits[low], groups)
        del low
        key = key[groups]
        return key >> bd, key & ((1 << bd) - 1), tf, fmask

    def _grow(self, slots: np.ndarray, lens: np.ndarray) -> None:
        n_slots = int(slots.max()) + 1 if len(slots) else 0
        if n_slots > self.doc_len.shape[0]:
            self.doc_len = np.concatenate(
                [self.doc_len, np.zeros(n_slots - self.doc_len.shape[0], np.float32)]
            )
        self.doc_len[slots] = lens
        if self.df.shape[0] < len(self.vocab):
            self.df = np.concatenate(
                [self.df, np.zeros(len(self.vocab) - self.df.shape[0], np.int64)]
            )

    def merge(self, alive: np.ndarray, start: int = 0, stop: int | None = None) -> None:
        """Merge segments[start:stop] (default: all) into one, dropping postings of dead
        slots and their df contribution."""
        stop = len(self.segments) if stop is None else stop
        segs = self.segments[start:stop]
        if not segs:
            return
        merged = _merge_neighbours(segs, alive, self.df, len(self.vocab))
        if merged is None:  # slot ranges interleave (older saves): sort the postings
            merged = _merge_by_sorting(segs, alive, self.df, len(self.vocab))
        self.segments[start:stop] = [merged]

    def _maybe_merge(self, alive: np.ndarray) -> None:
        # Merge the cheapest window of neighbouring segments: merges stay between neighbours
        # (slot ranges never interleave, so postings concatenate without sorting) and the
        # big old segments are not rewritten, as in Lucene's tiered policy. A merge needs
        # its output's memory on top of the index, so none grows past MAX_MERGED_POSTINGS
        # (at a million documents the segment count then stays above the soft limit).
        if len(self.segments) <= MERGE_ABOVE_SEGMENTS:
            return
        sizes = np.asarray([s.n_postings for s in self.segments], dtype=np.int64)
        for width in range(min(MERGE_FACTOR, len(sizes)), 1, -1):
            window = np.convolve(sizes, np.ones(width, dtype=np.int64), mode="valid")
            first = int(np.argmin(window))
            if window[first] <= MAX_MERGED_POSTINGS:
                self.merge(alive, first, first + width)
                return

    # -- scoring ----------------------------------------------------------------------
    def query_terms(self, text: str) -> dict[int, float]:
        """Known query term ids with their query-side weight (repeat count)."""
        out: dict[int, float] = {}
        for t in self.tokenizer.tokenize(text):
            tid = self.vocab.get(t)
            if tid is not None:
                out[tid] = out.get(tid, 0.0) + 1.0
        return out

    def idf(self, n_docs: int, term_ids: Sequence[int]) -> np.ndarray:
        df = self.df[np.asarray(term_ids, dtype=np.int64)].astype(np.float64)
        return np.log1p((n_docs - df + 0.5) / (df + 0.5))

    def score_all(self, qterms: Mapping[int, float], alive: np.ndarray) -> np.ndarray:
        """BM25 score for every slot (0 where no query term occurs)."""
        n_slots = alive.shape[0]
        n_docs = int(alive.sum())
        if not qterms or n_docs == 0:
            return np.zeros(n_slots, dtype=np.float32)
        avgdl = float(self.doc_len[:n_slots][alive].mean()) or 1.0
        tids = list(qterms)
        idf = self.idf(n_docs, tids)
        docs_l, contrib_l = [], []
        k1, b, dl = self.k1, self.b, self.doc_len
        for tid, w in zip(tids, idf * np.asarray([qterms[t] for t in tids]), strict=True):
            for seg in self.segments:
                d, tf, _ = seg.postings(tid)
                if d.size:
                    docs_l.append(d)
                    # Length norm only where postings are (not for every slot): at a million
                    # documents that is most of a short query's cost.
                    contrib_l.append(w * tf / (tf + k1 * (1.0 - b + b * dl[d] / avgdl)))
        if not docs_l:
            return np.zeros(n_slots, dtype=np.float32)
        scores = np.bincount(
            np.concatenate(docs_l), weights=np.concatenate(contrib_l), minlength=n_slots
        )
        return scores.astype(np.float32)

    def matched_fields(self, slot: int, qterms: Mapping[int, float]) -> dict[int, int]:
        """term id -> field bitmask, for query terms present in the document at `slot`."""
        out: dict[int, int] = {}
        for tid in qterms:
            for seg in self.segments:
                d, _, m = seg.postings(tid)
                i = int(np.searchsorted(d, slot))
                if i < d.shape[0] and d[i] == slot:
                    out[tid] = out.get(tid, 0) | int(m[i])
        return out

    def field_names(self, mask: int) -> list[str]:
        """Fields whose bits are set. The shared last bit names every field from the 64th
        on: the term occurred in at least one of them."""
        last = MAX_FIELDS - 1
        out = [f for i, f in enumerate(self.fields[:last]) if mask >> i & 1]
        if mask >> last & 1:
            out += self.fields[last:]
        return out

    # -- persistence ------------------------------------------------------------------
    def state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        arrays: dict[str, np.ndarray] = {"df": self.df, "doc_len": self.doc_len}
        for i, s in enumerate(self.segments):
            arrays[f"s{i}_indptr"], arrays[f"s{i}_docs"] = s.indptr, s.docs
            arrays[f"s{i}_tf"], arrays[f"s{i}_fmask"] = s.tf, s.fmask
        meta = {
            "k1": self.k1,
            "b": self.b,
            "fields": self.fields,
            "field_weights": self.field_weights,
            "n_segments": len(self.segments),
            "tokenizer": self.tokenizer.config(),
        }
        return meta, arrays

    @classmethod
    def from_state(
        cls, meta: dict[str, Any], arrays: Mapping[str, np.ndarray], vocab: list[str]
    ) -> LexicalIndex:
        idx = cls(
            Tokenizer.from_config(meta["tokenizer"]),
            k1=meta["k1"],
            b=meta["b"],
            field_weights=meta.get("field_weights"),
        )
        idx.fields = list(meta["fields"])
        idx.vocab = {t: i for i, t in enumerate(vocab)}
        idx.df = np.asarray(arrays["df"])
        idx.doc_len = np.asarray(arrays["doc_len"])
        idx.segments = [
            Segment(
                np.asarray(arrays[f"s{i}_indptr"]),
                np.asarray(arrays[f"s{i}_docs"]),
                np.asarray(arrays[f"s{i}_tf"]),
                np.asarray(arrays[f"s{i}_fmask"]),
            )
            for i in range(meta["n_segments"])
        ]
        return idx


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
