"""Published generations of the in-process indexes, shared by every machine: saved to the
default storage (a local folder, or an S3 bucket all machines share), versioned in the
database, loaded by version.

- `publish(kind, state, base)` saves the index files (and the kind's spelling words) as one
  tar in the storage, then inserts `IndexGeneration(kind, version=base + 1)`. The unique
  (kind, version) constraint is the fence: a writer whose base is no longer the newest
  loses (`Conflict`) and its upload is deleted, so two writers never both publish on top of
  the same version.
- `publish_change(kind, state, base, encoder, change)` publishes what one index job changed
  as a delta: the documents it re-read (with their vectors, so no reader encodes) and the
  ids it removed, a few kilobytes instead of the whole index (at 100k achievements, 156 MB
  written by the job and read again by every process). Each delta names the whole
  generation of its chain (`IndexGeneration.delta_of`); after `MAX_LINKS` deltas, or for a
  change of more than `MAX_DELTA_DOCS` documents, the writer publishes the whole index
  again, which starts a new chain.
- `current(kind)` answers what a request serves: the newest generation, downloaded once per
  machine into `VAR_DIR/index-cache/` (extracted to a temporary folder, then renamed) and
  kept in memory per process. A process holding an earlier version of the same chain
  replays the deltas since on a copy of its index (requests in flight keep the one they
  hold); any other process loads the chain's whole generation and replays its deltas in
  order, so every process serves the same documents. A process looks at the database for a
  newer version at most every `LUODI_INDEX_CHECK_SECONDS`, which bounds how stale what it
  serves can be. Reading never builds or queues anything.
- Old generations are deleted from the storage only when they are at least two versions
  and `KEEP_OLD` behind and not part of the newest chain, so a reader that just saw a
  version can still fetch it; a reader that lost that race anyway reads the newest again.
"""

from __future__ import annotations

import gc
import json
import logging
import shutil
import tarfile
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from luodi.matching import Document, Encoder, MatchingIndex, Tokenizer
from luodi.matching.bulk import settle_long_lived
from luodi.retrieval.models import IndexGeneration

log = logging.getLogger(__name__)
KEEP_OLD = timedelta(minutes=15)
SPELLING = "spelling.json"
DELTA, DELTA_VECTORS = "delta.json", "vectors.npy"
# A fresh process replays every delta of the chain after loading its whole generation;
# these bound that work (a replay re-tokenizes only the delta's documents: ~2k a second on
# one core, no encoding) and the dead slots the copies leave behind.
MAX_LINKS = 50
MAX_DELTA_DOCS = 2_000


class Conflict(RuntimeError):
    """Another writer published on top of the same base version first."""


@dataclass
class State:
    """One kind's index as a process holds it: the index, and the Latin words of its
    documents with their counts (search's typo correction)."""

    index: MatchingIndex
    spelling: Counter[str] = field(default_factory=Counter)
    chain: int = 0  # version of the whole generation it started from (0: none yet)
    links: int = 0  # deltas replayed or published on top of that generation


@dataclass
class Change:
    """What one index job did: documents written (in this order) and ids removed after
    them, and the spelling words it added."""

    docs: list[Document]
    removed: list[str]
    spelling: Counter[str] = field(default_factory=Counter)

    @property
    def size(self) -> int:
        return len(self.docs) + len(self.removed)


@dataclass
class Loaded:
    kind: str
    version: int
    path: str
    state: State
    cache: dict[str, Any] = field(default_factory=dict)  # derived per generation (search)

    @property
    def index(self) -> MatchingIndex:
        return self.state.index


_loaded: dict[str, Loaded] = {}
_checked: dict[str, float] = {}
_tokenizers: dict[str, Tokenizer] = {}
_lock = threading.Lock()


def _local_root() -> Path:
    return Path(settings.VAR_DIR) / "index-cache"


def _check_seconds() -> float:
    return float(settings.LUODI_INDEX_CHECK_SECONDS)


