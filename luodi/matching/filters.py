"""Structured filters on document metadata, evaluated through a lazily built inverted index.

A filter is `{field: value}` (equality) or `{field: [v1, v2]}` / set / tuple (membership).
When the document's own value is a list, the document matches if any element matches.
All conditions must hold (AND).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

Filters = Mapping[str, Any]


def _key(v: Any) -> Any:
    # Hashable, type-stable key: 1 and "1" must not collide, lists are not hashable.
    return (
        (type(v).__name__, v)
        if isinstance(v, (str, int, float, bool)) or v is None
        else ("repr", repr(v))
    )


class MetadataIndex:
    def __init__(self) -> None:
        self._inv: dict[str, dict[Any, list[int]]] | None = None

    def invalidate(self) -> None:
        self._inv = None

    def _build(
        self, metadata: Sequence[Mapping[str, Any] | None]
    ) -> dict[str, dict[Any, list[int]]]:
        inv: dict[str, dict[Any, list[int]]] = {}
        for slot, meta in enumerate(metadata):
            if not meta:
                continue
            for f, v in meta.items():
                vals = v if isinstance(v, (list, tuple, set, frozenset)) else [v]
                per = inv.setdefault(f, {})
                for x in vals:
                    per.setdefault(_key(x), []).append(slot)
        return inv

    def mask(
        self, filters: Filters, metadata: Sequence[Mapping[str, Any] | None], n_slots: int
    ) -> np.ndarray:
        if self._inv is None:
            self._inv = self._build(metadata)
        out = np.ones(n_slots, dtype=bool)
        for f, want in filters.items():
            wanted = want if isinstance(want, (list, tuple, set, frozenset)) else [want]
            m = np.zeros(n_slots, dtype=bool)
            per = self._inv.get(f, {})
            for w in wanted:
                slots = per.get(_key(w))
                if slots:
                    m[np.asarray(slots, dtype=np.int64)] = True
            out &= m
        return out
