"""The process-wide search index, kept in memory and brought up to date lazily.

Every search first calls `ensure_current()`, which compares a cheap version per model
(row count, newest `updated_at`, highest pk) with the one last indexed and re-reads only
what changed: rows updated since the last high-water mark, rows not yet indexed, rows gone,
and records that index a renamed organization's names. Models without `updated_at`
(carriers) add a content-length sum to their version. Saves in this process are also seen
at once through signals (m2m links included); everything is re-read every
`SEARCH_RECONCILE_SECONDS` (default 300) as a safety net, and the whole index is rebuilt when
the taxonomy's Chinese labels (the jieba user dictionary) change.

The index holds text only. Who may see a record (status, disclosure, membership, archive)
is decided per query from the `*_visible_to` querysets, so it is never stale.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Model, Q, Sum
from django.db.models.functions import Length
from django.db.models.signals import m2m_changed, post_delete, post_save

from luodi.catalog.models import Achievement, Organization, Term
from luodi.matching.fields import Document
from luodi.matching.index import MatchingIndex
from luodi.matching.tokenize import ZH_STOPWORDS, Tokenizer
from luodi.search.kinds import KINDS, Kind
from luodi.search.spelling import SpellIndex
from luodi.search.text import IS_CJK, RUN, cjk_chars, cjk_words, spelling_words

FULL_READ_ABOVE = 500  # more changed ids than this: re-read the whole model instead


# Works around luodi.matching.tokenize: every CJK run, even a single character, goes through
# jieba (about 40 µs a call); the `chars` field is nothing but single characters.
class SearchTokenizer(Tokenizer):
    """The matching tokenizer, with lone CJK characters passed through without jieba."""

    def analyze(self, text: str) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        pending: list[str] = []
        for m in RUN.finditer(text):
            run = m.group()
            if len(run) == 1 and IS_CJK.match(run):
                if pending:
                    out += super().analyze(" ".join(pending))
                    pending = []
                if run not in ZH_STOPWORDS:
                    out.append((run, run))
            else:
                pending.append(run)
        if pending:
            out += super().analyze(" ".join(pending))
        return out


def _reconcile_seconds() -> float:
    return float(getattr(settings, "SEARCH_RECONCILE_SECONDS", 300))


class SearchEngine:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.tokenizer = SearchTokenizer()
        self._dict_words: set[str] = set()
        self.reset()

    def reset(self) -> None:
        """Forget everything (the tokenizer and its dictionary are kept)."""
        with self.lock:
            self.index = MatchingIndex(tokenizer=self.tokenizer)
            self.spell = SpellIndex()
            self.doc_words: dict[str, frozenset[str]] = {}
            self.indexed: dict[str, set[int]] = {slug: set() for slug in KINDS}
            self.versions: dict[str, tuple[Any, ...]] = {}
            self.high_water: dict[str, datetime] = {}
            self.term_version: tuple[Any, ...] | None = None
            self.term_words: frozenset[str] | None = None
            self.last_reconcile = 0.0
            self.dirty: dict[str, set[int]] = {}
            self.terms_dirty = False

    @property
    def vocab(self) -> dict[str, int]:
        return self.index.lexical.vocab

    # -- change notifications (this process) -------------------------------------------
    def mark_dirty(self, slug: str, pk: int) -> None:
        with self.lock:
            self.dirty.setdefault(slug, set()).add(pk)

    def mark_terms_dirty(self) -> None:
        with self.lock:
            self.terms_dirty = True

    # -- versions ------------------------------------------------------------------------
    def _version(self, kind: Kind) -> tuple[Any, ...]:
        qs = kind.model._default_manager.all()
        if kind.has_updated_at:
            v = qs.aggregate(n=Count("pk"), top=Max("pk"), last=Max("updated_at"))
            return (v["n"], v["top"], v["last"])
        v = qs.aggregate(
            n=Count("pk"),
            top=Max("pk"),
            size=Sum(Length("name") + Length("description")),
        )
        return (v["n"], v["top"], v["size"])

    @staticmethod
    def _term_version() -> tuple[Any, ...]:
        v = Term.objects.aggregate(n=Count("pk"), top=Max("pk"))
        return (v["n"], v["top"])

    # -- synchronisation -------------------------------------------------------------------
    def ensure_current(self) -> None:
        with self.lock:
            now = time.monotonic()
            term_version = self._term_version()
            if (
                self.term_words is None
                or self.terms_dirty
                or term_version != self.term_version
                or now - self.last_reconcile > _reconcile_seconds()
            ):
                self._reconcile(term_version)
                return
            changed_orgs: set[int] = set()
            for kind in KINDS.values():
                version = self._version(kind)
                dirty = self.dirty.pop(kind.slug, set())
                changed: set[int] = set()
                if version != self.versions.get(kind.slug):
                    changed = self._catch_up(kind) if kind.has_updated_at else self._read_all(kind)
                    self.versions[kind.slug] = version
                if dirty - changed:
                    changed |= self._refresh(kind, Q(pk__in=dirty - changed), dirty - changed)
                if kind.model is Organization:
                    changed_orgs = changed
                elif kind.org_fk and changed_orgs:
                    if len(changed_orgs) > FULL_READ_ABOVE:
                        self._read_all(kind)
                    else:
                        self._refresh(kind, Q(**{f"{kind.org_fk}__in": changed_orgs}), set())

    def _reconcile(self, term_version: tuple[Any, ...]) -> None:
        """Re-read every model; rebuild from scratch when the jieba dictionary changed."""
        words = frozenset(
            w
            for label in Term.objects.exclude(label_zh="").values_list("label_zh", flat=True)
            for w in cjk_words(label)
        )
        if words != self.term_words:
            self.tokenizer.add_words(sorted(words - self._dict_words))
            self._dict_words |= words
            dirty = self.dirty
            self.reset()
            self.dirty = dirty
        self.terms_dirty = False
        self.term_words = words
        self.term_version = term_version
        for kind in KINDS.values():
            self.versions[kind.slug] = self._version(kind)
            self._read_all(kind)
            self.dirty.pop(kind.slug, None)
        self.index.compact()
        self.last_reconcile = time.monotonic()

    def _read_all(self, kind: Kind) -> set[int]:
        rows = list(kind.rows())
        present = {obj.pk for obj in rows}
        self._remove(kind, self.indexed[kind.slug] - present)
        self._upsert(kind, rows)
        return present

    def _catch_up(self, kind: Kind) -> set[int]:
        pks = set(kind.model._default_manager.values_list("pk", flat=True))
        self._remove(kind, self.indexed[kind.slug] - pks)
        new = pks - self.indexed[kind.slug]
        since = self.high_water.get(kind.slug)
        if since is None or len(new) > FULL_READ_ABOVE:
            return self._read_all(kind)
        rows = list(kind.rows().filter(Q(updated_at__gte=since) | Q(pk__in=new)))
        self._upsert(kind, rows)
        return {obj.pk for obj in rows}

    def _refresh(self, kind: Kind, where: Q, expected: set[int]) -> set[int]:
        """Re-read the rows matching `where`; ids in `expected` that are gone are removed."""
        rows = list(kind.rows().filter(where))
        found = {obj.pk for obj in rows}
        self._remove(kind, expected - found)
        self._upsert(kind, rows)
        return found | expected

    def _upsert(self, kind: Kind, rows: Iterable[Model]) -> None:
        docs: list[Document] = []
        for obj in rows:
            fields = {name: text for name, text in kind.fields(obj).items() if text}
            everything = " ".join(fields.values())
            chars = cjk_chars(everything)
            if chars:
                fields["chars"] = chars
            doc_id = kind.doc_id(obj.pk)
            docs.append(Document(doc_id, fields))
            words = spelling_words(everything)
            old = self.doc_words.get(doc_id)
            if old != words:
                if old:
                    self.spell.discard(old)
                self.spell.add(words)
                self.doc_words[doc_id] = words
            self.indexed[kind.slug].add(obj.pk)
            updated = getattr(obj, "updated_at", None)
            if updated is not None and (
                kind.slug not in self.high_water or updated > self.high_water[kind.slug]
            ):
                self.high_water[kind.slug] = updated
        if docs:
            self.index.upsert(docs)

    def _remove(self, kind: Kind, pks: set[int]) -> None:
        if not pks:
            return
        ids = [kind.doc_id(pk) for pk in pks]
        self.index.remove(ids)
        for doc_id in ids:
            self.spell.discard(self.doc_words.pop(doc_id, frozenset()))
        self.indexed[kind.slug] -= pks


engine = SearchEngine()


# -- signals -------------------------------------------------------------------------------
_SLUG_OF: dict[type[Model], str] = {k.model: k.slug for k in KINDS.values()}


def _on_change(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    slug = _SLUG_OF.get(sender)
    if slug is not None and instance.pk is not None:
        engine.mark_dirty(slug, instance.pk)


def _on_term_change(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    engine.mark_terms_dirty()


def _links_of() -> dict[type[Model], str]:
    return {
        Achievement.therapeutic_areas.through: "achievements",
        Achievement.technology_fields.through: "achievements",
        Organization.focus_areas.through: "organizations",
    }


def _on_links(
    sender: type[Model],
    instance: Model,
    action: str,
    reverse: bool,
    pk_set: set[int] | None,
    **kwargs: Any,
) -> None:
    slug = _links_of().get(sender)
    if slug is None or not action.startswith("post_"):
        return
    if not reverse:  # achievement.therapeutic_areas.set(...)
        engine.mark_dirty(slug, instance.pk)
    else:  # term.achievements_by_area.add(...): pk_set holds the records' ids
        for pk in pk_set or ():
            engine.mark_dirty(slug, pk)


_connected = False


def connect_signals() -> None:
    global _connected
    if _connected:
        return
    _connected = True
    for model in _SLUG_OF:
        post_save.connect(_on_change, sender=model, dispatch_uid=f"search-save-{model.__name__}")
        post_delete.connect(
            _on_change, sender=model, dispatch_uid=f"search-delete-{model.__name__}"
        )
    post_save.connect(_on_term_change, sender=Term, dispatch_uid="search-term-save")
    post_delete.connect(_on_term_change, sender=Term, dispatch_uid="search-term-delete")
    for through in _links_of():
        m2m_changed.connect(
            _on_links, sender=through, dispatch_uid=f"search-m2m-{through.__name__}"
        )


connect_signals()
