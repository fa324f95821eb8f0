"""Batch tokenization for LexicalIndex.add: documents -> flat arrays of term ids.

A batch is turned into int32 arrays of its distinct term ids per field with their counts
(ids local to the batch, with the list of their terms; counted by one numpy sort of the
token ids) plus one (document, field, token count) row per non-empty field, so the index
can sort with numpy instead of per-token Python loops. Large batches are split
across worker processes (fork: the workers inherit the documents and the warm tokenizer
instead of receiving them pickled); local ids are remapped in chunk order, so the vocabulary
comes out in first-seen order and the index is identical to a single-process build.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import threading
from array import array
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, pairwise

import numpy as np

from .tokenize import Tokenizer

# Below this many documents a batch is tokenized in-process: starting workers costs more.
PARALLEL_MIN_DOCS = 20_000
# Token ids held before counting: bounds a big single-process batch's scratch (~16 B each).
STREAM_FLUSH = 1 << 22


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


class _LocalIds(dict[str, int]):
    """term -> batch-local id, assigned on first sight: `map(ids.__getitem__, terms)` costs
    one C-level lookup per known term."""

    __slots__ = ()

    def __missing__(self, term: str) -> int:
        tid = self[term] = len(self)
        return tid


class _RunIds(dict[str, tuple[int, ...]]):
    """Run of ASCII text (a word) -> local ids of its terms, so a known English word costs
    one lookup instead of one for its terms and one per term for their ids. Not for CJK
    runs: mostly unique, they would only fill it."""

    __slots__ = ("_lookup", "_terms")

    def __init__(self, terms: Callable[[str], tuple[str, ...]], lookup: Callable[[str], int]):
        super().__init__()
        self._terms = terms
        self._lookup = lookup

    def __missing__(self, run: str) -> tuple[int, ...]:
        ids = self[run] = tuple(map(self._lookup, self._terms(run)))
        return ids


def tokenize_batch(
    tokenizer: Tokenizer, docs: Sequence[Mapping[str, str]], offset: int = 0
) -> TokenBatch:
    """Tokenize documents in one process; `offset` is added to document indexes."""
    local = _LocalIds()
    lookup = local.__getitem__
    # Every token's local id, field after field: counted at the end with one numpy sort
    # (a Counter per field cost more than tokenizing English text).
    stream: list[int] = []
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    g_doc, g_field, g_len = array("i"), array("i"), array("i")
    counted = 0  # groups whose tokens have been counted
    fields: dict[str, int] = {}
    terms, runs = tokenizer.iter_terms, tokenizer.runs
    ascii_ids = _RunIds(tokenizer.run_terms, lookup).__getitem__
    for j, doc in enumerate(docs):
        for name, text in doc.items():
            if not text:
                continue
            before = len(stream)
            if text.isascii():
                stream += chain.from_iterable(map(ascii_ids, runs(text)))
            else:
                stream += map(lookup, terms(text))
            if len(stream) == before:  # all stop words: no postings, length 0
                continue
            g_doc.append(j + offset)
            g_field.append(fields.setdefault(name, len(fields)))
            g_len.append(len(stream) - before)
        if len(stream) >= STREAM_FLUSH or j == len(docs) - 1:
            parts.append(_count(stream, _ints(g_len[counted:]), len(local)))
            stream.clear()
            counted = len(g_len)
    tids, counts, g_terms = (_cat([p[i] for p in parts]) for i in range(3))
    return TokenBatch(
        terms=list(local),
        tids=tids,
        counts=counts,
        group_doc=_ints(g_doc),
        group_field=_ints(g_field),
        group_len=_ints(g_len),
        group_terms=g_terms,
        fields=list(fields),
    )


def _count(
    stream: list[int], group_len: np.ndarray, n_terms: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(distinct term ids of each group in id order, their counts, distinct terms per
    group) from the token ids of consecutive groups of `group_len` tokens."""
    shift = _bits(n_terms)  # key = group << shift | term: shifts, not int64 division
    key = np.repeat(np.arange(group_len.shape[0], dtype=np.int64) << shift, group_len)
    key |= np.fromiter(stream, np.int64, len(stream))
    # Groups come in order and hold a few hundred tokens each: timsort (stable) merges
    # those runs ~2.5x faster than quicksort sorts the whole array.
    key.sort(kind="stable")
    starts = _run_starts(key)
    counts = np.diff(starts, append=key.shape[0]).astype(np.int32)
    key = key[starts]
    g_terms = np.bincount(key >> shift, minlength=group_len.shape[0]).astype(np.int32)
    return (key & ((1 << shift) - 1)).astype(np.int32), counts, g_terms


