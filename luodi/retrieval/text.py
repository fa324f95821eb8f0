"""Text helpers shared by indexing (retrieval), query expansion and highlighting (search):
CJK/Latin runs as the matching tokenizer sees them, the spelling vocabulary, the taxonomy's
dictionary words."""

from __future__ import annotations

import re

from luodi.matching.tokenize import EN_STOPWORDS

# Same character classes as luodi.matching.tokenize (its regexes are private).
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
RUN = re.compile(rf"[{CJK}]+|[A-Za-z0-9\u00c0-\u024f]+")
IS_CJK = re.compile(rf"[{CJK}]")
_CJK_RUN = re.compile(rf"[{CJK}]+")
_WORD = re.compile(r"[a-z\u00c0-\u024f]{3,}")
_SPACE = re.compile(r"\s+")


def squash(text: str) -> str:
    """Whitespace collapsed, ends stripped."""
    return _SPACE.sub(" ", text).strip()


def spelling_words(text: str) -> frozenset[str]:
    """Lowercased Latin words (3+ letters, no digits, no stop words) for typo correction."""
    out = set()
    for m in RUN.finditer(text.lower()):
        word = m.group()
        if _WORD.fullmatch(word) and word not in EN_STOPWORDS:
            out.add(word)
    return frozenset(out)


def cjk_words(label: str) -> list[str]:
    """CJK runs of two or more characters in a taxonomy label (jieba user-dictionary words)."""
    return [run for run in _CJK_RUN.findall(label) if len(run) >= 2]
