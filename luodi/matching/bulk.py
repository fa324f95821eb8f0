"""Batch tokenization for LexicalIndex.add: documents -> flat arrays of term ids.

A batch is turned into one int32 array of term ids (ids local to the batch, with the list of
their terms) plus one (document, field, token count) row per non-empty field, so the index
can count and sort with numpy instead of per-token Python loops. Large batches are split
across worker processes (fork: the workers inherit the documents and the warm tokenizer
instead of receiving them pickled); local ids are remapped in chunk order, so the vocabulary
comes out in first-seen order and the index is identical to a single-process build.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from array import array
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from .tokenize import Tokenizer

# Below this many documents a batch is tokenized in-process: starting workers costs more.
PARALLEL_MIN_DOCS = 20_000


@dataclass
class TokenBatch:
    terms: list[str]  # local term id -> term, in first-seen order
    tids: np.ndarray  # int32 local term id of each distinct term of each non-empty field
    counts: np.ndarray  # int32 occurrences of that term in that field
    group_doc: np.ndarray  # int32 document (index in the batch) of each non-empty field
    group_field: np.ndarray  # int32 index into `fields` of each non-empty field
    group_len: np.ndarray  # int32 tokens of each non-empty field
    group_terms: np.ndarray  # int32 distinct terms of each non-empty field (rows in tids)
    fields: list[str]  # field names seen in the batch, first-seen order


def tokenize_batch(
    tokenizer: Tokenizer, docs: Sequence[Mapping[str, str]], offset: int = 0
) -> TokenBatch:
    """Tokenize documents in one process; `offset` is added to document indexes."""
    local: dict[str, int] = {}
    get = local.get
    tids, counts = array("i"), array("i")
    g_doc, g_field, g_len, g_terms = array("i"), array("i"), array("i"), array("i")
    fields: dict[str, int] = {}
    tokenize = tokenizer.tokenize
    for j, doc in enumerate(docs):
        for name, text in doc.items():
            if not text:
                continue
            toks = tokenize(text)
            if not toks:  # all stop words: no postings, length 0
                continue
            # Counting here (C-level Counter, in the worker) leaves the parent a third of
            # the entries to sort.
            c = Counter(toks)
            ids = list(map(get, c))
            if None in ids:  # new terms: rare once the batch's vocabulary has been seen
                for k, t in enumerate(c):
                    if ids[k] is None:
                        ids[k] = local.setdefault(t, len(local))
            tids.extend(ids)  # type: ignore[arg-type]  # no None left
            counts.extend(c.values())
            g_doc.append(j + offset)
            g_field.append(fields.setdefault(name, len(fields)))
            g_len.append(len(toks))
            g_terms.append(len(ids))
    return TokenBatch(
        terms=list(local),
        tids=_ints(tids),
        counts=_ints(counts),
        group_doc=_ints(g_doc),
        group_field=_ints(g_field),
        group_len=_ints(g_len),
        group_terms=_ints(g_terms),
        fields=list(fields),
    )


def _ints(a: array[int]) -> np.ndarray:
    return np.frombuffer(a, dtype=np.int32).copy() if a else np.zeros(0, np.int32)


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on every platform
        return max(1, os.cpu_count() or 1)


# Set in the parent just before forking, read by the workers (inherited, never pickled).
_WORK: tuple[Tokenizer, Sequence[Mapping[str, str]]] | None = None
_WORK_LOCK = threading.Lock()


def _work(span: tuple[int, int]) -> TokenBatch:
    assert _WORK is not None
    tokenizer, docs = _WORK
    return tokenize_batch(tokenizer, docs[span[0] : span[1]], offset=span[0])


def tokenize_parallel(
    tokenizer: Tokenizer, docs: Sequence[Mapping[str, str]], workers: int | None = None
) -> list[TokenBatch]:
    """Chunks of the batch, tokenized by `workers` processes (in-process when the batch is
    small, only one worker is allowed, or fork is unavailable)."""
    global _WORK
    n = len(docs)
    workers = default_workers() if workers is None else workers
    if (
        workers <= 1
        or n < PARALLEL_MIN_DOCS
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return [tokenize_batch(tokenizer, docs)]
    # A few chunks per worker even out fast (English) and slow (Chinese) stretches.
    n_chunks = workers * 4
    bounds = np.linspace(0, n, n_chunks + 1).astype(int)
    spans = [(int(a), int(b)) for a, b in pairwise(bounds) if b > a]
    # Load the segmenter and stemmer before forking, so workers share them and never
    # take a lock another thread might hold at the moment of the fork.
    tokenizer.tokenize("预热 warming")
    with _WORK_LOCK:  # one forked batch at a time: _WORK is process-wide
        _WORK = (tokenizer, docs)
        try:
            ctx = multiprocessing.get_context("fork")
            with ctx.Pool(workers) as pool:
                return pool.map(_work, spans, chunksize=1)
        finally:
            _WORK = None
