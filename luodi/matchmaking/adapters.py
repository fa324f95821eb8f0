"""ORM rows as the plain profiles that `scoring.py` reads (the index documents are
luodi.retrieval.kinds'), and the query text each source is matched with.

Disclosure: profiles carry what a teaser shows (title, summary, fields, stage, carrier
needs) and never `dossier_*`; what else they carry is read through the one disclosure policy
(`luodi.catalog.disclosure`), so no explanation or report built from them can show a field
withheld from its viewer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Max, Prefetch, QuerySet, TextChoices
from django.utils import translation

from luodi.accounts.rules import AnyUser
from luodi.catalog import disclosure
from luodi.catalog.choices import AchievementKind, CarrierType, OrganizationKind, Stage, maturity
from luodi.catalog.models import Achievement, Carrier, ClinicalNeed, Organization, Term

# Organization kinds on each tab of the organization index.
COMPANY_KINDS = (OrganizationKind.COMPANY, OrganizationKind.CRO)
TEAM_KINDS = (OrganizationKind.INSTITUTE, OrganizationKind.HOSPITAL)
MAX_TEXT = 600  # characters of each long text field put into a document or a query


def _cut(text: str, n: int = MAX_TEXT) -> str:
    return (text or "").strip()[:n]


def _query(text: str, n: int = 700) -> str:
    """Query text: the record's own words, cut to `n` characters."""
    return _cut(text, n)


def _both(zh: str, en: str) -> str:
    return " ".join(p for p in (zh, en) if p)


def _label_both(choices: type[TextChoices], value: str) -> str:
    """A choice's label in Chinese and English, whatever language is active."""
    if value not in choices.values:
        return value
    label = choices(value).label
    with translation.override("zh-hans"):
        zh = str(label)
    with translation.override("en"):
        en = str(label)
    return _both(zh, en) if zh != en else zh


class Terms:
    """Term codes with their ancestors ("D006333" also counts as "D002318"), and labels."""

    _cache: tuple[tuple[int, int | None], Terms] | None = None

    @classmethod
    def cached(cls) -> Terms:
        """One shared copy per process, reloaded when terms are added or removed."""
        agg = Term.objects.aggregate(n=Count("id"), m=Max("id"))
        stamp = (int(agg["n"] or 0), agg["m"])
        if cls._cache is None or cls._cache[0] != stamp:
            cls._cache = (stamp, cls())
        return cls._cache[1]

    def __init__(self) -> None:
        rows = list(
            Term.objects.values_list("id", "code", "parent_id", "label_zh", "label_en", "scheme")
        )
        self.code = {r[0]: r[1] for r in rows}
        self.scheme = {r[0]: r[5] for r in rows}
        self.parent = {r[0]: r[2] for r in rows}
        self.labels = {r[0]: (r[3], r[4]) for r in rows}

    def closure(self, term_ids: Iterable[int], scheme: str | None = None) -> set[str]:
        out: set[str] = set()
        for tid in term_ids:
            if scheme is not None and self.scheme.get(tid) != scheme:
                continue
            seen = 0
            cur: int | None = tid
            while cur is not None and seen < 8:
                out.add(self.code.get(cur, ""))
                cur = self.parent.get(cur)
                seen += 1
        out.discard("")
        return out

    def text(self, term_ids: Iterable[int]) -> str:
        return " ".join(_both(*self.labels.get(t, ("", ""))) for t in term_ids)


@dataclass
class CarrierInfo:
    name: str
    carrier_type: str
    available_m2: int
    ready_date: date | None


@dataclass
class ItemProfile:
    """An achievement or a clinical need: the thing being matched."""

    pk: int
    kind: str  # "achievement" | "need"
    title: str
    summary: str
    item_kind: str = ""  # AchievementKind, or "" for needs
    stage: str = ""
    maturity: float = 0.0
    areas: set[str] = field(default_factory=set)
    tech: set[str] = field(default_factory=set)
    specialties: set[str] = field(default_factory=set)
    carrier_needs: list[str] = field(default_factory=list)
    space_m2: int | None = None
    amount_sought: int | None = None  # investment sought, 10k CNY
    transfer_modes: list[str] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)
    owner_id: int | None = None
    disclosure: str = "public"
    query: str = ""

    def features(self) -> dict[str, object]:
        """What feedback learning keeps of the item at decision time."""
        return {
            "kind": self.item_kind,
            "stage": self.stage,
            "maturity": self.maturity,
            "areas": sorted(self.areas),
            "tech": sorted(self.tech),
            "carrier_needs": self.carrier_needs,
            "transfer_modes": self.transfer_modes,
        }


