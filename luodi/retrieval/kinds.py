"""The kinds of record that are indexed, and their documents: the ONLY place where ORM rows
become retrieval documents, for global search, suggestions and every matchmaking tab.

A document holds what a teaser may show (names, titles, summaries, fields, labels in both
languages) and never a dossier, an e-mail or a phone number, so no index, snippet or
explanation built from it can leak one. Its metadata carries the filters: `audience` (who
may see it, catalog.rules' tokens), `archived`, and per kind what matchmaking filters on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db.models import Model, Prefetch, QuerySet, TextChoices
from django.utils import translation

from luodi.catalog import rules
from luodi.catalog.choices import (
    AchievementKind,
    CarrierType,
    OrganizationKind,
    ReviewStatus,
    Stage,
)
from luodi.catalog.models import (
    Achievement,
    Carrier,
    ClinicalNeed,
    Organization,
    Person,
    Term,
    Trial,
)
from luodi.matching import Document
from luodi.retrieval.text import spelling_words

MAX_TEXT = 600  # characters of each long text field put into a document
# The name of a record's organization is indexed with it (search finds a hospital's
# achievements by the hospital's name), in its own field and lightly: as evidence that an
# achievement suits a park it is weak, and match explanations name it for what it is.
FIELD_WEIGHTS = {"org": 0.5}
BATCH = 2000  # rows read per query when building a whole kind


@cache
def label_both(choices: type[TextChoices], value: str) -> str:
    """A choice's label in Chinese and English (both are searchable whatever the UI
    language)."""
    if value not in choices.values:
        return value or ""
    label = choices(value).label
    with translation.override("zh-hans"):
        zh = str(label)
    with translation.override("en"):
        en = str(label)
    return zh if zh == en else f"{zh} {en}"


def join(*parts: object) -> str:
    return " ".join(str(p) for p in parts if p)


def cut(text: str, n: int = MAX_TEXT) -> str:
    return (text or "").strip()[:n]


def terms_text(terms: Iterable[Term]) -> str:
    return join(*(join(t.label_zh, t.label_en) for t in terms))


def org_names(org: Organization | None) -> str:
    return join(org.name_zh, org.name_en) if org is not None else ""


@dataclass(frozen=True)
class Kind:
    name: str  # the index's name: "achievement", "organization", …
    model: type[Model]
    rows: Callable[[], QuerySet[Any]]  # every record, with what `document` reads
    document: Callable[[Any, dict[int, list[str]]], Document | None]
    audiences: Callable[[list[Any]], dict[int, list[str]]]
    org_fk: str | None = None  # the record indexes this organization's names

    def documents(self, rows: Iterable[Any]) -> Iterator[Document]:
        batch = list(rows)
        audiences = self.audiences(batch)
        for obj in batch:
            doc = self.document(obj, audiences)
            if doc is not None:
                yield doc

    def all_documents(self) -> Iterator[Document]:
        """Every record of the kind, read in batches (a build of 100k records never holds
        them all as ORM objects)."""
        last = 0
        while True:
            batch = list(self.rows().filter(pk__gt=last).order_by("pk")[:BATCH])
            if not batch:
                return
            yield from self.documents(batch)
            last = batch[-1].pk

    def documents_for(self, pks: Iterable[int]) -> tuple[list[Document], list[str]]:
        """Current documents of `pks`, and the ids of those gone (deleted or not indexed)."""
        wanted = sorted(set(pks))
        docs = list(self.documents(self.rows().filter(pk__in=wanted)))
        present = {d.id for d in docs}
        return docs, [str(pk) for pk in wanted if str(pk) not in present]


def _meta(obj: Any, audience: list[str], **extra: Any) -> dict[str, Any]:
    """Filters every kind has: who may see it, archived, published (the catalog's review
    state; registry records such as trials have none and count as published)."""
    archived = getattr(obj, "archived_at", None) is not None
    published = getattr(obj, "status", ReviewStatus.PUBLISHED) == ReviewStatus.PUBLISHED
    return {"audience": audience, "archived": archived, "published": published, **extra}


# The metadata fields each kind's documents carry, as a backend declares them (Milvus needs
# typed columns to filter inside a search).
FILTERABLE: dict[str, dict[str, Any]] = {
    "organization": {"org_kind": str},
    "achievement": {"kind": str, "stage": str, "disclosure": str, "owner": int},
    "need": {"specialty": str, "organization": int},
    "person": {"organization": int},
    "carrier": {"park": int, "carrier_type": str},
    "trial": {},
}
COMMON_FILTERABLE: dict[str, Any] = {"audience": list[str], "archived": bool, "published": bool}


def _doc(pk: int, fields: dict[str, str], meta: dict[str, Any]) -> Document:
    kept = {name: text for name, text in fields.items() if text and text.strip()}
    return Document(id=str(pk), fields=kept, metadata=meta)


def spelling_of(doc: Document) -> frozenset[str]:
    """Latin words as written in a document, for typo correction (the index holds stems)."""
    return spelling_words(" ".join(doc.fields.values()))


def _by_pk(rows: list[Any], audience: Callable[[Any], list[str]]) -> dict[int, list[str]]:
    return {obj.pk: audience(obj) for obj in rows}


# -- organizations -------------------------------------------------------------------------


def _org_rows() -> QuerySet[Organization]:
    return Organization.objects.select_related(
        "park", "clinical_center", "company"
    ).prefetch_related(
        "focus_areas",
        "park__industry_focus",
        "clinical_center__specialties",
        "company__sectors",
        Prefetch("carriers", queryset=Carrier.objects.filter(archived_at__isnull=True)),
    )


def _org_document(o: Organization, audiences: dict[int, list[str]]) -> Document | None:
    if o.merged_into_id is not None:  # merged away: nobody sees it any more
        return None
    keywords = [terms_text(o.focus_areas.all()), label_both(OrganizationKind, o.kind)]
    body = [o.district, o.city]
    company = getattr(o, "company", None)
    if company is not None:
        keywords.append(terms_text(company.sectors.all()))
        body.append(company.products)
    park = getattr(o, "park", None)
    if park is not None:
        keywords.append(terms_text(park.industry_focus.all()))
        keywords.append(join(*(label_both(CarrierType, c.carrier_type) for c in o.carriers.all())))
        body.append(join(park.policy_text_zh, park.policy_text_en))
    center = getattr(o, "clinical_center", None)
    if center is not None:
        keywords.append(terms_text(center.specialties.all()))
    return _doc(
        o.pk,
        {
            "name": join(o.name_zh, o.name_en),
            "aliases": join(*(str(a) for a in o.aliases or [])),
            "summary": cut(join(o.description_zh, o.description_en)),
            "keywords": join(*keywords),
            "body": cut(join(*body)),
        },
        _meta(o, audiences[o.pk], org_kind=o.kind),
    )


# -- achievements (the dossier is never indexed) -------------------------------------------


def _achievement_rows() -> QuerySet[Achievement]:
    return Achievement.objects.select_related("owner").prefetch_related(
        "therapeutic_areas", "technology_fields"
    )


def _achievement_document(a: Achievement, audiences: dict[int, list[str]]) -> Document:
    return _doc(
        a.pk,
        {
            "title": join(a.title_zh, a.title_en),
            "summary": cut(join(a.summary_zh, a.summary_en)),
            "keywords": join(
                terms_text(a.therapeutic_areas.all()),
                terms_text(a.technology_fields.all()),
                label_both(AchievementKind, a.kind),
                label_both(Stage, a.stage),
            ),
            "org": org_names(a.owner),
        },
        _meta(
            a,
            audiences[a.pk],
            kind=a.kind,
            stage=a.stage,
            disclosure=a.disclosure,
            owner=a.owner_id or 0,
        ),
    )


# -- clinical needs ------------------------------------------------------------------------


def _need_rows() -> QuerySet[ClinicalNeed]:
    return ClinicalNeed.objects.select_related("organization", "specialty")


def _need_document(n: ClinicalNeed, audiences: dict[int, list[str]]) -> Document:
    return _doc(
        n.pk,
        {
            "title": join(n.title_zh, n.title_en),
            "summary": cut(join(n.problem, n.desired_solution)),
            "keywords": terms_text([n.specialty]) if n.specialty else "",
            "body": cut(join(n.current_practice, n.constraints)),
            "org": org_names(n.organization),
        },
        _meta(
            n,
            audiences[n.pk],
            specialty=n.specialty.code if n.specialty else "",
            organization=n.organization_id or 0,
        ),
    )


# -- people (never e-mail or phone) --------------------------------------------------------


def _person_document(p: Person, audiences: dict[int, list[str]]) -> Document:
    return _doc(
        p.pk,
        {
            "title": join(p.name_zh, p.name_en),
            "keywords": p.title,
            "summary": p.expertise,
            "org": org_names(p.organization),
        },
        _meta(p, audiences[p.pk], organization=p.organization_id or 0),
    )


# -- carriers ------------------------------------------------------------------------------


def _carrier_document(c: Carrier, audiences: dict[int, list[str]]) -> Document:
    return _doc(
        c.pk,
        {
            "title": c.name,
            "summary": c.description,
            "keywords": join(
                label_both(CarrierType, c.carrier_type), *(str(x) for x in c.certifications or [])
            ),
            "org": org_names(c.park),
        },
        _meta(c, audiences[c.pk], park=c.park_id, carrier_type=c.carrier_type),
    )


# -- trials (public registry records) ------------------------------------------------------


def _trial_document(t: Trial, audiences: dict[int, list[str]]) -> Document:
    return _doc(
        t.pk,
        {
            "title": t.title,
            "summary": t.conditions,
            "keywords": join(t.registry_id, t.phase),
            "body": join(t.interventions, t.summary),
            "org": org_names(t.sponsor),
        },
        _meta(t, audiences[t.pk]),
    )


KINDS: dict[str, Kind] = {
    k.name: k
    for k in [
        Kind(
            "organization",
            Organization,
            _org_rows,
            _org_document,
            lambda rows: _by_pk(rows, rules.organization_audience),
        ),
        Kind(
            "achievement",
            Achievement,
            _achievement_rows,
            _achievement_document,
            rules.achievement_audiences,
            org_fk="owner_id",
        ),
        Kind(
            "need",
            ClinicalNeed,
            _need_rows,
            _need_document,
            lambda rows: _by_pk(rows, rules.owned_audience),
            org_fk="organization_id",
        ),
        Kind(
            "person",
            Person,
            lambda: Person.objects.select_related("organization"),
            _person_document,
            lambda rows: _by_pk(rows, rules.owned_audience),
            org_fk="organization_id",
        ),
        Kind(
            "carrier",
            Carrier,
            lambda: Carrier.objects.select_related("park"),
            _carrier_document,
            lambda rows: _by_pk(rows, lambda c: rules.carrier_audience(c.park)),
            org_fk="park_id",
        ),
        Kind(
            "trial",
            Trial,
            lambda: Trial.objects.select_related("sponsor"),
            _trial_document,
            lambda rows: {t.pk: [rules.EVERYONE] for t in rows},
            org_fk="sponsor_id",
        ),
    ]
}
KIND_OF_MODEL: dict[type[Model], str] = {k.model: k.name for k in KINDS.values()}


def taxonomy_words() -> list[str]:
    """The jieba user dictionary: Chinese taxonomy labels of two or more characters, so a
    label like 经导管瓣膜 is one term in documents and queries alike."""
    from luodi.retrieval.text import cjk_words

    words = {
        w
        for label in Term.objects.exclude(label_zh="").values_list("label_zh", flat=True)
        for w in cjk_words(label)
    }
    return sorted(words)
