"""Query expansion before the index sees the query (the index only knows exact terms):

- Chinese: jieba search mode; characters that no known word of the query covers (a word
  jieba does not know, or segments differently from the documents) are added as single
  characters, which the tokenizer also indexes in every document.
- English: a word unknown to the index is replaced by known words at edit distance 1 (2 for
  long words); the word still being typed is completed by prefix.

The original query stays in front, so exact matches always count; unknown terms are ignored
by the index.
"""

from __future__ import annotations

from collections.abc import Callable, Container
from dataclasses import dataclass, field

from luodi.matching.tokenize import ZH_STOPWORDS, Tokenizer
from luodi.retrieval.text import IS_CJK, RUN
from luodi.search.spelling import SpellIndex


@dataclass
class Expanded:
    text: str  # what the index is queried with
    corrections: dict[str, list[str]] = field(default_factory=dict)  # typo -> known words
    completions: dict[str, list[str]] = field(default_factory=dict)  # prefix -> known words
    chars: list[str] = field(default_factory=list)  # single-character fallbacks
    # The runs those characters stand in for: a record matched only through them must hold
    # every character of one run ("九联" is not found by 九 alone, nor 帕金森 by 金).
    unknown_runs: list[str] = field(default_factory=list)


def expand(
    query: str,
    tokenizer: Tokenizer,
    vocab: Container[str],
    spell_of: Callable[[], SpellIndex],
    accept: Callable[[str], bool] | None = None,
    common: Callable[[str], bool] | None = None,
) -> Expanded:
    """`accept(word)` says whether a candidate word occurs in a record the user may see:
    suggestions must not reveal words of records they may not. `spell_of()` gives the typo
    dictionary, asked for only when a word needs it. `common(word)` marks words in so many
    records that correcting to them finds everything ("HEMO" is not a typo of "demo")."""

    def fit(word: str) -> bool:
        return not (common and common(word)) and (accept is None or accept(word))

    out = Expanded(text=query)
    extra: list[str] = []
    runs = list(RUN.finditer(query))
    for n, m in enumerate(runs):
        run = m.group()
        if IS_CJK.match(run):
            covered = [False] * len(run)
            for word, start, end in tokenizer.jieba.tokenize(run, mode="search", HMM=True):
                if word in vocab and word not in ZH_STOPWORDS:
                    covered[start:end] = [True] * (end - start)
            start = len(out.chars)
            for i, ch in enumerate(run):
                if not covered[i] and ch in vocab and ch not in ZH_STOPWORDS:
                    out.chars.append(ch)
            if len(out.chars) > start:
                out.unknown_runs.append(
                    "".join(
                        c for i, c in enumerate(run) if not covered[i] and c not in ZH_STOPWORDS
                    )
                )
            continue
        low = run.lower()
        terms = tokenizer.tokenize(low)
        if not terms or terms[0] in vocab or not low.isalpha():
            continue
        typing = n == len(runs) - 1 and m.end() == len(query)
        completed = spell_of().completions(low, limit=3, accept=accept) if typing else []
        if completed:
            out.completions[run] = completed
            extra += completed
        # The word as typed, else its stem ("stnets" -> "stnet" -> "stent").
        fixes = spell_of().corrections(low, accept=fit)
        if not fixes and terms[0] != low:
            fixes = spell_of().corrections(terms[0], accept=fit)
        if fixes:
            out.corrections[run] = fixes
            extra += fixes
    extra += out.chars
    if extra:
        out.text = f"{query} {' '.join(extra)}"
    return out
