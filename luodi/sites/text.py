"""Tokenizer and a sparse BM25 scorer that returns dense score vectors over all documents.

The site ranker needs every history trial's score for a query (to aggregate per site), not a
top-k list, so a matrix product over precomputed BM25 weights is simpler and faster than a
retrieval library here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from .normalize import fold

__all__ = ["BM25Matrix", "tokenize"]

# fmt: off
_STOP = frozenset([
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is",
    "it", "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there",
    "these", "they", "this", "to", "was", "will", "with", "been", "being", "were", "has",
    "have", "had", "do", "does", "did", "from", "its", "which", "who", "whom", "what",
    "when", "where", "why", "how", "than", "also", "we", "our", "can", "could", "may",
    "might", "would", "should", "study", "trial", "patients", "patient", "subjects",
    "participants", "group", "versus", "vs"
])
# fmt: on
_WORD = re.compile(r"[a-z0-9]+")
_stemmer = None
_cache: dict[str, str] = {}


def _stem(word: str) -> str:
    global _stemmer
    out = _cache.get(word)
    if out is None:
        if _stemmer is None:
            import Stemmer

            _stemmer = Stemmer.Stemmer("english")
        out = _stemmer.stemWord(word)
        if len(_cache) < 300_000:
            _cache[word] = out
    return out


def tokenize(text: str) -> list[str]:
    """Folded, stop-word filtered, Snowball-stemmed words (facility names are multilingual, so
    accents are folded first: "hôpital" and "hopital" meet)."""
    return [_stem(w) for w in _WORD.findall(fold(text)) if w not in _STOP and len(w) > 1]


class BM25Matrix:
    """Okapi BM25 with weights precomputed into a CSR (docs x terms) matrix."""

    def __init__(self, docs: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.vocab: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        lengths = np.zeros(len(docs), dtype=np.float64)
        for i, doc in enumerate(docs):
            counts: dict[int, int] = {}
            for tok in doc:
                j = self.vocab.setdefault(tok, len(self.vocab))
                counts[j] = counts.get(j, 0) + 1
            lengths[i] = len(doc)
            for j, c in counts.items():
                rows.append(i)
                cols.append(j)
                vals.append(c)
        n = max(len(docs), 1)
        tf = sp.csr_matrix((vals, (rows, cols)), shape=(len(docs), max(len(self.vocab), 1)))
        df = np.bincount(np.asarray(cols, dtype=np.int64), minlength=tf.shape[1])
        self.idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5))
        avgdl = float(lengths.mean()) if len(docs) and lengths.mean() > 0 else 1.0
        norm = k1 * (1.0 - b + b * lengths / avgdl)
        tf = tf.tocoo()
        weights = tf.data * (k1 + 1.0) / (tf.data + norm[tf.row]) * self.idf[tf.col]
        # terms x docs, so a query sums a few contiguous rows.
        self.by_term = sp.csr_matrix((weights, (tf.col, tf.row)), shape=(tf.shape[1], tf.shape[0]))
        self.n_docs = len(docs)

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """BM25 score of every document; query terms count once each (long summaries as
        queries would otherwise be dominated by their most repeated words)."""
        ids = sorted({self.vocab[t] for t in query if t in self.vocab})
        if not ids or self.n_docs == 0:
            return np.zeros(self.n_docs)
        out = np.zeros(self.n_docs)
        for j in ids:
            lo, hi = self.by_term.indptr[j], self.by_term.indptr[j + 1]
            out[self.by_term.indices[lo:hi]] += self.by_term.data[lo:hi]
        return out
