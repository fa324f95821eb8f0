"""Documents and field weighting: the ONE place that says how much each field counts.

Every other module (lexical scoring, passage text for the encoder, explanations) reads
FIELD_WEIGHTS from here, so changing the emphasis of titles over bodies is a one-line edit.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Lexical weight of each field (BM25F-style term-frequency weights). Title matches are the
# strongest evidence of topicality, summaries next, bodies are long and noisy. Fields not
# listed get DEFAULT_FIELD_WEIGHT so callers can add fields without touching this module.
FIELD_WEIGHTS: dict[str, float] = {
    "title": 2.0,
    "name": 2.0,
    "aliases": 1.5,
    "keywords": 1.5,
    "summary": 1.5,
    "body": 1.0,
}
DEFAULT_FIELD_WEIGHT = 1.0

# Order in which fields are concatenated into the passage the dense encoder sees: most
# informative first, because long passages are truncated at the end.
PASSAGE_FIELD_ORDER: tuple[str, ...] = ("title", "name", "summary", "keywords", "body")
# Fields never shown to the dense encoder: aliases are other names (an organization's)
# that add words, not meaning; "org" the name of the record's organization (an owner, a
# sponsor); embedding either would blur what the document itself is about.
NON_PASSAGE_FIELDS: frozenset[str] = frozenset({"aliases", "org"})

_SPACE = re.compile(r"\s+")
# Stray quote characters left at the edges of values by CSV exports (seen in real data).
_EDGE_QUOTES = "\"'“”‘’「」"


def field_weight(name: str) -> float:
    return FIELD_WEIGHTS.get(name, DEFAULT_FIELD_WEIGHT)


def clean_text(text: str) -> str:
    """Collapse whitespace and strip stray edge quotes; keeps inner punctuation."""
    return _SPACE.sub(" ", text).strip().strip(_EDGE_QUOTES).strip()


@dataclass(frozen=True)
class Document:
    """A matchable item: an id, free-text fields (zh and/or en), and metadata for filters."""

    id: str
    fields: Mapping[str, str]
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def passage_text(self) -> str:
        return passage_text(self.fields)

    def content_hash(self) -> str:
        """Hash of everything that affects indexing; unchanged hash => nothing to redo."""
        # One encode and one update of the whole text: the digest of the per-field updates
        # it replaced (saved indexes keep their hashes), at half the cost.
        parts: list[str] = []
        for name in sorted(self.fields):
            parts += (name, "\0", self.fields[name], "\1")
        parts += ("\2", repr(sorted((k, repr(v)) for k, v in self.metadata.items())))
        return hashlib.sha256("".join(parts).encode()).hexdigest()


def passage_text(fields: Mapping[str, str]) -> str:
    """Text given to the dense encoder: known fields in PASSAGE_FIELD_ORDER, then the rest."""
    ordered = [f for f in PASSAGE_FIELD_ORDER if f in fields]
    ordered += sorted(
        f for f in fields if f not in PASSAGE_FIELD_ORDER and f not in NON_PASSAGE_FIELDS
    )
    parts = [clean_text(fields[f]) for f in ordered]
    parts = [p for p in parts if p]
    # Join with ". " unless the part already ends in sentence punctuation (zh or en).
    out = ""
    for p in parts:
        if out:
            out += " " if out[-1] in ".!?。！？；;:" else ". "
        out += p
    return out
