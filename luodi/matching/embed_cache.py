"""Embedding cache keyed by (encoder name, query/passage, sha256 of the text as encoded).

Stored as append-only shards under `<dir>/<encoder name>/`, each written atomically; a crash
loses at most the shard being written, so long encodings are resumable. Many small shards
are merged on load.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from .encoders import Encoder
from .storage import atomic_write_npz

_KEY_BYTES = 16
_MERGE_ABOVE = 32  # shard count that triggers a merge on load


def text_key(kind: str, text: str) -> bytes:
    return hashlib.sha256(kind.encode() + b"\0" + text.encode()).digest()[:_KEY_BYTES]


class EmbeddingCache:
    def __init__(self, directory: str | os.PathLike[str], encoder_name: str, dim: int) -> None:
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", encoder_name)
        self.dir = Path(directory) / slug
        self.dim = dim
        self._index: dict[bytes, int] = {}
        self._blocks: list[np.ndarray] = []
        self._count = 0
        self._pending_keys: list[bytes] = []
        self._pending_vecs: list[np.ndarray] = []
        self._load()

    def _load(self) -> None:
        if not self.dir.exists():
            return
        shards = sorted(self.dir.glob("shard-*.npz"))
        for p in shards:
            try:
                with np.load(p) as z:
                    keys, vecs = z["keys"], z["vecs"]
            except (OSError, ValueError, KeyError):
                continue  # an unreadable shard is only lost work, never wrong vectors
            if vecs.ndim != 2 or vecs.shape[1] != self.dim:
                continue
            self._add(keys, vecs.astype(np.float32, copy=False))
        if len(shards) > _MERGE_ABOVE and self._count:
            self._merge(shards)

    def _add(self, keys: np.ndarray, vecs: np.ndarray) -> None:
        base = self._count
        for i, k in enumerate(keys):
            self._index[bytes(k)] = base + i
        self._blocks.append(vecs)
        self._count += len(vecs)

    def _all(self) -> np.ndarray:
        if len(self._blocks) > 1:
            self._blocks = [np.vstack(self._blocks)]
        return self._blocks[0] if self._blocks else np.zeros((0, self.dim), np.float32)

    def _merge(self, old: list[Path]) -> None:
        keys = np.zeros((len(self._index), _KEY_BYTES), dtype=np.uint8)
        rows = np.zeros(len(self._index), dtype=np.int64)
        for j, (k, r) in enumerate(self._index.items()):
            keys[j] = np.frombuffer(k, dtype=np.uint8)
            rows[j] = r
        vecs = self._all()[rows]
        # Write the merged shard first, then delete the old ones: a crash in between only
        # leaves duplicates, which load harmlessly.
        atomic_write_npz(self.dir / f"shard-0-merged-{uuid.uuid4().hex}.npz", keys=keys, vecs=vecs)
        for p in old:
            p.unlink(missing_ok=True)

    def __len__(self) -> int:
        return len(self._index)

    def lookup(self, kind: str, texts: Sequence[str]) -> tuple[np.ndarray, list[int]]:
        """Return (vectors with zeros for misses, indices of misses)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        missing: list[int] = []
        allv = self._all()
        for i, t in enumerate(texts):
            r = self._index.get(text_key(kind, t))
            if r is None:
                missing.append(i)
            else:
                out[i] = allv[r]
        return out, missing

    def put(self, kind: str, texts: Sequence[str], vecs: np.ndarray) -> None:
        keys = [text_key(kind, t) for t in texts]
        self._pending_keys.extend(keys)
        self._pending_vecs.append(np.asarray(vecs, dtype=np.float32))
        self._add(
            np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(-1, _KEY_BYTES),
            np.asarray(vecs, dtype=np.float32),
        )

    def flush(self) -> None:
        if not self._pending_keys:
            return
        keys = np.frombuffer(b"".join(self._pending_keys), dtype=np.uint8).reshape(-1, _KEY_BYTES)
        vecs = np.vstack(self._pending_vecs)
        atomic_write_npz(self.dir / f"shard-{uuid.uuid4().hex}.npz", keys=keys, vecs=vecs)
        self._pending_keys, self._pending_vecs = [], []


def encode_with_cache(
    encoder: Encoder,
    texts: Sequence[str],
    kind: str,
    cache: EmbeddingCache | None,
    batch_size: int = 64,
    progress: Callable[[int], None] | None = None,
) -> tuple[np.ndarray, int]:
    """Encode texts, reusing cached vectors; returns (vectors, number actually encoded).

    New vectors are flushed to disk after every batch so an interrupted run resumes where
    it stopped. Duplicate texts are encoded once.
    """
    fn = encoder.encode_queries if kind == "query" else encoder.encode_passages
    prepare = getattr(encoder, "prepare", None)  # optional: truncation etc. before keying
    if prepare is not None:
        texts = prepare(texts, kind)
    if cache is None:
        out = np.zeros((len(texts), encoder.dim), dtype=np.float32)
        missing = list(range(len(texts)))
    else:
        out, missing = cache.lookup(kind, texts)
        if progress and len(texts) - len(missing):
            progress(len(texts) - len(missing))
    # Deduplicate identical texts among the misses.
    first: dict[str, int] = {}
    for i in missing:
        first.setdefault(texts[i], i)
    uniq = list(first)
    done = 0
    for s in range(0, len(uniq), batch_size):
        chunk = uniq[s : s + batch_size]
        vecs = fn(chunk)
        for t, v in zip(chunk, vecs, strict=True):
            out[first[t]] = v
        if cache is not None:
            cache.put(kind, chunk, vecs)
            cache.flush()
        done += len(chunk)
        if progress:
            progress(len(chunk))
    for i in missing:  # copy vectors to duplicates
        out[i] = out[first[texts[i]]]
    return out, done
