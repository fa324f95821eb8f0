"""Matchmaking's view of the retrieval layer (luodi.retrieval): text relevance of candidates,
the source's stored passage vector, matched words.

- Requests only read the kind's backend (the newest published generation, or Milvus).
  Before the first build there is none: matching has no text side and says so; a request
  never builds, fits or queues anything.
- Dense retrieval needs no encoder call in a request: the source's own passage vector,
  stored when it was indexed, is the query vector. Without one (dense index not ready,
  source not yet indexed) matching falls back to lexical and says so.
- `text_scores` ranks a given set of candidates (small catalogs: every candidate is then
  scored); `top` asks the backend for the best K among everything the filters let through
  (large catalogs: only those are scored).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from luodi.matching.backend import Backend
from luodi.matching.index import Hit
from luodi.retrieval.engine import Engine
from luodi.retrieval.engine import get_engine as get_retrieval


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


class MatchEngine:
    def __init__(self, retrieval: Engine) -> None:
        self.retrieval = retrieval

    @property
    def encoder_name(self) -> str:
        return self.retrieval.encoder_name

    def backend(self, kind: str) -> Backend | None:
        return self.retrieval.backend(kind)

    def stored_vector(self, kind: str, pk: int) -> np.ndarray | None:
        backend = self.backend(kind)
        return backend.vector(str(pk)) if backend is not None else None

    def _mode(self, backend: Backend | None, query_vector: np.ndarray | None) -> tuple[str, str]:
        if backend is None:
            return "lexical", _("match index being built: text is not compared yet")
        if backend.vector_dim() is None:
            return "lexical", _("semantic index not built yet: lexical matching only")
        if query_vector is None:
            return "lexical", _("no stored vector for this record yet: lexical matching only")
        return "hybrid", ""

    def text_scores(
        self,
        kind: str,
        query: str,
        allowed: Collection[int],
        query_vector: np.ndarray | None,
        filters: Mapping[str, Any] | None = None,
    ) -> TextResult:
        """Text relevance of the given candidates. `allowed` restricts the search BEFORE
        ranking, so a record the user may not see can neither appear nor displace one."""
        allowed_ids = [str(pk) for pk in allowed]
        return self._search(kind, query, len(allowed_ids), query_vector, filters, allowed_ids)

    def top(
        self,
        kind: str,
        query: str,
        k: int,
        query_vector: np.ndarray | None,
        filters: Mapping[str, Any],
    ) -> TextResult:
        """The best `k` documents of `kind` among those `filters` let through (who may see
        them is one of the filters: the backend applies it before ranking)."""
        return self._search(kind, query, k, query_vector, filters, None)

    def _search(
        self,
        kind: str,
        query: str,
        k: int,
        query_vector: np.ndarray | None,
        filters: Mapping[str, Any] | None,
        ids: list[str] | None,
    ) -> TextResult:
        backend = self.backend(kind)
        mode, note = self._mode(backend, query_vector)
        if backend is None or k <= 0 or (ids is not None and not ids):
            return TextResult({}, mode, note)
        hits = backend.search(
            query,
            k=k,
            mode=mode,
            filters=filters,
            query_vector=query_vector if mode == "hybrid" else None,
            ids=ids,
        )
        return TextResult(self._matches(backend, hits, mode, query_vector), mode, note)

    @staticmethod
    def _matches(
        backend: Backend, hits: list[Hit], mode: str, query_vector: np.ndarray | None
    ) -> dict[int, TextMatch]:
        # Cosine similarity straight from the stored vectors: the engine's full explanation
        # re-analyses the query per hit, too slow for every candidate of a page.
        sims: list[float | None] = [None] * len(hits)
        if mode == "hybrid" and query_vector is not None and hits:
            sims = list(backend.similarities(query_vector, [h.id for h in hits]))
        top = max((h.score for h in hits), default=0.0)
        return {
            int(h.id): TextMatch(
                relevance=max(h.score, 0.0) / top if top > 0 else 0.0,
                raw=h.score,
                similarity=sim,
            )
            for h, sim in zip(hits, sims, strict=True)
        }

    def matched_terms(
        self, kind: str, query: str, pks: Collection[int]
    ) -> dict[int, dict[str, list[str]]]:
        """Query terms found in each field of the given documents, most specific first (for
        the shown results only)."""
        backend = self.backend(kind)
        if backend is None:
            return {}
        found = backend.matched_terms(query, [str(pk) for pk in pks])
        return {int(doc_id): fields for doc_id, fields in found.items()}


def get_engine() -> MatchEngine:
    return MatchEngine(get_retrieval())
