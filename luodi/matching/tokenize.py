"""One-pass tokenizer for mixed Chinese/English text.

CJK runs go through jieba search mode (overlapping sub-words, so "糖尿病肾病" also yields
"糖尿病" and "肾病"); other runs are lowercased, stop-word filtered and Snowball-stemmed.
Callers may add domain terms (taxonomy names) so the segmenter keeps them whole.

Segmentation uses rjieba (jieba-rs: the same dictionary, DAG + HMM algorithm, search mode and
user-word frequencies as Python jieba, compiled). On 59k real CJK runs (KUAKE-QTR, CHIP-CDN)
and 20k synthetic ones its output was token-for-token identical to jieba 0.42.1, with and
without 500 user words, at 8-15x the speed. The terms of each run are cached, since words
repeat across documents (every English word after its first sighting costs one dict hit).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, filterfalse
from typing import Any

# Lucene's English stop list (what bm25s uses) plus frequent function words that carry no
# topical signal in claims and questions.
EN_STOPWORDS: frozenset[str] = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "if",
        "in",
        "into",
        "is",
        "it",
        "no",
        "not",
        "of",
        "on",
        "or",
        "such",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "will",
        "with",
        "been",
        "being",
        "were",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "from",
        "its",
        "which",
        "who",
        "whom",
        "what",
        "when",
        "where",
        "why",
        "how",
        "than",
        "also",
        "we",
        "our",
        "can",
        "could",
        "may",
        "might",
        "would",
        "should",
        "i",
        "you",
        "he",
        "she",
        "them",
        "his",
        "her",
        "my",
        "your",
        "us",
    ]
)
# Chinese particles and question frames ("怎么办", "吗") that every query carries.
ZH_STOPWORDS: frozenset[str] = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "是",
        "在",
        "有",
        "吗",
        "呢",
        "吧",
        "啊",
        "呀",
        "么",
        "着",
        "过",
        "也",
        "都",
        "就",
        "被",
        "把",
        "对",
        "为",
        "之",
        "其",
        "该",
        "等",
        "怎么",
        "怎么办",
        "怎样",
        "如何",
        "什么",
        "为什么",
        "哪些",
        "哪个",
        "可以",
        "能",
        "会",
        "要",
        "一个",
        "一下",
        "还",
        "又",
        "请问",
        "个",
        "中",
        "上",
        "下",
    ]
)

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A run of CJK characters, or a Latin/digit word (hyphen/apostrophe parts split later).
_RUN = re.compile(rf"[{_CJK}]+|[A-Za-z0-9\u00c0-\u024f]+")
_IS_CJK = re.compile(rf"[{_CJK}]")
_IS_ZH_STOP = ZH_STOPWORDS.__contains__
# First characters of the Chinese stop words: a run without any cannot contain one (every
# term of a run is a substring of it), so its terms need no stop-word filtering.
_ZH_STOP_START = re.compile("[" + "".join(sorted({w[0] for w in ZH_STOPWORDS})) + "]")
# For ASCII text, the runs of _RUN are its [A-Za-z0-9]+ stretches: mapping every other
# character to a space makes str.split() find exactly them, and letters are lowercased on
# the way (one C pass; translate has a fast path for ASCII-to-ASCII tables).
_ASCII_RUNS = {i: chr(i).lower() if chr(i).isalnum() else " " for i in range(128)}
# Cached runs per tokenizer. Latin words are few (a corpus vocabulary) and cheap to keep.
# CJK runs are mostly unique and their terms are many small strings (~2.5 KB a 17-char run,
# ~1 GB for the first 400k runs of the million-document bench), so only short ones
# (titles, queries, phrases between punctuation) are kept, and few of them.
RUN_CACHE_SIZE = 300_000
CJK_CACHE_SIZE = 30_000
CJK_CACHE_MAX_CHARS = 8


class Segmenter:
    """A jieba-compatible face over rjieba: the calls this project makes on a jieba
    Tokenizer (`cut_for_search`, `tokenize`, `add_word`), with jieba's keyword names, so
    callers written against jieba (luodi.search.query) keep working."""

    def __init__(self) -> None:
        import rjieba

        self._seg = rjieba.Jieba()

    def cut_for_search(self, text: str, HMM: bool = True) -> list[str]:
        return list(self._seg.cut_for_search(text, HMM))

    def cut(self, text: str, HMM: bool = True) -> list[str]:
        return list(self._seg.cut(text, HMM))

    def tokenize(
        self,
        text: str,
        mode: str = "default",
        HMM: bool = True,
    ) -> Iterator[tuple[str, int, int]]:
        return iter(self._seg.tokenize(text, mode=mode, hmm=HMM))

    def add_word(self, word: str, freq: int | None = None, tag: str | None = None) -> None:
        # freq None: rjieba, like jieba, suggests the frequency that keeps the word whole.
        self._seg.add_word(word, freq, tag)


_BASE_SEGMENTER: Segmenter | None = None
_BASE_LOCK = threading.Lock()


def _base_segmenter() -> Segmenter:
    """One default dictionary per process, loaded on first use (not at import): most
    tokenizers need no words of their own."""
    global _BASE_SEGMENTER
    with _BASE_LOCK:
        if _BASE_SEGMENTER is None:
            _BASE_SEGMENTER = Segmenter()
    return _BASE_SEGMENTER


def _private_segmenter(words: Iterable[str]) -> Segmenter:
    """A segmenter sharing nothing mutable with the default one, plus user words, so one
    caller's dictionary never leaks into another's."""
    seg = Segmenter()
    for w in words:
        seg.add_word(w)
    return seg


class _RunCache(dict[str, tuple[str, ...]]):
    """run -> its terms, computed on a miss. Hits go through dict's C `__getitem__`, so
    `map(cache.__getitem__, runs)` costs no Python frame per known word."""

    __slots__ = ("_compute", "_n_cjk")

    def __init__(self, compute: Callable[[str], tuple[str, ...]]) -> None:
        super().__init__()
        self._compute = compute
        self._n_cjk = 0

    def __missing__(self, run: str) -> tuple[str, ...]:
        terms = self._compute(run)
        if len(self) < RUN_CACHE_SIZE:
            if not _IS_CJK.match(run):
                self[run] = terms
            elif len(run) <= CJK_CACHE_MAX_CHARS and self._n_cjk < CJK_CACHE_SIZE:
                self[run] = terms
                self._n_cjk += 1
        return terms

    def clear(self) -> None:
        super().clear()
        self._n_cjk = 0


class Tokenizer:
    """Turns text into index terms. Thread-safe after construction; the segmenter loads
    lazily.

    `cjk_ngrams` additionally emits character n-grams of CJK runs (default: single
    characters). Word segmentation of short medical text is unreliable ("左膝退变" vs
    "膝关节退行性变"); characters let such pairs still share evidence. Measured on
    KUAKE-QTR / CHIP-CDN lexical nDCG@10: 0.785 -> 0.870 and 0.531 -> 0.614.
    """

    def __init__(
        self,
        user_words: Iterable[str] = (),
        stem: bool = True,
        cjk_ngrams: tuple[int, ...] = (1,),
    ) -> None:
        self.stem = stem
        self.cjk_ngrams = tuple(cjk_ngrams)
        self._user_words: list[str] = []
        self._segmenter: Segmenter | None = None
        self._cut: Callable[[str, bool], list[str]] | None = None  # rjieba cut_for_search
        self._stemmer: Any = None
        self._lock = threading.Lock()
        self._runs = _RunCache(self._run_terms)
        self.add_words(user_words)

    def config(self) -> dict[str, Any]:
        """Everything that changes the output; persisted with an index."""
        return {
            "stem": self.stem,
            "cjk_ngrams": list(self.cjk_ngrams),
            "user_words": list(self._user_words),
        }

    @classmethod
    def from_config(cls, cfg: dict[str, Any]) -> Tokenizer:
        return cls(
            user_words=cfg.get("user_words", ()),
            stem=cfg.get("stem", True),
            cjk_ngrams=tuple(cfg.get("cjk_ngrams", (1,))),
        )

    def add_words(self, words: Iterable[str]) -> None:
        """Add user-dictionary terms (e.g. taxonomy names) that the segmenter keeps whole."""
        new = [w.strip() for w in words if w and w.strip()]
        if not new:
            return
        self._user_words.extend(new)
        with self._lock:
            if self._segmenter is not None:
                if self._segmenter is _BASE_SEGMENTER:  # never mutate the shared dictionary
                    self._segmenter = _private_segmenter([])
                for w in new:
                    self._segmenter.add_word(w)
                self._cut = None  # may belong to the replaced segmenter
            self._runs.clear()

    @property
    def segmenter(self) -> Segmenter:
        if self._segmenter is None:
            with self._lock:
                if self._segmenter is None:
                    self._segmenter = (
                        _private_segmenter(self._user_words)
                        if self._user_words
                        else _base_segmenter()
                    )
        return self._segmenter

    # The name callers have used since the segmenter was Python jieba.
    jieba = segmenter

    def __getstate__(self) -> dict[str, Any]:
        # Pickled (e.g. to a spawned worker) without the native segmenter, stemmer and
        # caches; they are rebuilt from the configuration on first use.
        state = self.__dict__.copy()
        state.update(_segmenter=None, _cut=None, _stemmer=None, _lock=None, _runs=None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()
        self._runs = _RunCache(self._run_terms)

    def _bind_cut(self) -> Callable[[str, bool], list[str]]:
        cut: Callable[[str, bool], list[str]] = self.segmenter._seg.cut_for_search
        self._cut = cut
        return cut

    def _stem(self, word: str) -> str:
        if not self.stem:
            return word
        if self._stemmer is None:
            import Stemmer

            self._stemmer = Stemmer.Stemmer("english")
        return str(self._stemmer.stemWord(word))

    def _run_terms(self, run: str) -> tuple[str, ...]:
        """Terms of one run (all CJK, or one Latin/digit word): the unit of caching."""
        if _IS_CJK.match(run):
            # rjieba's own method (already a list): a CJK run is rarely cached, so this is
            # paid once per run of most documents.
            cut = self._cut or self._bind_cut()
            if self.cjk_ngrams == (1,) and _ZH_STOP_START.search(run) is None:
                # No stop word can occur in the run: nothing to filter (a third of the
                # run's cost), and rjieba's fresh list can be extended in place.
                words = cut(run, True)
                if len(run) >= 2:
                    words += run
                return tuple(words)
            out = list(filterfalse(_IS_ZH_STOP, cut(run, True)))
            for n in self.cjk_ngrams:
                if len(run) >= max(n, 2):  # a 1-char run is already a segmenter token
                    grams = run if n == 1 else [run[i : i + n] for i in range(len(run) - n + 1)]
                    out += filterfalse(_IS_ZH_STOP, grams)
            return tuple(out)
        low = run.lower()
        if low in EN_STOPWORDS or (len(low) == 1 and not low.isdigit()):
            return ()
        return (self._stem(low),)

    def analyze(self, text: str) -> list[tuple[str, str]]:
        """(term, surface form) pairs in text order; surfaces feed explanations."""
        out: list[tuple[str, str]] = []
        for m in _RUN.finditer(text):
            run = m.group()
            terms = self._runs[run]
            if _IS_CJK.match(run):
                out.extend((t, t) for t in terms)
            else:
                out.extend((t, run) for t in terms)
        return out

    def tokenize(self, text: str) -> list[str]:
        # Same terms as analyze(), without (term, surface) pairs: the indexing hot path,
        # one C-level dict lookup per run once its terms are cached.
        return list(self.iter_terms(text))

    def iter_terms(self, text: str) -> Iterator[str]:
        """tokenize()'s terms as a lazy iterator, for callers that consume them once."""
        return chain.from_iterable(map(self._runs.__getitem__, self.runs(text)))

    @staticmethod
    def runs(text: str) -> list[str]:
        """The units text is cut into (see run_terms). ASCII text skips the regex engine
        (~40 us for a 1.5 KB English body; translate + split cost ~10); its runs come out
        lowercased, which the terms of a Latin run depend on anyway."""
        return text.translate(_ASCII_RUNS).split() if text.isascii() else _RUN.findall(text)

    def run_terms(self, run: str) -> tuple[str, ...]:
        """Terms of one of runs()'s runs (cached)."""
        return self._runs[run]
