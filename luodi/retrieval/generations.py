"""Published generations of the in-process indexes, shared by every machine: saved to the
default storage (a local folder, or an S3 bucket all machines share), versioned in the
database, loaded by version.

- `publish(kind, state, base)` saves the index files (and the kind's spelling words) as one
  tar in the storage, then inserts `IndexGeneration(kind, version=base + 1)`. The unique
  (kind, version) constraint is the fence: a writer whose base is no longer the newest
  loses (`Conflict`) and its upload is deleted, so two writers never both publish on top of
  the same version.
- `current(kind)` answers what a request serves: the newest generation, downloaded once per
  machine into `VAR_DIR/index-cache/` (extracted to a temporary folder, then renamed) and
  kept in memory per process. A process looks at the database for a newer version at most
  every `LUODI_INDEX_CHECK_SECONDS`, which bounds how stale what it serves can be. Reading
  never builds or queues anything.
- Old generations are deleted from the storage only when they are at least two versions
  and `KEEP_OLD` behind, so a reader that just saw a version can still fetch it; a reader
  that lost that race anyway reads the newest version again.
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

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from luodi.matching import Encoder, MatchingIndex, Tokenizer
from luodi.retrieval.models import IndexGeneration

log = logging.getLogger(__name__)
KEEP_OLD = timedelta(minutes=15)
SPELLING = "spelling.json"


class Conflict(RuntimeError):
    """Another writer published on top of the same base version first."""


@dataclass
class State:
    """One kind's index as a process holds it: the index, and the Latin words of its
    documents with their counts (search's typo correction)."""

    index: MatchingIndex
    spelling: Counter[str] = field(default_factory=Counter)


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
    if (folder / "manifest.json").exists():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".incoming-"))
    try:
        with default_storage.open(gen.path, "rb") as src, tarfile.open(fileobj=src) as tar:
            tar.extractall(tmp, filter="data")
        try:
            tmp.rename(folder)
        except OSError:  # another process of this machine got there first
            if not (folder / "manifest.json").exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def _prune_local(kind: str, keep: str) -> None:
    """Drop this machine's copies of other generations that nobody loaded recently."""
    limit = time.time() - KEEP_OLD.total_seconds()
    for folder in (_local_root() / kind).glob("*"):
        if folder.name == keep or folder.name.startswith(".incoming-"):
            continue
        try:
            if folder.stat().st_mtime < limit:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def load(gen: IndexGeneration, encoder: Encoder | None, cache_dir: Path | None) -> State:
    """Raises FileNotFoundError when a cleanup deleted the generation since its row was
    read (callers read the newest again), ValueError when it was built with another
    encoder than this process has (the worker rebuilds it)."""
    folder = _fetch(gen)
    index = MatchingIndex.load(folder, encoder if gen.encoder else None, cache_dir)
    shared_tokenizer(index)
    spelling: Counter[str] = Counter()
    path = folder / SPELLING
    if path.exists():
        spelling.update(json.loads(path.read_text(encoding="utf-8")))
    _settle_garbage_collector()
    return State(index, spelling)


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
        try:
            state = load(gen, encoder, cache_dir)
        except FileNotFoundError:
            log.info("generation %s vanished while loading; reading the newest again", gen)
            continue
        loaded = Loaded(kind, gen.version, gen.path, state)
        with _lock:
            _loaded[kind] = loaded
            _checked[kind] = now
        _prune_local(kind, Path(gen.path).stem)
        return loaded
    raise RuntimeError(f"could not load a generation of the {kind} index")


def publish(kind: str, state: State, base: int, encoder_name: str) -> IndexGeneration:
    """Save `state` as version base + 1 of `kind`; `Conflict` if that version exists."""
    version = base + 1
    name = f"indexes/{kind}/{version:08d}-{uuid.uuid4().hex[:12]}.tar"
    with tempfile.TemporaryDirectory(dir=_scratch()) as tmp:
        folder = Path(tmp) / "index"
        state.index.save(folder)
        (folder / SPELLING).write_text(
            json.dumps(dict(state.spelling), ensure_ascii=False), encoding="utf-8"
        )
        archive = Path(tmp) / "index.tar"
        with tarfile.open(archive, "w") as tar:
            for item in sorted(folder.rglob("*")):
                tar.add(item, arcname=str(item.relative_to(folder)), recursive=False)
        with archive.open("rb") as fh:
            stored = default_storage.save(name, File(fh))
    try:
        with transaction.atomic():
            gen = IndexGeneration.objects.create(
                kind=kind,
                version=version,
                path=stored,
                documents=len(state.index),
                encoder=encoder_name if state.index.dense is not None else "",
            )
    except IntegrityError:
        default_storage.delete(stored)
        raise Conflict(f"{kind} v{version} was published by another writer") from None
    with _lock:
        _loaded[kind] = Loaded(kind, version, stored, state)
        _checked[kind] = time.monotonic()
    _cleanup(kind, version)
    return gen


def _scratch() -> Path:
    path = Path(settings.VAR_DIR) / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _cleanup(kind: str, newest_version: int) -> None:
    old = IndexGeneration.objects.filter(
        kind=kind, version__lt=newest_version - 1, created_at__lt=timezone.now() - KEEP_OLD
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
