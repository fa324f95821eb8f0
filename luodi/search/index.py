"""What global search reads: the retrieval layer's index of every kind (luodi.retrieval),
plus what only search needs on top of them — one vocabulary view for query expansion and a
typo dictionary of the Latin words of all kinds.

Nothing here builds an index: each process loads the newest published generations
(`warm` at gunicorn worker start; then `SearchIndex.current` looks for newer ones at most
every LUODI_INDEX_CHECK_SECONDS). Before the first build there is nothing to search, and
the page says so.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass

from luodi.matching.backend import Backend, InProcessBackend
from luodi.matching.bulk import settle_long_lived
from luodi.matching.tokenize import Tokenizer
from luodi.retrieval import generations
from luodi.retrieval.engine import get_engine
from luodi.retrieval.kinds import KINDS as INDEX_KINDS
from luodi.search.spelling import SpellIndex


class Vocabulary:
    """`word in vocab` over every kind's lexical vocabulary."""

    def __init__(self, parts: list[dict[str, int]]) -> None:
        self.parts = parts

    def __contains__(self, word: object) -> bool:
        return any(word in part for part in self.parts)


@dataclass
class SearchIndex:
    backends: dict[str, Backend]  # index kind -> backend, for the kinds built so far
    tokenizer: Tokenizer
    vocab: Vocabulary
    loaded: dict[str, generations.Loaded]

    @property
    def spell(self) -> SpellIndex:
        return _spelling(self.loaded)

    @classmethod
    def current(cls) -> SearchIndex | None:
        """The indexes this process serves now; None before any was built."""
        engine = get_engine()
        if engine.on_milvus:
            return cls._on_milvus()
        loaded = {kind: engine.loaded(kind) for kind in INDEX_KINDS}
        present = {kind: gen for kind, gen in loaded.items() if gen is not None}
        if not present:
            return None
        first = next(iter(present.values()))
        return cls(
            backends={kind: InProcessBackend(gen.index) for kind, gen in present.items()},
            tokenizer=first.index.lexical.tokenizer,
            vocab=Vocabulary([gen.index.lexical.vocab for gen in present.values()]),
            loaded=present,
        )

    @classmethod
    def _on_milvus(cls) -> SearchIndex | None:
        """Milvus collections expose no vocabulary: every word counts as known (no
        single-character fallback) and there is no typo dictionary."""
        engine = get_engine()
        backends: dict[str, Backend] = {}
        for kind in INDEX_KINDS:
            backend = engine.backend(kind)
            if backend is not None:
                backends[kind] = backend
        if not backends:
            return None
        first = next(iter(backends.values()))
        return cls(
            backends=backends,
            tokenizer=first.tokenizer,  # type: ignore[attr-defined]
            vocab=_Everything(),  # type: ignore[arg-type]
            loaded={},
        )


class _Everything:
    def __contains__(self, word: object) -> bool:
        return True


@dataclass
class _Spelling:
    index: SpellIndex
    paths: dict[str, str]  # kind -> the generation whose words it holds
    chains: dict[str, int]  # kind -> that generation's chain (generations.py)
    counts: dict[str, Counter[str]]  # kind -> the counts added for it


_spell_lock = threading.Lock()
_spell: _Spelling | None = None


def _spelling(present: dict[str, generations.Loaded]) -> SpellIndex:
    """One typo dictionary over the Latin words of every kind, built lazily (a process that
    never corrects a word never pays for it). A new generation of a kind's chain only adds
    words (its deltas), which are added here; a new chain rebuilds the dictionary (~0.6 s at
    100k achievements, paid after every edit before deltas)."""
    global _spell
    paths = {kind: gen.path for kind, gen in present.items()}
    chains = {kind: gen.state.chain for kind, gen in present.items()}
    with _spell_lock:
        held = _spell
        if held is not None and held.paths == paths:
            return held.index
        if held is None or held.chains != chains:
            held = _Spelling(SpellIndex(), {}, chains, {})
            for kind, gen in present.items():
                held.index.add_counts(gen.state.spelling)
                held.counts[kind] = Counter(gen.state.spelling)
        else:
            for kind, gen in present.items():
                if held.paths.get(kind) != gen.path:
                    held.index.add_counts(gen.state.spelling - held.counts[kind])
                    held.counts[kind] = Counter(gen.state.spelling)
        held.paths = paths
        _spell = held
        settle_long_lived()  # the dictionary lives as long as the generations it holds
        return held.index


def warm() -> dict[str, bool]:
    """Load every kind's newest generation into this process (gunicorn's post_worker_init,
    /healthz), or open its Milvus collection: kind -> whether one was there."""
    engine = get_engine()
    return {kind: engine.backend(kind) is not None for kind in INDEX_KINDS}