@dataclass
class OrgProfile:
    pk: int
    kind: str
    name: str
    province: str = ""
    city: str = ""
    district: str = ""
    areas: set[str] = field(default_factory=set)
    tech: set[str] = field(default_factory=set)
    stage_focus: list[str] = field(default_factory=list)
    ticket_min: int | None = None
    ticket_max: int | None = None
    needs: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    carriers: list[CarrierInfo] = field(default_factory=list)
    specialties: set[str] = field(default_factory=set)
    phase1_unit: bool = False
    beds: int | None = None
    annual_trials: int | None = None
    trial_count: int = 0
    query: str = ""


# -- organizations ------------------------------------------------------------------------


def organizations_for_matching(qs: QuerySet[Organization]) -> QuerySet[Organization]:
    """`qs` with everything documents and profiles read, in a fixed number of queries."""
    return (
        qs.select_related("park", "clinical_center", "company")
        .prefetch_related(
            "focus_areas",
            "park__industry_focus",
            "clinical_center__specialties",
            "company__sectors",
            Prefetch("carriers", queryset=Carrier.objects.filter(archived_at__isnull=True)),
        )
        .annotate(n_trials=Count("trial_links", distinct=True))
    )


def _org_term_ids(org: Organization) -> list[int]:
    ids = [t.pk for t in org.focus_areas.all()]
    park = getattr(org, "park", None)
    if park is not None:
        ids += [t.pk for t in park.industry_focus.all()]
    company = getattr(org, "company", None)
    if company is not None:
        ids += [t.pk for t in company.sectors.all()]
    return ids


def org_profile(org: Organization, terms: Terms) -> OrgProfile:
    ids = _org_term_ids(org)
    p = OrgProfile(
        pk=org.pk,
        kind=org.kind,
        name=org.display_name,
        province=org.province,
        city=org.city,
        district=org.district,
        areas=terms.closure(ids, Term.Scheme.THERAPEUTIC_AREA),
        tech=terms.closure(ids, Term.Scheme.TECHNOLOGY),
        trial_count=int(getattr(org, "n_trials", 0) or 0),
    )
    company = getattr(org, "company", None)
    if company is not None:
        p.stage_focus = [str(s) for s in company.stage_focus or []]
        p.ticket_min, p.ticket_max = company.ticket_min_wan, company.ticket_max_wan
        p.needs = [str(n) for n in company.needs or []]
    park = getattr(org, "park", None)
    if park is not None:
        p.services = [str(s) for s in park.services or []]
        p.carriers = [
            CarrierInfo(c.name, c.carrier_type, c.area_available_m2, c.ready_date)
            for c in org.carriers.all()
        ]
    center = getattr(org, "clinical_center", None)
    if center is not None:
        p.specialties = {t.code for t in center.specialties.all()}
        p.phase1_unit = center.phase1_unit or "phase1" in p.specialties
        p.beds, p.annual_trials = center.beds, center.annual_trials
    p.query = _query(
        " ".join(
            [
                _both(org.name_zh, org.name_en),
                terms.text(ids),
                _both(org.description_zh, org.description_en),
            ]
        ),
        400,
    )
    return p


# -- achievements and needs --------------------------------------------------------------


def achievements_for_matching(qs: QuerySet[Achievement]) -> QuerySet[Achievement]:
    """Rows to profile; evaluate many through `with_term_ids` (one query per link table)."""
    return qs.select_related("owner")


TERM_LINKS = ("therapeutic_areas", "technology_fields")


def with_term_ids(rows: Iterable[Achievement], chunk: int = 500) -> list[Achievement]:
    """`rows` as a list, each holding the term ids of its areas and technologies, read from
    the link tables as (achievement, term) pairs. prefetch_related built a Term row and a
    related manager per link and per row: at 300 candidates that was a quarter of an
    organization-side match tab (issue #15); pairs cost one tuple each. Ordered as
    `a.therapeutic_areas.all()` is (the term's ordering), so profiles read the same."""
    out = list(rows)
    order = [f"term__{f}" for f in Term._meta.ordering or ("pk",)]
    for name in TERM_LINKS:
        through = Achievement._meta.get_field(name).remote_field.through  # type: ignore[union-attr]
        found: dict[int, list[int]] = {a.pk: [] for a in out}
        pks = list(found)
        for i in range(0, len(pks), chunk):
            pairs = (
                through.objects.filter(achievement_id__in=pks[i : i + chunk])
                .order_by(*order)
                .values_list("achievement_id", "term_id")
            )
            for achievement_id, term_id in pairs:
                found[achievement_id].append(term_id)
        for a in out:
            a.__dict__[f"_{name}_ids"] = found[a.pk]
    return out


def term_ids(a: Achievement, name: str) -> list[int]:
    """The ids `with_term_ids` attached, else one query (a single row, e.g. a source)."""
    known: list[int] | None = a.__dict__.get(f"_{name}_ids")
    if known is not None:
        return known
    return [t.pk for t in getattr(a, name).all()]


