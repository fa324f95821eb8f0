"""Helpers shared by the demo loaders: term lookup, idempotent upserts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import models

from luodi.catalog.models import Organization, Term

M = TypeVar("M", bound=models.Model)


def _is_icd10(ref: str) -> bool:
    """An ICD-10 chapter ("II") or block ("C00-C97") code rather than a MeSH heading."""
    return ref.isupper() and (ref.isalpha() or "-" in ref) and " " not in ref


def _raw(value: Any) -> Any:
    """A model instance stands for its primary key (how foreign keys are compared)."""
    return value.pk if isinstance(value, models.Model) else value


class Loader:
    """Counts what a load created, and resolves taxonomy terms by code or label."""

    def __init__(self) -> None:
        self.created: Counter[str] = Counter()
        self._terms: dict[tuple[str, str], Term] = {}
        self._labels: dict[str, Term] = {}
        terms = {t.pk: t for t in Term.objects.all()}
        for term in terms.values():
            self._terms[(term.scheme, term.code)] = term
            if term.scheme == Term.Scheme.THERAPEUTIC_AREA and term.source == "mesh":
                self._labels[term.label_en] = term
        self._concepts = terms
        self.orgs: dict[str, Organization] = {}
        self._indexes: dict[tuple[type[models.Model], tuple[str, ...]], dict[Any, Any]] = {}
        self._new: set[tuple[type[models.Model], Any]] = set()
        self._pending: dict[type[models.Model], list[models.Model]] = {}
        self._links: dict[type[models.Model], dict[Any, set[Any]]] = {}
        self.protected: set[Any] = set()  # real organizations entered by people, left as they are

    # -- terms
    def term(self, scheme: str, code: str) -> Term:
        return self._terms[(scheme, code)]

    def tech(self, codes: Iterable[str]) -> list[Term]:
        return [self.term(Term.Scheme.TECHNOLOGY, c) for c in codes]

    def specialties(self, codes: Iterable[str]) -> list[Term]:
        return [self.term(Term.Scheme.SPECIALTY, c) for c in codes]

    def areas(self, refs: Iterable[str]) -> list[Term]:
        """Therapeutic areas by MeSH heading ("Stroke") or by ICD-10 code ("C15-C26", read as
        the area it is counted under), each once."""
        out: list[Term] = []
        for ref in refs:
            term = self._terms.get((Term.Scheme.THERAPEUTIC_AREA, ref)) or self._labels.get(ref)
            if term is None and _is_icd10(ref):
                # An ICD-10 code is a cross-reference: the record gets the area it names.
                code = self._terms.get((Term.Scheme.ICD10, ref))
                term = self._concepts.get(code.same_as_id) if code and code.same_as_id else None
                if code is not None and term is None:
                    continue  # no area for it (MeSH not seeded, or a code naming none)
            if term is None and not self._labels and not _is_icd10(ref):
                continue  # MeSH was not seeded (its package is optional)
            if term is None:
                raise KeyError(f"unknown therapeutic area {ref!r}")
            if term not in out:
                out.append(term)
        return out

    # -- rows
    def _index(self, model: type[M], names: tuple[str, ...]) -> dict[tuple[Any, ...], M]:
        """Existing rows of a model by the values of the natural-key fields (loaded once)."""
        key = (model, names)
        if key not in self._indexes:
            attnames = [model._meta.get_field(n).attname for n in names]  # type: ignore[union-attr]
            rows = model._default_manager.all()
            self._indexes[key] = {tuple(getattr(obj, a) for a in attnames): obj for obj in rows}
        return self._indexes[key]

    def upsert(self, model: type[M], lookup: dict[str, Any], defaults: dict[str, Any]) -> M:
        """Like `update_or_create`, but one query per new or changed row and none otherwise."""
        names = tuple(sorted(lookup))
        index = self._index(model, names)
        key = tuple(_raw(lookup[n]) for n in names)
        obj = index.get(key)
        if _raw(lookup.get("organization")) in self.protected:
            # The profile of a real organization is not the demo's to write: an unsaved
            # stand-in is returned when it has none.
            return obj if obj is not None else model(**lookup, **defaults)
        if obj is None:
            obj = model(**lookup, **defaults)
            obj.save()
            index[key] = obj
            self.created[model.__name__] += 1
            self._new.add((model, obj.pk))
            return obj
        changed = []
        for name, value in defaults.items():
            attname = model._meta.get_field(name).attname  # type: ignore[union-attr]
            if getattr(obj, attname) != _raw(value):
                setattr(obj, attname, _raw(value))
                changed.append(attname)
        if changed:
            obj.save()
        return obj

    def m2m(self, obj: models.Model, field: str, items: Iterable[models.Model]) -> None:
        """Set a many-to-many field; rows of new objects are inserted in bulk by `flush`."""
        if obj.pk in self.protected and isinstance(obj, Organization):
            return
        if getattr(obj, "organization_id", None) in self.protected and (
            (type(obj), obj.pk) not in self._new
        ):
            return
        manager = getattr(obj, field)
        unique = list({item.pk: item for item in items}.values())
        through = manager.through
        src, tgt = manager.source_field_name, manager.target_field_name
        if (type(obj), obj.pk) not in self._new:
            if through not in self._links:  # existing links, read once per table
                links: dict[Any, set[Any]] = {}
                pairs = through._default_manager.values_list(f"{src}_id", f"{tgt}_id")
                for a, b in pairs:
                    links.setdefault(a, set()).add(b)
                self._links[through] = links
            if self._links[through].get(obj.pk, set()) != {item.pk for item in unique}:
                manager.set(unique)
            return
        rows = self._pending.setdefault(through, [])
        rows += [through(**{f"{src}_id": obj.pk, f"{tgt}_id": item.pk}) for item in unique]

    def flush(self) -> None:
        for through, rows in self._pending.items():
            through._default_manager.bulk_create(rows, batch_size=500)
        self._pending.clear()

    def org(self, name_zh: str, name_en: str, kind: str, **fields: Any) -> Organization:
        """An organization by its Chinese name (or English name when it has none).

        A real organization someone already entered (not demo data) is used as it is: the demo
        neither overwrites its fields nor marks it as demo data.
        """
        lookup = {"name_zh": name_zh} if name_zh else {"name_zh": "", "name_en": name_en}
        index = self._index(Organization, tuple(sorted(lookup)))
        existing = index.get(tuple(lookup[n] for n in sorted(lookup)))
        if existing is not None and not existing.is_demo:
            self.orgs[name_zh or name_en] = existing
            self.protected.add(existing.pk)
            return existing
        defaults = {"name_en": name_en, "kind": kind, "is_demo": True, **fields}
        org = self.upsert(Organization, lookup, defaults)
        self.orgs[name_zh or name_en] = org
        return org

    def get_org(self, name: str) -> Organization:
        if name not in self.orgs:
            self.orgs[name] = Organization.objects.get(
                models.Q(name_zh=name) | models.Q(name_en=name)
            )
        return self.orgs[name]
