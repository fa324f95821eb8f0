"""The retrieval backend interface: what the application asks of an index, whoever serves it.

Two implementations:
- `InProcessBackend` (this module): a `MatchingIndex` in this process, the default; the
  Django side publishes its generations through shared storage (matchmaking/generations.py).
- `MilvusBackend` (milvus.py): a collection on a Milvus server (or milvus-lite), for
  installations that run a distributed search engine.

The contract every backend keeps (tests/matching/test_backends.py runs it on both):
- `upsert` adds or replaces documents by id; unchanged content costs nothing. The caller's
  document metadata is stored as is; fields named in `filterable` can be used in filters.
- `search(query, k, mode, filters, query_vector, ids)` ranks only documents that pass
  `filters` (AND of `field in values`; a list-valued field passes when any element is
  wanted) and, when given, are among `ids`, so a filtered-out document can neither appear
  nor push another out of the top k. Lexical
  matching tokenizes with `luodi.matching.tokenize.Tokenizer` on both sides of the wire, so
  Chinese and English match the same way whatever the backend.
- `vector(doc_id)`: the stored passage vector (None without an encoder or a document);
  `vector_dim()`: the vectors' dimension, None for a words-only index; `similarities(qv,
  ids)`: cosine of a query vector with the stored vectors of `ids` (None where missing).
- `matched_terms(query, doc_ids)`: doc id -> field -> query words found, for explanations;
  documents where no query word occurs are left out.
- `holders(query, doc_ids)`: query word -> those of `doc_ids` that hold it (the same
  words as `matched_terms`, without fields; cheap enough for a thousand hits).
- `ids()` / `metadata(doc_id)` / `hashes(doc_ids)` (the stored content hash of each given
  document that is there) for reconciliation with the database.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from .fields import Document
from .filters import Filters
from .index import Hit, MatchingIndex, UpdateStats

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@runtime_checkable
class Backend(Protocol):
    name: str

    def __len__(self) -> int: ...

    def __contains__(self, doc_id: object) -> bool: ...

    def upsert(self, docs: Iterable[Document]) -> UpdateStats: ...

    def delete(self, doc_ids: Iterable[str]) -> int: ...

    def search(
        self,
        query: str,
        k: int = 10,
        mode: str = "hybrid",
        filters: Filters | None = None,
        query_vector: np.ndarray | None = None,
        explain: bool = False,
        ids: Collection[str] | None = None,
    ) -> list[Hit]: ...

    def vector(self, doc_id: str) -> np.ndarray | None: ...

    def vector_dim(self) -> int | None: ...

    def similarities(
        self, query_vector: np.ndarray, doc_ids: Sequence[str]
    ) -> list[float | None]: ...

    def matched_terms(
        self, query: str, doc_ids: Iterable[str]
    ) -> dict[str, dict[str, list[str]]]: ...

    def holders(self, query: str, doc_ids: Sequence[str]) -> dict[str, set[str]]: ...

    def ids(self) -> Iterator[str]: ...

    def metadata(self, doc_id: str) -> Mapping[str, Any] | None: ...

    def hashes(self, doc_ids: Sequence[str]) -> dict[str, str]: ...


class InProcessBackend:
    """A MatchingIndex behind the backend interface."""

    name = "inprocess"

    def __init__(self, index: MatchingIndex) -> None:
        self.index = index

    def __len__(self) -> int:
        return len(self.index)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self.index

    def upsert(self, docs: Iterable[Document]) -> UpdateStats:
        return self.index.upsert(docs)

    def delete(self, doc_ids: Iterable[str]) -> int:
        return self.index.remove(doc_ids)

    def search(
        self,
        query: str,
        k: int = 10,
        mode: str = "hybrid",
        filters: Filters | None = None,
        query_vector: np.ndarray | None = None,
        explain: bool = False,
        ids: Collection[str] | None = None,
    ) -> list[Hit]:
        return self.index.search(
            query,
            k=k,
            mode=mode,
            allowed_ids=ids,
            filters=filters,
            explain=explain,
            query_vector=query_vector,
        )

    def vector(self, doc_id: str) -> np.ndarray | None:
        slot = self.index.slot_of.get(doc_id)
        dense = self.index.dense
        if slot is None or dense is None or slot >= dense.has_vec.shape[0]:
            return None
        if not dense.has_vec[slot]:
            return None
        return np.asarray(dense.vectors[slot], dtype=np.float32)

    def vector_dim(self) -> int | None:
        return None if self.index.dense is None else int(self.index.dense.dim)

    def similarities(self, query_vector: np.ndarray, doc_ids: Sequence[str]) -> list[float | None]:
        dense = self.index.dense
        if dense is None:
            return [None] * len(doc_ids)
        slots = [self.index.slot_of.get(d) for d in doc_ids]
        known = np.asarray([s for s in slots if s is not None], dtype=np.int64)
        scores = (
            iter(float(x) for x in dense.scores(query_vector, known)) if known.size else iter(())
        )
        return [None if s is None else next(scores) for s in slots]

    def matched_terms(self, query: str, doc_ids: Iterable[str]) -> dict[str, dict[str, list[str]]]:
        found = self.index.matched_terms(query, doc_ids)
        return {d: fields for d, fields in found.items() if fields}

    def holders(self, query: str, doc_ids: Sequence[str]) -> dict[str, set[str]]:
        return self.index.holders(query, doc_ids)

    def ids(self) -> Iterator[str]:
        return iter(list(self.index.slot_of))

    def metadata(self, doc_id: str) -> Mapping[str, Any] | None:
        slot = self.index.slot_of.get(doc_id)
        return None if slot is None else (self.index.metadata[slot] or {})

    def hashes(self, doc_ids: Sequence[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for d in doc_ids:
            slot = self.index.slot_of.get(d)
            digest = self.index.hashes[slot] if slot is not None else None
            if digest is not None:
                out[d] = digest
        return out


def holders_of(matched: Mapping[str, Mapping[str, list[str]]]) -> dict[str, set[str]]:
    """`holders` read off `matched_terms`, for a backend with no cheaper way."""
    out: dict[str, set[str]] = {}
    for doc_id, fields in matched.items():
        for words in fields.values():
            for word in words:
                out.setdefault(word, set()).add(doc_id)
    return out


def filter_expression(filters: Filters, arrays: Sequence[str]) -> str:
    """Filters as a Milvus boolean expression: `field in [...]` for scalar fields,
    `array_contains_any(field, [...])` for the list-valued ones named in `arrays`; a wanted
    None matches a scalar field without a value. Field names must be identifiers (they are
    spliced into the expression); values are quoted and escaped here."""
    parts: list[str] = []
    for name, want in filters.items():
        if not _IDENT.fullmatch(name):
            raise ValueError(f"filter field {name!r} is not an identifier")
        values = list(want) if isinstance(want, (list, tuple, set, frozenset)) else [want]
        null = any(v is None for v in values)
        literal = "[" + ", ".join(_literal(v) for v in values if v is not None) + "]"
        if name in arrays:
            parts.append(f"array_contains_any({name}, {literal})")
        elif null:
            parts.append(f"({name} in {literal} or {name} is null)")
        else:
            parts.append(f"{name} in {literal}")
    return " and ".join(parts)


def _literal(value: Any) -> str:
    # numbers.* rather than int/float: numpy scalars from callers must not become strings.
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return repr(float(value))
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'
