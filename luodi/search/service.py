"""Global search for one user: permission-filtered ids first, then ranking, then display.

Allowed ids come from the catalog's `*_visible_to(user)` querysets and restrict the index
before ranking, so an invisible record can neither appear, be counted, nor displace one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from luodi.accounts.rules import AnyUser, is_staff
from luodi.matching.index import Hit
from luodi.search.engine import engine
from luodi.search.highlight import highlight, snippet
from luodi.search.kinds import KINDS, Card, Kind
from luodi.search.query import expand
from luodi.search.text import squash

MAX_QUERY_LENGTH = 200
COUNT_CAP = 1000  # hits counted per query; more shows as "1000+"
MAX_LIMIT = 100


@dataclass
class Item:
    kind: str
    kind_label: str
    pk: int
    title_text: str
    title: SafeString
    alt_title: SafeString
    snippet: SafeString
    meta: str
    url: str
    score: float
    archived: bool


@dataclass
class Group:
    kind: str
    label: str
    count: int
    items: list[Item]


@dataclass
class Results:
    query: str
    kinds: list[str]
    error: str = ""
    counts: dict[str, int] = field(default_factory=dict)  # visible matches per kind
    total: int = 0
    capped: bool = False
    items: list[Item] = field(default_factory=list)
    similar: list[str] = field(default_factory=list)  # typo corrections that matched

    @property
    def groups(self) -> list[Group]:
        """Items grouped by kind, groups in order of their best hit."""
        by_kind: dict[str, list[Item]] = {}
        for item in self.items:
            by_kind.setdefault(item.kind, []).append(item)
        return [
            Group(kind, str(KINDS[kind].label), self.counts.get(kind, len(items)), items)
            for kind, items in by_kind.items()
        ]

    @property
    def all_count(self) -> int:
        return sum(self.counts.values())

    @property
    def tabs(self) -> list[tuple[str, str, int]]:
        """(slug, label, count) for every kind, for the kind filter."""
        return [(k.slug, str(k.label), self.counts.get(k.slug, 0)) for k in KINDS.values()]


def parse_kinds(values: Iterable[str] | None) -> list[str]:
    """Known kind slugs from repeated and/or comma-separated values; all kinds when none."""
    picked = [s.strip() for v in (values or ()) for s in v.split(",") if s.strip() in KINDS]
    return list(dict.fromkeys(picked)) or list(KINDS)


def too_long_message() -> str:
    return _("The search text is too long: at most %(max)d characters.") % {"max": MAX_QUERY_LENGTH}


def allowed_ids(user: AnyUser, include_archived: bool = False) -> dict[str, set[str]]:
    """Index ids the user may see, per kind (archived records only for staff who ask)."""
    out: dict[str, set[str]] = {}
    for kind in KINDS.values():
        qs = kind.visible(user)
        if kind.archivable and not (include_archived and is_staff(user)):
            qs = qs.filter(archived_at__isnull=True)
        out[kind.slug] = {kind.doc_id(pk) for pk in qs.values_list("pk", flat=True)}
    return out


def search(
    user: AnyUser,
    q: str,
    kinds: Iterable[str] | None = None,
    limit: int = 20,
    include_archived: bool = False,
) -> Results:
    query = squash(q or "")
    res = Results(query=query, kinds=parse_kinds(kinds))
    if len(query) > MAX_QUERY_LENGTH:
        res.query = query[:MAX_QUERY_LENGTH]
        res.error = too_long_message()
        return res
    if not query or not user.is_authenticated:
        return res
    limit = max(1, min(limit, MAX_LIMIT))
    allowed = allowed_ids(user, include_archived)
    everything = set().union(*allowed.values())
    selected = set().union(*(allowed[k] for k in res.kinds))
    with engine.lock:
        engine.ensure_current()
        index = engine.index

        def visible(word: str) -> bool:
            return bool(
                index.search(word, k=1, mode="lexical", allowed_ids=everything, explain=False)
            )

        expanded = expand(query, engine.tokenizer, engine.vocab, engine.spell, visible)
        counted = engine.index.search(
            expanded.text, k=COUNT_CAP, mode="lexical", allowed_ids=everything, explain=False
        )
        hits = engine.index.search(
            expanded.text, k=limit, mode="lexical", allowed_ids=selected, explain=True
        )
    counts = Counter(h.id.split(":", 1)[0] for h in counted)
    res.counts = dict(counts)
    res.capped = len(counted) >= COUNT_CAP
    res.total = sum(counts[k] for k in res.kinds)
    res.items = _items(user, hits, include_archived)
    matched = {t for item_terms in (_terms(h) for h in hits) for t in item_terms}
    res.similar = sorted(
        {
            w
            for fixes in expanded.corrections.values()
            for w in fixes
            if engine.tokenizer.tokenize(w) and engine.tokenizer.tokenize(w)[0] in matched
        }
    )
    return res


def _terms(hit: Hit) -> set[str]:
    """Index terms the hit matched (explanation surfaces run through the tokenizer)."""
    if hit.explanation is None:
        return set()
    out: set[str] = set()
    for surfaces in hit.explanation.matched_terms.values():
        for surface in surfaces:
            out.update(engine.tokenizer.tokenize(surface))
    return out


def _items(user: AnyUser, hits: list[Hit], include_archived: bool) -> list[Item]:
    """Display items in hit order, re-read through the visibility querysets."""
    pks: dict[str, list[int]] = {}
    for h in hits:
        slug, pk = h.id.split(":", 1)
        pks.setdefault(slug, []).append(int(pk))
    objects: dict[str, dict[int, Any]] = {}
    for slug, ids in pks.items():
        kind = KINDS[slug]
        qs = kind.visible(user).filter(pk__in=ids)
        if kind.archivable and not (include_archived and is_staff(user)):
            qs = qs.filter(archived_at__isnull=True)
        qs = qs.select_related(*kind.related).prefetch_related(*kind.prefetch)
        objects[slug] = {obj.pk: obj for obj in qs}
    items = []
    for h in hits:
        slug, pk = h.id.split(":", 1)
        obj = objects[slug].get(int(pk))
        if obj is not None:
            items.append(_item(KINDS[slug], obj, h))
    return items


def _item(kind: Kind, obj: Any, hit: Hit) -> Item:
    card: Card = kind.card(obj)
    terms = _terms(hit)
    tok = engine.tokenizer
    text_html = SafeString("")
    for text in card.texts:
        if not text:
            continue
        html, has_match = snippet(text, terms, tok)
        if has_match:
            text_html = html
            break
        if not text_html:
            text_html = html
    return Item(
        kind=kind.slug,
        kind_label=str(kind.label),
        pk=obj.pk,
        title_text=card.title,
        title=highlight(card.title, terms, tok),
        alt_title=highlight(card.alt_title, terms, tok),
        snippet=text_html,
        meta=card.meta,
        url=card.url,
        score=round(hit.score, 4),
        archived=card.archived,
    )