def needs_for_matching(qs: QuerySet[ClinicalNeed]) -> QuerySet[ClinicalNeed]:
    return qs.select_related("organization", "specialty")


def derived_carrier_needs(kind: str, stage: str) -> tuple[list[str], int]:
    """Space an achievement needs to land when the owner did not say: from its type and stage
    (e.g. a drug at phase II → GMP plant, or CDMO access; a device prototype → wet lab and
    cleanroom). Returns (carrier types, m²)."""
    s = Stage
    if kind == AchievementKind.DRUG:
        if stage in {s.DISCOVERY, s.PRECLINICAL}:
            return [CarrierType.WET_LAB], 500
        if stage in {s.IND_FILED, s.PHASE1}:
            return [CarrierType.WET_LAB, CarrierType.OFFICE], 600
        return [CarrierType.GMP], 3000
    if kind == AchievementKind.DEVICE:
        if stage == s.CONCEPT:
            return [CarrierType.INCUBATOR], 60
        if stage == s.PROTOTYPE:
            return [CarrierType.WET_LAB, CarrierType.CLEANROOM], 400
        return [CarrierType.CLEANROOM], 1500
    if kind == AchievementKind.SOFTWARE:
        return [CarrierType.OFFICE], 200
    if kind == AchievementKind.DIAGNOSTIC:
        return [CarrierType.WET_LAB], 500
    return [CarrierType.WET_LAB], 300


def achievement_profile(
    a: Achievement,
    terms: Terms,
    *,
    dossier: bool = False,
    withheld: frozenset[str] | None = None,
) -> ItemProfile:
    """The profile as a viewer may see it. `withheld` is what the disclosure policy withholds
    from them (`disclosure.withheld_fields(user, a)`, see `achievement_profile_for`);
    the whole dossier group is withheld unless `dossier=True` says the caller checked (the
    default fails closed: a caller that forgets shows less, never more). Withheld fields (the
    owner's carrier requirements, space, transfer modes, needs — `disclosure.DOSSIER_FIELDS`)
    are left out,
    so no reason, score or report can reveal them; the carrier needs a teaser's type and stage
    imply stand in, as they do when the owner gave none. Every field is read through the
    policy's names, so a field added to a withheld group is left out here too."""
    hidden = (withheld or frozenset()) | (frozenset() if dossier else disclosure.DOSSIER.names)

    def read(name: str) -> Any:
        return None if name in hidden else getattr(a, name)

    area_ids = term_ids(a, "therapeutic_areas")
    tech_ids = term_ids(a, "technology_fields")
    carrier_needs = [str(c) for c in read("carrier_needs") or []]
    space = read("space_needed_m2")
    if not carrier_needs:
        carrier_needs, derived_space = derived_carrier_needs(a.kind, a.stage)
        space = space or derived_space
    query = " ".join(
        [
            _both(read("title_zh") or "", read("title_en") or ""),
            _cut(_both(read("summary_zh") or "", read("summary_en") or ""), 400),
            terms.text(area_ids + tech_ids),
        ]
    )
    return ItemProfile(
        pk=a.pk,
        kind="achievement",
        title=read("title") or "",
        summary=read("summary") or "",
        item_kind=a.kind,
        stage=a.stage,
        maturity=maturity(a.stage),
        areas=terms.closure(area_ids),
        tech=terms.closure(tech_ids),
        carrier_needs=carrier_needs,
        space_m2=space,
        amount_sought=read("amount_sought_wan"),
        transfer_modes=[str(m) for m in read("transfer_modes") or []],
        needs=[str(n) for n in read("needs") or []],
        owner_id=a.owner_id,
        disclosure=a.disclosure,
        query=_query(query),
    )


def achievement_profile_for(user: AnyUser, a: Achievement, terms: Terms) -> ItemProfile:
    """`a`'s profile with what the disclosure policy withholds from `user` left out."""
    return achievement_profile(a, terms, dossier=True, withheld=disclosure.withheld_fields(user, a))


def need_profile(n: ClinicalNeed, terms: Terms) -> ItemProfile:
    spec = {n.specialty.code} if n.specialty else set()
    query = " ".join(
        [
            _both(n.title_zh, n.title_en),
            _cut(n.problem, 300),
            _cut(n.desired_solution, 200),
            terms.text([n.specialty_id]) if n.specialty_id else "",
        ]
    )
    return ItemProfile(
        pk=n.pk,
        kind="need",
        title=n.title,
        summary=_cut(n.problem, 300),
        specialties=spec,
        owner_id=n.organization_id,
        query=_query(query),
    )


# -- whole collections, for index builds --------------------------------------------------