def newest(kind: str) -> IndexGeneration | None:
    return IndexGeneration.objects.filter(kind=kind).order_by("-version").first()


def shared_tokenizer(index: MatchingIndex) -> None:
    """Give `index` the process's tokenizer of the same configuration: every kind is built
    with the same dictionary, and each private jieba dictionary costs ~25 MB."""
    key = json.dumps(index.lexical.tokenizer.config(), sort_keys=True, ensure_ascii=False)
    with _lock:
        shared = _tokenizers.pop(key, index.lexical.tokenizer)
        _tokenizers[key] = shared  # most recently used last
        while len(_tokenizers) > 3:  # dictionaries of the past stay with their indexes only
            _tokenizers.pop(next(iter(_tokenizers)))
    index.lexical.tokenizer = shared


def _fetch(gen: IndexGeneration) -> Path:
    """The generation's files on this machine (downloaded and extracted once)."""
    folder = _local_root() / gen.kind / Path(gen.path).stem
    marker = "manifest.json" if gen.delta_of is None else DELTA
    if (folder / marker).exists():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".incoming-"))
    try:
        with default_storage.open(gen.path, "rb") as src, tarfile.open(fileobj=src) as tar:
            tar.extractall(tmp, filter="data")
        try:
            tmp.rename(folder)
        except OSError:  # another process of this machine got there first
            if not (folder / marker).exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def _prune_local(gen: IndexGeneration) -> None:
    """Drop this machine's copies of generations outside `gen`'s chain that nobody loaded
    recently."""
    limit = time.time() - KEEP_OLD.total_seconds()
    chain = IndexGeneration.objects.filter(kind=gen.kind, version__gte=gen.chain)
    keep = {Path(path).stem for path in chain.values_list("path", flat=True)} | {
        Path(gen.path).stem
    }
    for folder in (_local_root() / gen.kind).glob("*"):
        if folder.name in keep or folder.name.startswith(".incoming-"):
            continue
        try:
            if folder.stat().st_mtime < limit:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def load(gen: IndexGeneration, encoder: Encoder | None, cache_dir: Path | None) -> State:
    """`gen` as a state: its whole generation, and for a delta every delta of its chain up
    to it replayed in order. Raises FileNotFoundError when a cleanup deleted a generation
    since its row was read (callers read the newest again), ValueError when it was built
    with another encoder than this process has (the worker rebuilds it)."""
    whole = gen if gen.delta_of is None else _row(gen.kind, gen.delta_of)
    folder = _fetch(whole)
    index = MatchingIndex.load(folder, encoder if whole.encoder else None, cache_dir)
    shared_tokenizer(index)
    spelling: Counter[str] = Counter()
    path = folder / SPELLING
    if path.exists():
        spelling.update(json.loads(path.read_text(encoding="utf-8")))
    state = State(index, spelling, chain=whole.version)
    _replay(state, whole.version, gen)
    _settle_garbage_collector()
    return state


def _row(kind: str, version: int) -> IndexGeneration:
    row = IndexGeneration.objects.filter(kind=kind, version=version).first()
    if row is None:
        raise FileNotFoundError(f"{kind} v{version} is gone")
    return row


def _replay(state: State, after: int, upto: IndexGeneration) -> None:
    """Apply the deltas of `state`'s chain after version `after` up to `upto`, in order."""
    if upto.version <= after:
        return
    rows = list(
        IndexGeneration.objects.filter(
            kind=upto.kind, delta_of=state.chain, version__gt=after, version__lte=upto.version
        ).order_by("version")
    )
    if [r.version for r in rows] != list(range(after + 1, upto.version + 1)):
        raise FileNotFoundError(f"{upto.kind}: deltas after v{after} up to {upto} are gone")
    for row in rows:
        folder = _fetch(row)
        data = json.loads((folder / DELTA).read_text(encoding="utf-8"))
        docs = [Document(d["id"], d["fields"], d["metadata"]) for d in data["docs"]]
        vectors = np.load(folder / DELTA_VECTORS) if (folder / DELTA_VECTORS).exists() else None
        if state.index.dense is None:
            vectors = None  # served by words only (loaded without an encoder)
        elif docs and vectors is None:
            raise ValueError(f"{row} has no vectors for an index with them")  # never encode
        state.index.upsert(docs, vectors=vectors)
        state.index.remove(data["removed"])
        state.spelling.update(data["spelling"])
        state.links += 1


