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

import copy
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import pairwise
from typing import Any, NamedTuple

import numpy as np

from .bulk import TokenBatch, _bits, _run_starts, iter_tokenized
from .fields import field_weight
from .segments import (
    Segment,
    _concat_by_term,
    _merge_by_sorting,
    _merge_neighbours,
    _segment_in_order,
    mask_dtype,
)
from .tokenize import Tokenizer

# One bit per field in the posting mask. The mask is as narrow as the fields an index has
# seen need (uint8 up to 8, ...), so the common few-field index pays one byte per posting.
MAX_FIELDS = 64
MERGE_ABOVE_SEGMENTS = 12
MERGE_FACTOR = 4  # segments merged at once when there are too many
# ~9 bytes a posting: a merge's output stays under ~220 MB.
MAX_MERGED_POSTINGS = 24_000_000
# Newest segments merged together once there are two or more holding this many postings at
# most in all: an index that receives single records (a chain of deltas) keeps one small
# tail segment, not one per change. Every segment costs each query term one more posting
# lookup, which is Python work: 11 segments against 1 made 100k-achievement search p95
# 110 -> 87-95 ms (bench/scale).
SMALL_TAIL_POSTINGS = 250_000


class PreparedQuery(NamedTuple):
    """A query ready to score against one corpus state (LexicalIndex.prepare)."""

    terms: tuple[tuple[int, float], ...]  # (term id, weight): negative, then heaviest first
    norm: np.ndarray  # per-slot BM25 length norm, float32


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
        # Per-slot BM25 length norm, kept while the corpus statistics it came from hold.
        self._version = 0  # bumped whenever doc_len changes
        self._norm: tuple[tuple[float, int, int], np.ndarray] | None = None

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
        g_doc_sorted = g_doc.shape[0] < 2 or bool(np.all(g_doc[1:] >= g_doc[:-1]))
        if g_doc_sorted and _bits(len(self.vocab)) <= 32:
            # Postings arrive in document order (every upsert), so a stable sort by term
            # alone yields (term, doc) order: LSD radix passes over 16-bit digits
            # (numpy's stable sort of uint16 is a radix sort), ~3x faster than sorting
            # bit-packed int64 (term, doc, field, count) keys.
            order = _radix_order(key)
            d = np.repeat(g_doc, bt.group_terms)[order]
            low = ((np.repeat(g_fld, bt.group_terms) << bc) | bt.counts)[order]
            key = (key[order] << bd) | d
            del d, order
        elif _bits(len(self.vocab)) + bd + bfc <= 62:
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
        self._version += 1
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

    def optimize(self, alive: np.ndarray) -> bool:
        """Merge every segment into one when a merge's output fits MAX_MERGED_POSTINGS
        (Lucene's forceMerge for an index built once and then mostly read); False when it
        does not fit (a million documents) and the tiered segments stay."""
        if len(self.segments) < 2:
            return False
        if sum(s.n_postings for s in self.segments) > MAX_MERGED_POSTINGS:
            return False
        self.merge(alive)
        return True

    def _maybe_merge(self, alive: np.ndarray) -> None:
        tail, postings = len(self.segments), 0
        while tail > 0 and postings + self.segments[tail - 1].n_postings <= SMALL_TAIL_POSTINGS:
            tail -= 1
            postings += self.segments[tail].n_postings
        if len(self.segments) - tail >= 2:
            self.merge(alive, tail)
            return
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
        # df still counts replaced and deleted documents until their segment merges; a live
        # document count below it would make idf negative (in a one-document index, an
        # edited document matched nothing), so df is read as at most the live count.
        df = np.minimum(self.df[np.asarray(term_ids, dtype=np.int64)].astype(np.float64), n_docs)
        return np.log1p((n_docs - df + 0.5) / (df + 0.5))

    def prepare(self, qterms: Mapping[int, float], alive: np.ndarray) -> PreparedQuery:
        """The query's terms with their weights (idf x query count), negative ones first and
        then heaviest first, and the per-slot length norm k1 * (1 - b + b * dl / avgdl) of
        the corpus state `alive` describes. Prepare once, then rank and score with it."""
        n_slots = alive.shape[0]
        n_docs = int(np.count_nonzero(alive))
        if not qterms or n_docs == 0:
            return PreparedQuery((), np.zeros(n_slots, np.float32))
        dl = self.doc_len[:n_slots]
        avgdl = float(np.sum(dl, where=alive, dtype=np.float64)) / n_docs or 1.0
        key = (avgdl, n_slots, self._version)
        cached = self._norm  # one read: another thread may replace it meanwhile
        if cached is None or cached[0] != key:
            # Once per corpus state, not per query: at a million slots it is ~2 ms.
            cached = (key, (self.k1 * (1.0 - self.b + self.b * dl / avgdl)).astype(np.float32))
            self._norm = cached
        tids = list(qterms)
        w = self.idf(n_docs, tids) * np.asarray([qterms[t] for t in tids])
        # df counts deleted documents until their segment merges, so a term in nearly
        # every document can get a negative idf. Such terms come first: after them the
        # partial scores that top() prunes with are lower bounds of the final ones.
        order = sorted(range(len(tids)), key=lambda i: (w[i] >= 0, -w[i]))
        return PreparedQuery(tuple((tids[i], float(w[i])) for i in order), cached[1])

    def _add_term(self, acc: np.ndarray, tid: int, w: float, norm: np.ndarray) -> list[np.ndarray]:
        """acc[slot] += the term's BM25 part for every posting; returns the slots read.
        Slots are unique within a segment's run, so the fancy-indexed add is exact."""
        read = []
        for seg in self.segments:
            d, tf, _ = seg.postings(tid)
            if d.size:
                t = tf.astype(np.float32)
                acc[d] += np.float32(w) * t / (t + norm[d])
                read.append(d)
        return read

    def _parts_at(
        self, at: np.ndarray, tid: int, w: float, norm: np.ndarray
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """The term's BM25 part for the documents at the given (sorted) slots that contain
        it, looked up in the posting lists: (positions in `at`, parts), per segment."""
        for seg in self.segments:
            d, tf, _ = seg.postings(tid)
            if d.size == 0:
                continue
            pos = np.minimum(np.searchsorted(d, at), d.size - 1)
            hit = np.flatnonzero(d[pos] == at)
            if hit.size:
                t = tf[pos[hit]].astype(np.float32)
                yield hit, np.float32(w) * t / (t + norm[at[hit]])

    def score_all(self, q: PreparedQuery) -> np.ndarray:
        """BM25 score for every slot (0 where no query term occurs)."""
        acc = np.zeros(q.norm.shape[0], dtype=np.float32)
        for tid, w in q.terms:
            self._add_term(acc, tid, w, q.norm)
        return acc

    def score_slots(self, q: PreparedQuery, slots: np.ndarray) -> np.ndarray:
        """BM25 scores of the given slots only (postings looked up, not scanned)."""
        slots = np.asarray(slots, dtype=np.int64)
        order = np.argsort(slots, kind="stable")
        at = slots[order]
        acc = np.zeros(slots.size, dtype=np.float32)
        if slots.size:
            for tid, w in q.terms:
                for hit, part in self._parts_at(at, tid, w, q.norm):
                    acc[hit] += part
        out = np.empty_like(acc)
        out[order] = acc
        return out

    def top(self, q: PreparedQuery, mask: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The k best (slots, scores) among `mask`, best first: the ranking of score_all,
        reading only the postings that can still change it (MaxScore, Turtle & Flood 1995).

        Terms are read whole, heaviest first, until the weights of the terms left (each
        term adds less than its weight: tf / (tf + norm) < 1) cannot lift an unseen
        document to the k-th best score seen so far. The documents that might still reach
        the top k then look the remaining terms up in the posting lists; the lightest
        terms, the ones with the longest lists (CJK unigrams, common words), are never
        read whole."""
        if not q.terms or k <= 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        terms, norm = q.terms, q.norm
        acc = np.zeros(norm.shape[0], dtype=np.float32)
        weights = np.maximum([w for _, w in terms], 0.0)  # what a term can add at most
        left = np.concatenate([np.cumsum(weights[::-1])[::-1][1:], [0.0]])  # after term i
        theta = 0.0  # a lower bound on the k-th best score among allowed documents
        # Documents whose partial scores give theta: those of the heaviest (usually the
        # rarest) term. Any k allowed documents' scores bound the k-th best from below, and
        # a short list keeps each estimate cheap.
        probe: np.ndarray | None = None
        cand: np.ndarray | None = None
        for i, (tid, w) in enumerate(terms):
            if cand is None:
                read = self._add_term(acc, tid, w, norm)
                if probe is None and w > 0 and read:
                    probe = np.concatenate(read)
                    probe = probe[mask[probe]]
                if left[i] == 0.0 or left[i] >= weights[: i + 1].sum() or probe is None:
                    continue  # nothing to prune yet: theta cannot exceed what is left
                theta = max(theta, _kth_best_of(acc[probe], k))
                if left[i] < theta:
                    # Unseen documents score at most left[i] < theta: only the seen ones
                    # that can still reach theta stay candidates.
                    cand = np.flatnonzero((acc >= np.float32(theta - left[i])) & mask)
            else:
                if cand.size * len(self.segments) * 8 > self.df[tid]:
                    self._add_term(acc, tid, w, norm)  # reading the list is cheaper
                else:
                    for hit, part in self._parts_at(cand, tid, w, norm):
                        acc[cand[hit]] += part
                theta = max(theta, _kth_best_of(acc[cand], k))
                cand = cand[acc[cand] >= np.float32(theta - left[i])]
        if cand is None:
            if probe is not None:
                theta = max(theta, _kth_best_of(acc[probe], k))
            cand = np.flatnonzero((acc >= np.float32(theta)) & (acc > 0) & mask)
        sc = acc[cand]
        if cand.size > k:
            part = np.argpartition(-sc, k - 1)[:k]
            cand, sc = cand[part], sc[part]
        order = np.lexsort((cand, -sc))
        return cand[order], sc[order]

    def matched_fields_at(
        self, slots: Sequence[int], qterms: Mapping[int, float]
    ) -> dict[int, dict[int, int]]:
        """Per query term present in any of the slots: position in `slots` -> field bitmask
        of that term in that document. One binary search per term and segment for all
        slots; term-major, so callers that explain in the terms' order need no sorting."""
        out: dict[int, dict[int, int]] = {}
        for tid, hit, masks in self._present(slots, qterms):
            # Plain ints: indexing numpy arrays one element at a time cost more than the
            # binary searches (search explains up to a thousand hits per kind).
            found = out.setdefault(tid, {})
            for j, mask in zip(hit.tolist(), masks.tolist(), strict=True):
                found[j] = found.get(j, 0) | mask
        return out

    def holding_at(
        self, slots: Sequence[int], qterms: Mapping[int, float]
    ) -> dict[int, np.ndarray]:
        """Per query term present in any of the slots: the positions in `slots` that hold
        it (sorted, unique), with no Python loop over the slots."""
        out: dict[int, list[np.ndarray]] = {}
        for tid, hit, _masks in self._present(slots, qterms):
            out.setdefault(tid, []).append(hit)
        return {
            t: parts[0] if len(parts) == 1 else np.unique(np.concatenate(parts))
            for t, parts in out.items()
        }

    def _present(
        self, slots: Sequence[int], qterms: Mapping[int, float]
    ) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        """(term, positions in `slots` holding it, their field masks), per term and segment
        that has any: one binary search per term and segment for all slots."""
        at = np.asarray(slots, dtype=np.int64)
        if at.size == 0:
            return
        for tid in qterms:
            for seg in self.segments:
                d, _, m = seg.postings(tid)
                if d.size == 0:
                    continue
                pos = np.minimum(np.searchsorted(d, at), d.size - 1)
                hit = np.flatnonzero(d[pos] == at)
                if hit.size:
                    yield tid, hit, m[pos[hit]]

    def field_names(self, mask: int) -> list[str]:
        """Fields whose bits are set. The shared last bit names every field from the 64th
        on: the term occurred in at least one of them."""
        last = MAX_FIELDS - 1
        out = [f for i, f in enumerate(self.fields[:last]) if mask >> i & 1]
        if mask >> last & 1:
            out += self.fields[last:]
        return out

    def copy(self) -> LexicalIndex:
        """An independent copy that shares the segments: they are never changed once
        built (adds append new ones, merges replace entries of the list)."""
        twin = copy.copy(self)
        twin.vocab, twin.fields, twin.segments = (
            dict(self.vocab),
            list(self.fields),
            list(self.segments),
        )
        twin.df, twin.doc_len = self.df.copy(), self.doc_len.copy()
        return twin

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
        # Changed in place as documents arrive: private copies, even of a mapped file.
        idx.df = np.array(arrays["df"])
        idx.doc_len = np.array(arrays["doc_len"])
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


def _radix_order(keys: np.ndarray) -> np.ndarray:
    """Stable argsort of non-negative int64 keys below 2**32, by 16-bit digits."""
    order = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
    high = keys[order] >> 16
    if high.size and int(high.max()) > 0:
        order = order[np.argsort(high.astype(np.uint16), kind="stable")]
    return order


def _kth_best_of(scores: np.ndarray, k: int) -> float:
    if scores.size < k:
        return 0.0
    return float(np.partition(scores, scores.size - k)[scores.size - k])
