"""Structured filters on document metadata, evaluated through a lazily built inverted index.

A filter is `{field: value}` (equality) or `{field: [v1, v2]}` / set / tuple (membership).
When the document's own value is a list, the document matches if any element matches.
All conditions must hold (AND).

The index is built once (a pass over every document's metadata: ~1 s at 100k) and then
kept: new slots are appended as documents arrive, and freed slots stay listed, because the
caller ANDs the mask with its live slots (MatchingIndex._mask). Rebuilding it after each
change made the first filtered search after every edit cost a second.

Each list is also kept as an array (made on first use, extended when the list grew): a
search converted the list of every filtered value again, e.g. the ~97k slots of
"archived: False" in the achievement index, a tenth of a global search at 100k.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .bulk import settle_long_lived

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
        # (field, key) lists this index may append to; None: all of them. After a copy both
        # indexes share every list, and each copies a list before its first append.
        self._own: set[tuple[str, Any]] | None = None
        # (field, key) -> the list as an array. Lists only grow at the end (a copied list
        # starts as the shared one), so an array shorter than its list is its prefix.
        self._arrays: dict[tuple[str, Any], np.ndarray] = {}

    def invalidate(self) -> None:
        self._inv = None
        self._arrays = {}

    def added(self, start: int, metadata: Sequence[Mapping[str, Any] | None]) -> None:
        """Documents written to slots start, start + 1, ... (after every slot listed)."""
        if self._inv is not None:
            _fill(self._inv, start, metadata, self._own)

    def copy(self) -> MetadataIndex:
        twin = MetadataIndex()
        if self._inv is not None:
            twin._inv = {f: dict(per) for f, per in self._inv.items()}
            twin._own, self._own = set(), set()
            twin._arrays = dict(self._arrays)  # arrays are never changed in place
        return twin

    def _build(
        self, metadata: Sequence[Mapping[str, Any] | None]
    ) -> dict[str, dict[Any, list[int]]]:
        inv: dict[str, dict[Any, list[int]]] = {}
        _fill(inv, 0, metadata, None)
        self._own = None
        self._arrays = {}
        return inv

    def _array(self, f: str, key: Any, slots: list[int]) -> np.ndarray:
        arr = self._arrays.get((f, key))
        if arr is None or arr.size > len(slots):
            arr = np.asarray(slots, dtype=np.int64)
        elif arr.size < len(slots):
            arr = np.concatenate([arr, np.asarray(slots[arr.size :], dtype=np.int64)])
        else:
            return arr
        self._arrays[(f, key)] = arr
        return arr

    def mask(
        self, filters: Filters, metadata: Sequence[Mapping[str, Any] | None], n_slots: int
    ) -> np.ndarray:
        if self._inv is None:
            self._inv = self._build(metadata)
            settle_long_lived()  # its lists live as long as the index
        out = np.ones(n_slots, dtype=bool)
        for f, want in filters.items():
            wanted = want if isinstance(want, (list, tuple, set, frozenset)) else [want]
            m = np.zeros(n_slots, dtype=bool)
            per = self._inv.get(f, {})
            for w in wanted:
                key = _key(w)
                slots = per.get(key)
                if slots:
                    m[self._array(f, key, slots)] = True
            out &= m
        return out


def _fill(
    inv: dict[str, dict[Any, list[int]]],
    start: int,
    metadata: Sequence[Mapping[str, Any] | None],
    own: set[tuple[str, Any]] | None,
) -> None:
    for slot, meta in enumerate(metadata, start):
        if not meta:
            continue
        for f, v in meta.items():
            vals = v if isinstance(v, (list, tuple, set, frozenset)) else [v]
            per = inv.setdefault(f, {})
            for x in vals:
                key = _key(x)
                if own is not None and (f, key) not in own:  # shared with a copy
                    per[key] = list(per.get(key, ()))
                    own.add((f, key))
                per.setdefault(key, []).append(slot)
