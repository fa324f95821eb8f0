"""Industry layout (产业布局 / 产业链图谱): industry-chain segments × therapeutic areas, which
organizations fill each cell and which cells are empty (the gaps investment promotion should
fill), for the region or for one park.

An organization's segments are the codes stored in `Organization.chain_segments` (it may
fill several cells); when none are stored, one segment is derived from its kind and its
name/products (`segment_of`). A park's organizations are those in its district.

Therapeutic areas roll up to their top-level term, and top-level terms with the same name in
either language are one column (the seeded vocabulary has no such pair since ICD-10 codes
became cross-references, but a database seeded earlier or an area added by hand may). A
hospital works in the areas of its filed trial specialties (oncology → neoplasms, the table
matchmaking uses), whether or not therapeutic areas are also stored on it. A CRO that names
no area works across all of them: it is listed in the "all areas" row and its segment is no
gap in any column. Six queries whatever the data size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils.translation import get_language

from luodi.accounts.rules import AnyUser
from luodi.catalog.choices import ChainSegment, OrganizationKind
from luodi.catalog.models import Achievement, ClinicalCenterProfile, Organization, Term
from luodi.catalog.rules import achievements_visible_to, organizations_visible_to
from luodi.matchmaking.scoring import AREA_SPECIALTIES

_DISTRIBUTION = (
    "distribution",
    "logistics",
    "pharmacy",
    "流通",
    "物流",
    "医药商业",
    "配送",
    "药房",
)
_CDMO = ("cdmo", "manufactur", "gmp", "生产", "制造", "制剂")
K = OrganizationKind


def _pick(zh: str, en: str) -> str:
    """A name in the active language, else the other one (as Organization.__str__ does)."""
    return (en or zh) if (get_language() or "zh-hans").startswith("en") else (zh or en)


def segment_of(kind: str, text: str) -> str | None:
    """The industry-chain segment of an organization, from its kind and name/products."""
    low = text.lower()
    if kind == K.INSTITUTE:
        return "discovery"
    if kind == K.HOSPITAL:
        return "clinical"
    if kind == K.CRO:
        return "cdmo" if any(w in low for w in _CDMO) else "cro"
    if kind == K.COMPANY:
        if any(w in low for w in _DISTRIBUTION):
            return "distribution"
        if any(w in low for w in _CDMO):
            return "cdmo"
        return "discovery"
    if kind in (K.INVESTOR, K.ASSOCIATION):
        return "services"
    return None  # parks and government agencies are the frame, not a chain segment


def segments_of(kind: str, text: str, stored: list[str] | None) -> list[str]:
    """The stored segments (known codes only, in ChainSegment order) or the derived one."""
    chosen = set(stored or []) if isinstance(stored, list) else set()
    known = [code for code in ChainSegment.values if code in chosen]
    if known:
        return known
    derived = segment_of(kind, text)
    return [derived] if derived else []


# Organization kinds whose services do not depend on a disease: without a stored area they
# are shown as working in every area rather than left out of the matrix.
AREA_AGNOSTIC = (K.CRO,)


@dataclass
class Cell:
    segment: str
    area_id: int
    orgs: list[tuple[int, str]] = field(default_factory=list)
    # Organizations of this segment that work in every area (the "all areas" row).
    covered: bool = False

    @property
    def is_gap(self) -> bool:
        return not self.orgs and not self.covered


@dataclass
class Layout:
    areas: list[tuple[int, str]]
    rows: list[tuple[str, str, list[Cell]]]
    park: Organization | None
    # Per segment: organizations that name no area and work across all of them.
    general: list[tuple[str, str, list[tuple[int, str]]]] = field(default_factory=list)

    @property
    def gaps(self) -> int:
        return sum(c.is_gap for _k, _l, cells in self.rows for c in cells)

    @property
    def columns(self) -> list[tuple[int, str, list[tuple[str, str, Cell]]]]:
        """The matrix turned: one entry per area with its cell in each segment, so the page
        lists areas down the side (any number fits) and the six segments across."""
        return [
            (area_id, label, [(key, seg, cells[i]) for key, seg, cells in self.rows])
            for i, (area_id, label) in enumerate(self.areas)
        ]

    @property
    def has_general(self) -> bool:
        return any(orgs for _k, _l, orgs in self.general)


def _root_terms() -> dict[int, Term]:
    """Every therapeutic-area term id → its top-level term."""
    terms = {
        t.pk: t
        for t in Term.objects.filter(scheme=Term.Scheme.THERAPEUTIC_AREA).only(
            "pk", "parent_id", "label_zh", "label_en"
        )
    }
    roots: dict[int, Term] = {}
    for pk, term in terms.items():
        root, hops = term, 0
        while root.parent_id in terms and hops < 10:
            root, hops = terms[root.parent_id], hops + 1
        roots[pk] = root
    return roots


def area_roots() -> dict[int, tuple[int, str]]:
    """Every therapeutic-area term id → (top-level term id, label); report scopes use it."""
    return {pk: (root.pk, str(root)) for pk, root in _root_terms().items()}


def area_columns() -> dict[int, tuple[int, str]]:
    """Every therapeutic-area term id → (column id, label) of the layout: its top-level term,
    and top-level terms named alike (in either language) share the column of the lowest id,
    labelled with the shortest of their names in the active language."""
    roots = _root_terms()
    distinct = sorted({r.pk: r for r in roots.values()}.values(), key=lambda r: r.pk)
    column: dict[int, int] = {}
    by_name: dict[str, int] = {}
    for root in distinct:
        names = {n.strip().casefold() for n in (root.label_zh, root.label_en) if n.strip()}
        first = next((by_name[n] for n in names if n in by_name), root.pk)
        column[root.pk] = first
        for n in names:
            by_name.setdefault(n, first)
    labels: dict[int, str] = {}
    for root in distinct:
        col, name = column[root.pk], str(root)
        if col not in labels or len(name) < len(labels[col]):
            labels[col] = name
    return {pk: (column[r.pk], labels[column[r.pk]]) for pk, r in roots.items()}


def _specialty_areas() -> dict[str, list[str]]:
    """Trial specialty code → codes of the top-level areas it treats, MeSH headings and
    ICD-10 chapters alike: whichever are the areas of this database is found (with MeSH,
    ICD-10 codes are cross-references, not areas; a database seeded earlier has both, and
    twins share one column by name)."""
    out: dict[str, list[str]] = {}
    for area, specialties in AREA_SPECIALTIES.items():
        for code in specialties:
            out.setdefault(code, []).append(area)
    return out


def scope_orgs(user: AnyUser, park: Organization | None) -> QuerySet[Organization]:
    qs = organizations_visible_to(user).exclude(kind__in=[K.PARK, K.GOVERNMENT])
    if park is not None:
        qs = qs.filter(district=park.district) if park.district else qs.none()
    return qs


def _areas_of(org_ids: list[int], roots: dict[int, tuple[int, str]]) -> dict[int, set[int]]:
    """Organization id → area columns: its stored areas and its trial specialties' (3 queries)."""
    areas_of: dict[int, set[int]] = {}
    for org_id, term_id in Organization.focus_areas.through.objects.filter(
        organization_id__in=org_ids, term_id__in=list(roots)
    ).values_list("organization_id", "term_id"):
        areas_of.setdefault(org_id, set()).add(roots[term_id][0])
    column_of_code = {
        code: roots[pk][0]
        for pk, code in Term.objects.filter(pk__in=list(roots), parent__isnull=True).values_list(
            "pk", "code"
        )
    }
    treats = _specialty_areas()
    specialties = Organization.focus_areas.through.objects.filter(
        organization_id__in=org_ids, term__scheme=Term.Scheme.SPECIALTY
    ).values_list("organization_id", "term__code")
    filed = ClinicalCenterProfile.specialties.through.objects.filter(
        clinicalcenterprofile__organization_id__in=org_ids
    ).values_list("clinicalcenterprofile__organization_id", "term__code")
    for org_id, code in [*specialties, *filed]:
        for area in treats.get(code, ()):
            if area in column_of_code:
                areas_of.setdefault(org_id, set()).add(column_of_code[area])
    return areas_of