def _bits(n: int) -> int:
    """Bits that hold the values 0 .. n - 1."""
    return max(1, (n - 1).bit_length())


def _run_starts(sorted_keys: np.ndarray) -> np.ndarray:
    """Index of the first element of each run of equal values."""
    flag = np.empty(sorted_keys.shape[0], dtype=bool)
    flag[:1] = True
    np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=flag[1:])
    return np.flatnonzero(flag)


def _cat(arrays: list[np.ndarray]) -> np.ndarray:
    if len(arrays) == 1:
        return arrays[0]
    return np.concatenate(arrays) if arrays else np.zeros(0, np.int32)


def _ints(a: array[int]) -> np.ndarray:
    return np.frombuffer(a, dtype=np.int32).copy() if a else np.zeros(0, np.int32)


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on every platform
        return max(1, os.cpu_count() or 1)


_FROZEN = 0  # depth of frozen_heap() scopes
_FROZEN_LOCK = threading.Lock()


@contextlib.contextmanager
def frozen_heap(enabled: bool = True) -> Iterator[None]:
    """Keep the objects that exist on entry out of garbage collection until the outermost
    scope exits (gc.freeze). A bulk load allocates millions of objects, and each full
    collection would otherwise walk everything the index already holds: ~4% of a
    million-document build. Garbage among the frozen objects waits for the exit."""
    global _FROZEN
    if not enabled:
        yield
        return
    with _FROZEN_LOCK:
        if _FROZEN == 0:
            gc.freeze()
        _FROZEN += 1
    try:
        yield
    finally:
        with _FROZEN_LOCK:
            _FROZEN -= 1
            if _FROZEN == 0:
                gc.unfreeze()


def settle_long_lived() -> None:
    """Move every object alive now out of Python's collections for good (gc.freeze): called
    by a serving process right after it built something that lives as long as its index
    (the metadata filter lists, the typo dictionary, a copy with replayed deltas), which
    `generations.load` could not freeze because they are built lazily. Each full collection
    walked them: 4 of 160 searches at 100k achievements paid ~330 ms each (bench/scale).
    Frozen objects are still freed by reference counting (an index holds no cycles: tests);
    cyclic garbage frozen with them waits for the next whole load, which unfreezes and
    collects. Inside a frozen_heap scope nothing is done: its exit thaws everything."""
    with _FROZEN_LOCK:
        if _FROZEN == 0:
            gc.freeze()


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
    return list(iter_tokenized(tokenizer, docs, workers))


def iter_tokenized(
    tokenizer: Tokenizer, docs: Sequence[Mapping[str, str]], workers: int | None = None
) -> Generator[TokenBatch, None, None]:
    """tokenize_parallel's chunks in order, each as soon as it is ready, so the caller can
    pack one while the workers tokenize the next. Exhaust (or close) it: it holds the
    workers until then."""
    global _WORK
    n = len(docs)
    workers = default_workers() if workers is None else workers
    if (
        workers <= 1
        or n < PARALLEL_MIN_DOCS
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        yield tokenize_batch(tokenizer, docs)
        return
    # A few chunks per worker even out fast (English) and slow (Chinese) stretches.
    n_chunks = workers * 4
    bounds = np.linspace(0, n, n_chunks + 1).astype(int)
    spans = [(int(a), int(b)) for a, b in pairwise(bounds) if b > a]
    # Load the segmenter and stemmer before forking, so workers share them and never
    # take a lock another thread might hold at the moment of the fork.
    tokenizer.tokenize("预热 warming")
    with _WORK_LOCK:  # one forked batch at a time: _WORK is process-wide
        _WORK = (tokenizer, docs)
        # Objects that exist now are frozen out of the workers' garbage collection: a
        # collection there would write to every tracked object the index holds (ids,
        # metadata dicts, ...) and copy those pages, which grow with the index.
        with frozen_heap():
            pool = multiprocessing.get_context("fork").Pool(workers)
        try:
            yield from pool.imap(_work, spans, chunksize=1)
        finally:
            # close + join, not terminate (what `with Pool` does): terminating while imap's
            # task feeder thread is mid-put can deadlock inside the pool (seen in CI when
            # the consumer failed early). Letting the workers finish the remaining chunks
            # costs at most one batch's tokenizing.
            pool.close()
            pool.join()
            _WORK = None
