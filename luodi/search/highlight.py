"""`<mark>` around matched terms; everything else HTML-escaped."""

from __future__ import annotations

from collections.abc import Collection

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from luodi.matching.tokenize import Tokenizer
from luodi.retrieval.text import IS_CJK, RUN, squash

Span = tuple[int, int]


def spans(text: str, terms: Collection[str], tokenizer: Tokenizer) -> list[Span]:
    """Character ranges of `text` where an index term of `terms` occurs, merged."""
    if not terms or not text:
        return []
    cjk_terms = [t for t in terms if IS_CJK.search(t)]
    found: list[Span] = []
    for m in RUN.finditer(text):
        run = m.group()
        if IS_CJK.match(run):
            for term in cjk_terms:
                i = run.find(term)
                while i >= 0:
                    found.append((m.start() + i, m.start() + i + len(term)))
                    i = run.find(term, i + 1)
        else:
            toks = tokenizer.tokenize(run)
            if toks and toks[0] in terms:
                found.append(m.span())
    found.sort()
    merged: list[Span] = []
    for a, b in found:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def render(text: str, marks: list[Span]) -> SafeString:
    out: list[str] = []
    pos = 0
    for a, b in marks:
        out.append(escape(text[pos:a]))
        out.append(f"<mark>{escape(text[a:b])}</mark>")
        pos = b
    out.append(escape(text[pos:]))
    return mark_safe("".join(out))  # every piece of source text is escaped


def highlight(text: str, terms: Collection[str], tokenizer: Tokenizer) -> SafeString:
    text = squash(text)
    return render(text, spans(text, terms, tokenizer))


def snippet(
    text: str, terms: Collection[str], tokenizer: Tokenizer, width: int = 160
) -> tuple[SafeString, bool]:
    """A window of `text` around its first match (the start when nothing matches);
    returns (html, whether it contains a match)."""
    text = squash(text)
    marks = spans(text, terms, tokenizer)
    start = 0
    if marks and len(text) > width:
        start = max(0, min(marks[0][0] - width // 4, len(text) - width))
        # Do not open the window in the middle of a Latin word.
        if start > 0 and text[start - 1].isascii() and text[start - 1].isalnum():
            space = text.find(" ", start, marks[0][0])
            if space >= 0:
                start = space + 1
    end = min(len(text), start + width)
    window = [
        (max(a, start) - start, min(b, end) - start) for a, b in marks if a < end and b > start
    ]
    html = render(text[start:end], window)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(f"{prefix}{html}{suffix}"), bool(window)
