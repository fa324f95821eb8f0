"""Global search for one user: one lexical search per kind (luodi.retrieval's indexes), the
user's visibility applied inside the index before ranking, then counted and shown through
the catalog's `*_visible_to(user)` querysets, which stay the authority.

Every document carries who may see it (catalog.rules' audience tokens), so an invisible
record can neither appear, be counted, nor displace one; the querysets re-check the counted
and shown hits, so a grant that expired since the document was indexed hides it at once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connections
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from luodi.accounts.rules import AnyUser
from luodi.catalog.rules import user_audience
from luodi.matching.backend import Backend
from luodi.matching.index import Hit
from luodi.matching.tokenize import ZH_STOPWORDS, Tokenizer
from luodi.retrieval.text import IS_CJK, RUN, squash
from luodi.search.highlight import highlight, snippet
from luodi.search.index import SearchIndex
from luodi.search.kinds import KINDS, Card, Kind
from luodi.search.query import expand

MAX_QUERY_LENGTH = 200
COUNT_CAP = 1000  # hits counted per query; more shows as "1000+"
MAX_LIMIT = 100
MERGE_POOL = 100  # hits per kind considered when kinds are merged
WINDOW_EXTRA = 20  # hits beyond the page read from the database, for those it may hide
# A word in more than this share of all records (and in more than COMMON_MIN of them) is no
# typo correction: "HEMO" is not a misspelled "demo" where most records say "demo".
COMMON_SHARE = 0.2
COMMON_MIN = 50


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
    demo: bool = False  # the record's `is_demo` flag (a badge, never a word it matches on)
    terms: set[str] = field(default_factory=set)  # index terms it matched


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


def index_filters(user: AnyUser, include_archived: bool = False) -> dict[str, Any]:
    """What the index must check before ranking: who may see the record, and (unless staff
    ask for them) that it is not archived."""
    filters: dict[str, Any] = {}
    audience = user_audience(user)
    if audience is not None:
        filters["audience"] = audience
    if not (include_archived and user.has_perm("search.include_archived")):
        filters["archived"] = False
    return filters


@dataclass
class _Found:
    """A hit of one kind: its score, and the query words found in each field."""

    kind: str
    pk: int
    score: float
    matched: dict[str, list[str]] = field(default_factory=dict)


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
    index = SearchIndex.current()
    if index is None:
        res.error = _("The search index is being built; try again in a minute.")
        return res
    limit = max(1, min(limit, MAX_LIMIT))
    filters = index_filters(user, include_archived)
    backends = {k.slug: index.backends.get(k.index) for k in KINDS.values()}

    def visible(word: str) -> bool:
        return any(
            b.search(word, k=1, mode="lexical", filters=filters)
            for b in backends.values()
            if b is not None
        )

    everything = sum(len(b) for b in backends.values() if b is not None)

    def common(word: str) -> bool:
        return index.spell.freq.get(word, 0) > max(COMMON_SHARE * everything, COMMON_MIN)

    expanded = expand(query, index.tokenizer, index.vocab, lambda: index.spell, visible, common)
    # The index also holds every Chinese character as a term, so that a word segmented
    # differently still meets its characters; a record that shares single characters with
    # the query but none of its words must hold all the characters of one of its runs.
    runs = [frozenset(r) for r in _cjk_runs(query) if len(r) > 1]
    runs += [frozenset(r) for r in expanded.unknown_runs if r]
    found: dict[str, list[Hit]] = {}
    for slug, backend in backends.items():
        if backend is None:
            continue
        hits = backend.search(expanded.text, k=COUNT_CAP, mode="lexical", filters=filters)
        if runs and hits:
            whole = _whole(backend.holders(expanded.text, [h.id for h in hits]), runs)
            hits = [h for h in hits if h.id in whole]
        found[slug] = hits
    res.counts = _verified_counts(user, found, include_archived)
    res.capped = any(len(hits) >= COUNT_CAP for hits in found.values())
    res.total = sum(res.counts.get(k, 0) for k in res.kinds)
    units = _units(query, expanded.unknown_runs, index.tokenizer)
    shown: list[_Found] = []
    for slug in res.kinds:
        # A pool deeper than the page: BM25 favours short records, so a long record that
        # holds every word of the query may rank below short ones that hold one.
        pool = found.get(slug, [])[: max(limit, MERGE_POOL)]
        top = [_Found(slug, int(h.id), h.score) for h in pool]
        backend = backends[slug]
        if top and backend is not None:
            _explain(backend, expanded.text, top)
        shown += top
    # Scores of different indexes are not comparable (each has its own statistics): the
    # kinds' hits are merged by how many of the query's words their title or name holds,
    # then their own text (not their organization's name), then all of it, then by score.
    held = _Held(index.tokenizer)
    shown.sort(
        key=lambda f: (
            -_coverage(f, units, held, TITLE_FIELDS),
            -_coverage(f, units, held, OWN_FIELDS),
            -_coverage(f, units, held),
            -f.score,
            f.kind,
            f.pk,
        )
    )
    res.items = _items(user, shown, include_archived, index.tokenizer, limit, query)
    matched = {t for item in res.items for t in item.terms}
    res.similar = sorted(
        {
            w
            for fixes in expanded.corrections.values()
            for w in fixes
            if index.tokenizer.tokenize(w) and index.tokenizer.tokenize(w)[0] in matched
        }
    )
    return res


def _explain(backend: Backend, text: str, hits: list[_Found]) -> None:
    """The query words each hit holds, per field (one lookup per term for all hits)."""
    matched = backend.matched_terms(text, [str(f.pk) for f in hits])
    for f in hits:
        f.matched = matched.get(str(f.pk), {})


def _surfaces(found: _Found, fields: Callable[[str], bool] | None = None) -> set[str]:
    return {
        s
        for name, surfaces in found.matched.items()
        if fields is None or fields(name)
        for s in surfaces
    }


def TITLE_FIELDS(name: str) -> bool:
    return name in {"title", "name", "aliases"}


def OWN_FIELDS(name: str) -> bool:
    return name != "org"


def _cjk_runs(query: str) -> list[str]:
    return [
        "".join(c for c in m.group() if c not in ZH_STOPWORDS)
        for m in RUN.finditer(query)
        if IS_CJK.match(m.group())
    ]


def _whole(holders: dict[str, set[str]], runs: list[frozenset[str]]) -> set[str]:
    """The hits kept: those that hold a real word of the query, or every character of one
    of its unknown runs. A record that shares one character with an unknown name is not a
    match for it."""
    kept: set[str] = set()
    for word, ids in holders.items():
        if len(word) > 1 or word.isascii():
            kept |= ids
    for run in runs:
        having = [holders.get(ch, set()) for ch in run]
        kept |= set.intersection(*having) if having else set()
    return kept


def _units(query: str, runs: list[str], tok: Tokenizer) -> list[frozenset[str]]:
    """The query's words (each as the index terms that stand for it), unknown runs as one
    unit of their characters."""
    words = [frozenset(tok.tokenize(w)) for w in _query_words(query, tok)]
    return [w for w in words if w] + [frozenset(run) for run in runs if run]


def _query_words(query: str, tok: Tokenizer) -> list[str]:
    out: list[str] = []
    for _term, surface in tok.analyze(query):
        if (len(surface) > 1 or surface.isascii()) and surface not in out:
            out.append(surface)
    return out


class _Held:
    """The index terms a set of matched surfaces stands for. Hundreds of hits share the
    same few query words, so each surface is tokenized once per search."""

    def __init__(self, tok: Tokenizer) -> None:
        self.tok = tok
        self.terms: dict[str, frozenset[str]] = {}

    def __call__(self, surfaces: set[str]) -> set[str]:
        out = set(surfaces)
        for s in surfaces:
            terms = self.terms.get(s)
            if terms is None:
                terms = self.terms[s] = frozenset(self.tok.tokenize(s))
            out |= terms
        return out


def _coverage(
    found: _Found,
    units: list[frozenset[str]],
    held: _Held,
    fields: Callable[[str], bool] | None = None,
) -> float:
    if not units:
        return 0.0
    terms = held(_surfaces(found, fields))
    return sum(1 for unit in units if unit <= terms) / len(units)


def _visible(user: AnyUser, kind: Kind, include_archived: bool) -> QuerySet[Any]:
    qs = kind.visible(user)
    if kind.archivable and not (include_archived and user.has_perm("search.include_archived")):
        qs = qs.filter(archived_at__isnull=True)
    return qs


def _among(pks: list[int], alias: str) -> RawSQL | list[int]:
    """`pks` as a subquery with one parameter. Django binds and checks each element of a
    plain `pk__in` list on its own: for up to a thousand hits per kind that was most of the
    count queries' time (the databases answer them in about a millisecond)."""
    vendor = connections[alias].vendor
    if vendor == "sqlite":
        return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(pks)])
    if vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [pks])
    return pks


