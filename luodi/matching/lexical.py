"""BM25F lexical index on term-major posting arrays, segmented for cheap incremental updates.

Each batch of added documents becomes an immutable segment (CSC-like: per-term runs of
document slots, field-weighted term frequencies and a bitmask of the fields the term occurred
in). Removals only clear the caller's `alive` mask; dead postings are dropped when segments
merge, as in Lucene. Scoring is Lucene BM25 over field-weighted term frequency and length
(weights from fields.FIELD_WEIGHTS), computed at query time, so corpus statistics (N, avgdl)
are always current (Lucene >= 8 form, without the constant (k1 + 1) factor, as bm25s).
df still counts deleted documents until their segment merges.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .fields import field_weight
from .tokenize import Tokenizer

MAX_FIELDS = 8  # one bit per field in the posting mask; extra fields share the last bit
MERGE_ABOVE_SEGMENTS = 12


@dataclass
class Segment:
    indptr: np.ndarray  # int64 [n_terms_at_build + 1]
    docs: np.ndarray  # int32 slots, sorted within each term
    tf: np.ndarray  # float32 field-weighted term frequency
    fmask: np.ndarray  # uint8 bitmask of fields containing the term

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
    counts = np.bincount(terms, minlength=n_terms)
    indptr = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return Segment(
        indptr,
        docs[order].astype(np.int32),
        tf[order].astype(np.float32),
        fmask[order].astype(np.uint8),
    )


class LexicalIndex:
    def __init__(
        self, tokenizer: Tokenizer | None = None, k1: float = 1.2, b: float = 0.75
    ) -> None:
        self.tokenizer = tokenizer or Tokenizer()
        self.k1 = k1
        self.b = b
        self.vocab: dict[str, int] = {}
        self.fields: list[str] = []  # bit position -> field name
        self.df = np.zeros(0, dtype=np.int64)
        self.doc_len = np.zeros(0, dtype=np.float32)  # per slot, field-weighted
        self.segments: list[Segment] = []

    # -- building ---------------------------------------------------------------------
    def _field_bit(self, name: str) -> int:
        if name not in self.fields:
            if len(self.fields) >= MAX_FIELDS:
                return MAX_FIELDS - 1
            self.fields.append(name)
        return self.fields.index(name)

    def _term_id(self, term: str) -> int:
        tid = self.vocab.get(term)
        if tid is None:
            tid = len(self.vocab)
            self.vocab[term] = tid
        return tid

    def analyze_document(
        self, fields: Mapping[str, str]
    ) -> tuple[dict[int, float], dict[int, int], float]:
        tf: dict[int, float] = {}
        mask: dict[int, int] = {}
        length = 0.0
        for name, text in fields.items():
            if not text:
                continue
            w = field_weight(name)
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
        t_l: list[np.ndarray] = []
        d_l: list[np.ndarray] = []
        f_l: list[np.ndarray] = []
        m_l: list[np.ndarray] = []
        lens = np.zeros(len(slots), dtype=np.float32)
        for j, (slot, fields) in enumerate(zip(slots, docs_fields, strict=True)):
            tf, mask, length = self.analyze_document(fields)
            lens[j] = length
            if tf:
                t_l.append(np.fromiter(tf.keys(), dtype=np.int32, count=len(tf)))
                f_l.append(np.fromiter(tf.values(), dtype=np.float32, count=len(tf)))
                m_l.append(np.fromiter((mask[t] for t in tf), dtype=np.uint8, count=len(tf)))
                d_l.append(np.full(len(tf), slot, dtype=np.int32))
        self.add_arrays(np.asarray(slots, dtype=np.int64), lens, t_l, d_l, f_l, m_l, alive)

    def add_arrays(
        self,
        slots: np.ndarray,
        lens: np.ndarray,
        t_l: list[np.ndarray],
        d_l: list[np.ndarray],
        f_l: list[np.ndarray],
        m_l: list[np.ndarray],
        alive: np.ndarray,
    ) -> None:
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
        if not t_l:
            return
        terms = np.concatenate(t_l)
        self.df += np.bincount(terms, minlength=self.df.shape[0])
        self.segments.append(
            _build_segment(
                terms,
                np.concatenate(d_l),
                np.concatenate(f_l),
                np.concatenate(m_l),
                len(self.vocab),
            )
        )
        if len(self.segments) > MERGE_ABOVE_SEGMENTS:
            self.merge(alive, keep_largest=True)

    def merge(self, alive: np.ndarray, keep_largest: bool = False) -> None:
        """Merge segments, dropping postings of dead slots and their df contribution."""
        segs = sorted(self.segments, key=lambda s: s.n_postings)
        keep = [segs.pop()] if keep_largest and len(segs) > 1 else []
        if not segs:
            return
        parts_t, parts_d, parts_f, parts_m = [], [], [], []
        for s in segs:
            terms = np.repeat(np.arange(s.indptr.shape[0] - 1, dtype=np.int32), np.diff(s.indptr))
            live = alive[s.docs] if alive.shape[0] else np.zeros(s.docs.shape[0], bool)
            dead_terms = terms[~live]
            if dead_terms.size:
                self.df -= np.bincount(dead_terms, minlength=self.df.shape[0])
            parts_t.append(terms[live])
            parts_d.append(s.docs[live])
            parts_f.append(s.tf[live])
            parts_m.append(s.fmask[live])
        d = np.concatenate(parts_d)
        order = np.argsort(d, kind="stable")  # slot order, so term runs come out sorted
        merged = _build_segment(
            np.concatenate(parts_t)[order],
            d[order],
            np.concatenate(parts_f)[order],
            np.concatenate(parts_m)[order],
            len(self.vocab),
        )
        self.segments = [*keep, merged]

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
        norm = self.k1 * (1.0 - self.b + self.b * self.doc_len[:n_slots] / avgdl)
        for tid, w in zip(tids, idf * np.asarray([qterms[t] for t in tids]), strict=True):
            for seg in self.segments:
                d, tf, _ = seg.postings(tid)
                if d.size:
                    docs_l.append(d)
                    contrib_l.append(w * tf / (tf + norm[d]))
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
        return [f for i, f in enumerate(self.fields) if mask >> i & 1]

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
            "n_segments": len(self.segments),
            "tokenizer": self.tokenizer.config(),
        }
        return meta, arrays

    @classmethod
    def from_state(
        cls, meta: dict[str, Any], arrays: Mapping[str, np.ndarray], vocab: list[str]
    ) -> LexicalIndex:
        idx = cls(Tokenizer.from_config(meta["tokenizer"]), k1=meta["k1"], b=meta["b"])
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
