"""The retrieval layer on a Milvus server (`LUODI_RETRIEVAL_BACKEND=milvus`), for
installations that run a distributed search engine instead of in-process indexes.

Each build of a kind is a new collection (`{LUODI_MILVUS_PREFIX}_{kind}_{version}_…`),
recorded as an `IndexGeneration` row whose path is the collection's name: the same
versioning and fence as the in-process generations, so every process serves the newest
build, a late writer loses, and a rebuild never disturbs the collection being served. Updates
between builds are upserts and deletes on the served collection (the writer's lease keeps
them to one writer per kind). Old collections are dropped once two versions and
`generations.KEEP_OLD` behind.

Search's typo correction and single-character fallback need the index's vocabulary, which a
Milvus collection does not expose: with this backend, queries are matched as typed.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from luodi.matching import Encoder, Tokenizer
from luodi.retrieval import generations
from luodi.retrieval.kinds import COMMON_FILTERABLE, FIELD_WEIGHTS, FILTERABLE, KINDS
from luodi.retrieval.models import IndexGeneration

if TYPE_CHECKING:
    from luodi.matching.milvus import MilvusBackend

log = logging.getLogger(__name__)
_open: dict[str, MilvusBackend] = {}  # collection name -> backend, per process
_served: dict[str, tuple[str, float]] = {}  # kind -> (collection, when checked)
_lock = threading.Lock()


def _connect(
    collection: str,
    encoder: Encoder | None,
    tokenizer: Tokenizer | None = None,
    *,
    create: bool = False,
    cache_dir: str | None = None,
    kind: str = "",
) -> MilvusBackend:
    from luodi.matching.milvus import MilvusBackend

    return MilvusBackend(
        settings.LUODI_MILVUS_URI,
        collection,
        encoder=encoder,
        tokenizer=tokenizer,
        filterable={**COMMON_FILTERABLE, **FILTERABLE[kind]},
        token=settings.LUODI_MILVUS_TOKEN,
        cache_dir=cache_dir,
        field_weights=FIELD_WEIGHTS,
        recreate=create,
    )


def served(kind: str, encoder: Encoder | None) -> MilvusBackend | None:
    """The collection this process serves for `kind` (None before the first build)."""
    now = time.monotonic()
    with _lock:
        held = _served.get(kind)
        if held is not None and now - held[1] < float(settings.LUODI_INDEX_CHECK_SECONDS):
            return _open.get(held[0])
    gen = generations.newest(kind)
    if gen is None:
        return None
    with _lock:
        backend = _open.get(gen.path)
    if backend is None:
        # The stored tokenizer (with the dictionary it was built with) is used to read it.
        backend = _connect(gen.path, encoder, kind=kind)
        with _lock:
            _open[gen.path] = backend
    with _lock:
        _served[kind] = (gen.path, now)
    return backend


def rebuild(kind: str, encoder: Encoder | None, tokenizer: Tokenizer, cache_dir: str) -> int:
    """Fill a new collection with every document of `kind`, then publish it."""
    base = generations.newest(kind)
    version = (base.version if base is not None else 0) + 1
    name = f"{settings.LUODI_MILVUS_PREFIX}_{kind}_{version:06d}_{uuid.uuid4().hex[:6]}"
    backend = _connect(name, encoder, tokenizer, create=True, cache_dir=cache_dir, kind=kind)
    batch: list[Any] = []
    for doc in KINDS[kind].all_documents():
        batch.append(doc)
        if len(batch) >= 1000:
            backend.upsert(batch)
            batch = []
    backend.upsert(batch)
    backend.flush()
    count = len(backend)
    try:
        with transaction.atomic():
            IndexGeneration.objects.create(
                kind=kind,
                version=version,
                path=name,
                documents=count,
                encoder=encoder.name if encoder is not None else "",
            )
    except IntegrityError:
        backend.drop()
        raise generations.Conflict(f"{kind} v{version} was published by another writer") from None
    with _lock:
        _open[name] = backend
        _served[kind] = (name, time.monotonic())
    _drop_old(kind, version)
    return count


def apply(kind: str, backend: MilvusBackend, pks: Iterable[int]) -> int:
    docs, gone = KINDS[kind].documents_for(pks)
    stats = backend.upsert(docs)
    removed = backend.delete(gone)
    return stats.added + stats.updated + removed


def _drop_old(kind: str, newest_version: int) -> None:
    old = IndexGeneration.objects.filter(
        kind=kind,
        version__lt=newest_version - 1,
        created_at__lt=timezone.now() - generations.KEEP_OLD,
    )
    for gen in old:
        try:
            with _lock:
                backend = _open.pop(gen.path, None)
            (backend or _connect(gen.path, None, kind=kind)).drop()
        except Exception:  # the server is the judge of what exists; keep the row to retry
            log.warning("could not drop Milvus collection %s", gen.path, exc_info=True)
            continue
        gen.delete()


def forget() -> None:
    with _lock:
        _open.clear()
        _served.clear()