def industry_layout(user: AnyUser, park: Organization | None = None) -> Layout:
    roots = area_columns()
    orgs = list(
        scope_orgs(user, park).values_list(
            "pk", "kind", "name_zh", "name_en", "company__products", "chain_segments"
        )
    )
    areas_of = _areas_of([o[0] for o in orgs], roots)
    labels = {root: label for root, label in roots.values()}
    used = sorted({a for s in areas_of.values() for a in s}, key=lambda a: labels[a])
    cells = {(s, a): Cell(s, a) for s in ChainSegment.values for a in used}
    general: dict[str, list[tuple[int, str]]] = {s: [] for s in ChainSegment.values}
    for pk, kind, name_zh, name_en, products, stored in orgs:
        for segment in segments_of(kind, f"{name_zh} {name_en} {products or ''}", stored):
            if pk not in areas_of and kind in AREA_AGNOSTIC:
                general[segment].append((pk, _pick(name_zh, name_en)))
            for area in areas_of.get(pk, ()):
                cells[(segment, area)].orgs.append((pk, _pick(name_zh, name_en)))
    for (segment, _area), cell in cells.items():
        cell.covered = bool(general[segment])
    return Layout(
        [(a, labels[a]) for a in used],
        [(s.value, str(s.label), [cells[(s.value, a)] for a in used]) for s in ChainSegment],
        park,
        [(s.value, str(s.label), general[s.value]) for s in ChainSegment],
    )