def _advance(held: Loaded, gen: IndexGeneration) -> State:
    """`gen` replayed on a copy of what this process holds (a newer version of its chain)."""
    old = held.state
    state = State(old.index.copy(), Counter(old.spelling), old.chain, old.links)
    _replay(state, held.version, gen)
    settle_long_lived()  # the copy's own arrays and maps live until the next generation
    return state


def _settle_garbage_collector() -> None:
    """Keep the loaded indexes out of Python's full collections. At 100k achievements a
    worker holds ~0.56M index objects that live until the next generation; every full
    collection walked them all (~360 ms CPU, one every few requests: most of the match
    page's p95, bench/scale). Frozen objects are still freed when nothing refers to them;
    unfreezing first lets this collection reclaim any cycles a replaced index left."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def take_for_writing(
    kind: str, encoder: Encoder | None, cache_dir: Path | None
) -> tuple[State | None, int]:
    """The newest generation as a state the caller may change, and its version (None and 0
    when there is none). The object is taken out of this process's served cache, so
    readers never see changes that were not published."""
    gen = newest(kind)
    if gen is None:
        return None, 0
    with _lock:
        held = _loaded.pop(kind, None)
        _checked.pop(kind, None)
    if held is not None and held.path == gen.path:
        return held.state, gen.version
    if held is not None and held.state.chain == gen.delta_of and held.version < gen.version:
        try:  # another writer published since: replay its deltas (nobody reads this state)
            _replay(held.state, held.version, gen)
            return held.state, gen.version
        except (FileNotFoundError, ValueError):
            log.info("could not replay %s on v%s; loading it whole", gen, held.version)
    return load(gen, encoder, cache_dir), gen.version


def current(kind: str, encoder: Encoder | None, cache_dir: Path | None = None) -> Loaded | None:
    """The generation this process serves for `kind` (None when none was ever published)."""
    now = time.monotonic()
    with _lock:
        held = _loaded.get(kind)
        if held is not None and now - _checked.get(kind, 0.0) < _check_seconds():
            return held
    for _attempt in range(3):
        gen = newest(kind)
        if gen is None:
            with _lock:
                _loaded.pop(kind, None)
                _checked[kind] = now
            return None
        with _lock:
            held = _loaded.get(kind)
            if held is not None and held.path == gen.path:
                _checked[kind] = now
                return held
        state = None
        if held is not None and held.state.chain == gen.delta_of and held.version < gen.version:
            try:
                state = _advance(held, gen)
            except (FileNotFoundError, ValueError):
                log.info("could not replay %s on v%s; loading it whole", gen, held.version)
        try:
            state = state or load(gen, encoder, cache_dir)
        except FileNotFoundError:
            log.info("generation %s vanished while loading; reading the newest again", gen)
            continue
        loaded = Loaded(kind, gen.version, gen.path, state)
        with _lock:
            _loaded[kind] = loaded
            _checked[kind] = now
        _prune_local(gen)
        return loaded
    if held is not None:
        log.error("could not read the newest %s index; still serving v%s", kind, held.version)
        with _lock:
            _checked[kind] = now
        return held
    raise RuntimeError(f"could not load a generation of the {kind} index")


def publish(kind: str, state: State, base: int, encoder_name: str) -> IndexGeneration:
    """Save `state` whole as version base + 1 of `kind`; `Conflict` if that version exists."""
    version = base + 1
    name = f"indexes/{kind}/{version:08d}-{uuid.uuid4().hex[:12]}.tar"
    with tempfile.TemporaryDirectory(dir=_scratch()) as tmp:
        folder = Path(tmp) / "index"
        state.index.save(folder)
        (folder / SPELLING).write_text(
            json.dumps(dict(state.spelling), ensure_ascii=False), encoding="utf-8"
        )
        stored = _store(folder, name)
    gen = _record(kind, version, stored, state, encoder_name, None)
    state.chain, state.links = version, 0
    return gen


def publish_change(
    kind: str, state: State, base: int, encoder_name: str, change: Change
) -> IndexGeneration:
    """Publish version base + 1 of `kind`: `change` (already applied to `state`) as a delta
    on `state`'s chain, or `state` whole when there is no chain yet, the chain is long or
    the change large. `Conflict` if that version exists."""
    if state.chain == 0 or state.links >= MAX_LINKS or change.size > MAX_DELTA_DOCS:
        return publish(kind, state, base, encoder_name)
    version = base + 1
    name = f"indexes/{kind}/{version:08d}-{uuid.uuid4().hex[:12]}-delta.tar"
    index = state.index
    with tempfile.TemporaryDirectory(dir=_scratch()) as tmp:
        folder = Path(tmp) / "delta"
        folder.mkdir()
        data = {
            "docs": [{"id": d.id, "fields": d.fields, "metadata": d.metadata} for d in change.docs],
            "removed": change.removed,
            "spelling": change.spelling,
        }
        (folder / DELTA).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        if index.dense is not None and change.docs:
            # The vectors as the index keeps them: a reader that replays the delta encodes
            # nothing and ends up with what this writer has.
            slots = np.asarray([index.slot_of[d.id] for d in change.docs], dtype=np.int64)
            np.save(folder / DELTA_VECTORS, index.dense.get(slots))
        stored = _store(folder, name)
    gen = _record(kind, version, stored, state, encoder_name, state.chain)
    state.links += 1
    return gen


def _store(folder: Path, name: str) -> str:
    """`folder` as one tar in the default storage, under `name` (or the name it chose)."""
    archive = folder.parent / f"{folder.name}.tar"
    with tarfile.open(archive, "w") as tar:
        for item in sorted(folder.rglob("*")):
            tar.add(item, arcname=str(item.relative_to(folder)), recursive=False)
    with archive.open("rb") as fh:
        return default_storage.save(name, File(fh))


def _record(
    kind: str, version: int, stored: str, state: State, encoder_name: str, delta_of: int | None
) -> IndexGeneration:
    """The row that makes a stored generation the newest: the fence (see the module)."""
    try:
        with transaction.atomic():
            gen = IndexGeneration.objects.create(
                kind=kind,
                version=version,
                path=stored,
                documents=len(state.index),
                encoder=encoder_name if state.index.dense is not None else "",
                delta_of=delta_of,
            )
    except IntegrityError:
        default_storage.delete(stored)
        raise Conflict(f"{kind} v{version} was published by another writer") from None
    with _lock:
        _loaded[kind] = Loaded(kind, version, stored, state)
        _checked[kind] = time.monotonic()
    _cleanup(kind, version, gen.chain)
    return gen


def _scratch() -> Path:
    path = Path(settings.VAR_DIR) / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _cleanup(kind: str, newest_version: int, chain: int) -> None:
    old = IndexGeneration.objects.filter(
        kind=kind,
        version__lt=min(newest_version - 1, chain),
        created_at__lt=timezone.now() - KEEP_OLD,
    )
    for gen in old:
        try:
            default_storage.delete(gen.path)
        except OSError:
            log.warning("could not delete %s from storage", gen.path, exc_info=True)
            continue
        gen.delete()


def forget() -> None:
    """Drop this process's loaded generations (tests switching databases)."""
    with _lock:
        _loaded.clear()
        _checked.clear()
