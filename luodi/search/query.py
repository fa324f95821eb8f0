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


def expand(
    query: str,
    tokenizer: Tokenizer,
    vocab: Container[str],
    spell_of: Callable[[], SpellIndex],
    accept: Callable[[str], bool] | None = None,
) -> Expanded:
    """`accept(word)` says whether a candidate word occurs in a record the user may see:
    suggestions must not reveal words of records they may not. `spell_of()` gives the typo
    dictionary, asked for only when a word needs it."""
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
            for i, ch in enumerate(run):
                if not covered[i] and ch in vocab and ch not in ZH_STOPWORDS:
                    out.chars.append(ch)
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
        fixes = spell_of().corrections(low, accept=accept)
        if not fixes and terms[0] != low:
            fixes = spell_of().corrections(terms[0], accept=accept)
        if fixes:
            out.corrections[run] = fixes
            extra += fixes
    extra += out.chars
    if extra:
        out.text = f"{query} {' '.join(extra)}"
    return out