def gap_candidates(
    user: AnyUser, segment: str, area_id: int
) -> tuple[QuerySet[Achievement], QuerySet[Organization]]:
    """Achievements in the area, and organizations of the area that could fill the cell."""
    roots = area_columns()
    subtree = [t for t, (root, _l) in roots.items() if root == area_id]
    top_codes = set(
        Term.objects.filter(pk__in=subtree, parent__isnull=True).values_list("code", flat=True)
    )
    # Hospitals are in an area through their filed specialties, as in the matrix.
    specialties = [c for c, areas in _specialty_areas().items() if top_codes & set(areas)]
    achievements = (
        achievements_visible_to(user)
        .filter(therapeutic_areas__in=subtree, archived_at__isnull=True)
        .select_related("owner")
        .distinct()[:50]
    )
    kinds = {
        "discovery": [K.COMPANY, K.INSTITUTE],
        "cro": [K.CRO],
        "cdmo": [K.CRO, K.COMPANY],
        "clinical": [K.HOSPITAL],
        "distribution": [K.COMPANY],
        "services": [K.INVESTOR, K.ASSOCIATION],
    }.get(segment, [])
    # Stored segments say what an organization does, so they decide when set; otherwise any
    # organization of a kind that works in the segment is a candidate. JSON list membership
    # is checked here rather than in SQL because SQLite has no JSON `contains` lookup.
    in_area = (
        organizations_visible_to(user)
        .filter(
            Q(focus_areas__in=subtree)
            | Q(focus_areas__scheme=Term.Scheme.SPECIALTY, focus_areas__code__in=specialties)
            | Q(clinical_center__specialties__code__in=specialties)
        )
        .filter(Q(kind__in=kinds) | ~Q(chain_segments=[]))
        .distinct()
        .order_by("name_zh")
    )
    ids = [
        pk
        for pk, kind, stored in in_area.values_list("pk", "kind", "chain_segments")[:1000]
        if (segment in stored if isinstance(stored, list) and stored else kind in kinds)
    ][:50]
    orgs = organizations_visible_to(user).filter(pk__in=ids).order_by("name_zh")
    return achievements, orgs
