"""Typo tolerance for Latin words: a symmetric-delete dictionary (SymSpell-style) over the
words of the indexed documents, queried with optimal-string-alignment distance, plus prefix
completion for the word being typed. Pure Python; no Django."""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Iterable, Mapping

MAX_CANDIDATES = 12  # candidate words checked (e.g. for visibility) per query word


def osa_distance(a: str, b: str, limit: int = 2) -> int:
    """Optimal string alignment distance (edits + adjacent transpositions), capped at
    `limit + 1` as soon as it is certain to exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def max_distance(word: str) -> int:
    """Edits tolerated for a query word of this length (short words would match too much)."""
    n = len(word)
    return 0 if n < 4 else 1 if n < 8 else 2


class SpellIndex:
    """Words with their document frequency; supports removal (reference counts)."""

    def __init__(self) -> None:
        self.freq: Counter[str] = Counter()
        self._by_delete: dict[str, set[str]] = {}
        self._sorted: list[str] | None = None

    def __len__(self) -> int:
        return len(self.freq)

    def __contains__(self, word: object) -> bool:
        return word in self.freq

    def add(self, words: Iterable[str]) -> None:
        for w in words:
            self.freq[w] += 1
            if self.freq[w] == 1:
                self._sorted = None
                for d in _deletes(w):
                    self._by_delete.setdefault(d, set()).add(w)

    def add_counts(self, counts: Mapping[str, int]) -> None:
        """Words with how many documents hold each (a generation's saved spelling table)."""
        for w, n in counts.items():
            if n <= 0:
                continue
            if w not in self.freq:
                self._sorted = None
                for d in _deletes(w):
                    self._by_delete.setdefault(d, set()).add(w)
            self.freq[w] += n

    def discard(self, words: Iterable[str]) -> None:
        for w in words:
            n = self.freq.get(w, 0)
            if n > 1:
                self.freq[w] = n - 1
            elif n == 1:
                del self.freq[w]
                self._sorted = None
                for d in _deletes(w):
                    bucket = self._by_delete.get(d)
                    if bucket is not None:
                        bucket.discard(w)
                        if not bucket:
                            del self._by_delete[d]

    def corrections(
        self, word: str, limit: int = 3, accept: Callable[[str], bool] | None = None
    ) -> list[str]:
        """Known words closest to an unknown `word` (among those `accept` allows), most
        frequent first among equally close ones."""
        dist = max_distance(word)
        if dist == 0 or word in self.freq:
            return []
        cands: set[str] = set(self._by_delete.get(word, ()))  # one letter missing in `word`
        first = _deletes(word)
        probes = set(first)
        if dist > 1:
            for d in first:
                probes |= _deletes(d)
        for d in probes:
            if d in self.freq:  # `word` has extra letters
                cands.add(d)
            cands |= self._by_delete.get(d, set())  # substitutions, transpositions
        scored = sorted((osa_distance(word, c, dist), -self.freq[c], c) for c in cands)
        best = dist + 1
        out: list[str] = []
        for cost, _, c in scored[:MAX_CANDIDATES]:
            if cost > min(best, dist) or len(out) >= limit:
                break
            if accept is None or accept(c):
                best = cost
                out.append(c)
        return out

    def completions(
        self, prefix: str, limit: int = 5, accept: Callable[[str], bool] | None = None
    ) -> list[str]:
        """Most frequent known words that start with `prefix` (for the word being typed)."""
        if len(prefix) < 3:
            return []
        if self._sorted is None:
            self._sorted = sorted(self.freq)
        words = self._sorted
        found: list[str] = []
        i = bisect.bisect_left(words, prefix)
        while i < len(words) and words[i].startswith(prefix) and len(found) < 200:
            if words[i] != prefix:
                found.append(words[i])
            i += 1
        found.sort(key=lambda w: (-self.freq[w], w))
        out: list[str] = []
        for w in found[:MAX_CANDIDATES]:
            if len(out) >= limit:
                break
            if accept is None or accept(w):
                out.append(w)
        return out