def _verified_counts(
    user: AnyUser, found: dict[str, list[Hit]], include_archived: bool
) -> dict[str, int]:
    """Hits per kind that the querysets confirm (one count query per kind with hits)."""
    counts: dict[str, int] = {}
    for slug, hits in found.items():
        if hits:
            qs = _visible(user, KINDS[slug], include_archived)
            n = qs.filter(pk__in=_among([int(h.id) for h in hits], qs.db)).count()
            if n:
                counts[slug] = n
    return counts


def _items(
    user: AnyUser,
    shown: list[_Found],
    include_archived: bool,
    tok: Tokenizer,
    limit: int,
    query: str = "",
) -> list[Item]:
    """Display items of the first hits in the merged order, re-read through the visibility
    querysets; among them, a record whose name holds the query comes first.

    The window (the page and the hits it may hide) is checked with its names only; rows,
    cards and snippets are made for the page alone: reading and carding the whole window
    was a tenth of a search at 100k achievements."""
    window = shown[: limit + WINDOW_EXTRA]
    pks: dict[str, list[int]] = {}
    for f in window:
        pks.setdefault(f.kind, []).append(f.pk)
    names: dict[str, dict[int, str]] = {}
    models: dict[str, Any] = {}
    for slug, ids in pks.items():
        kind = KINDS[slug]
        rows = _visible(user, kind, include_archived).filter(pk__in=ids)
        models[slug] = rows.model
        names[slug] = {
            pk: " ".join(n for n in held if n).lower()
            for pk, *held in rows.values_list("pk", *kind.names)
        }
    kept = [f for f in window if f.pk in names.get(f.kind, {})]
    wanted = query.lower()
    kept.sort(key=lambda f: wanted not in names[f.kind][f.pk])
    page = kept[:limit]
    objects: dict[str, dict[int, Any]] = {}
    for slug in dict.fromkeys(f.kind for f in page):
        kind = KINDS[slug]
        ids = [f.pk for f in page if f.kind == slug]
        # Already checked visible above; read by key, like a detail page after its check.
        qs = models[slug]._default_manager.filter(pk__in=ids)
        qs = qs.select_related(*kind.related).prefetch_related(*kind.prefetch)
        objects[slug] = {obj.pk: obj for obj in qs}
    # Cards, snippets and highlights only for what the page shows.
    items: list[Item] = []
    for f in page:
        obj = objects[f.kind].get(f.pk)
        if obj is not None:
            kind = KINDS[f.kind]
            items.append(_item(kind, obj, kind.card(obj), f, tok))
    return items


def _terms(found: _Found, tok: Tokenizer | None) -> set[str]:
    """Index terms the hit matched (explanation surfaces run through the tokenizer)."""
    if tok is None:
        return set()
    return {t for surfaces in found.matched.values() for s in surfaces for t in tok.tokenize(s)}


def _item(kind: Kind, obj: Any, card: Card, found: _Found, tok: Tokenizer | None) -> Item:
    terms = _terms(found, tok)
    text_html = SafeString("")
    if tok is not None:
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
        title=highlight(card.title, terms, tok) if tok else SafeString(card.title),
        alt_title=highlight(card.alt_title, terms, tok) if tok else SafeString(card.alt_title),
        snippet=text_html,
        meta=card.meta,
        url=card.url,
        score=round(found.score, 4),
        archived=card.archived,
        demo=bool(getattr(obj, "is_demo", False)),
        terms=terms,
    )
