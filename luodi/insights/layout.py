"""Industry layout (产业布局 / 产业链图谱): industry-chain segments × therapeutic areas, which
organizations fill each cell and which cells are empty (the gaps investment promotion should
fill), for the region or for one park.

An organization's segments are the codes stored in `Organization.chain_segments` (it may
fill several cells); when none are stored, one segment is derived from its kind and its
name/products (`segment_of`). A park's organizations are those in its district. Therapeutic
areas roll up to their top-level term. Four queries whatever the data size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from luodi.accounts.rules import AnyUser
from luodi.catalog.choices import ChainSegment, OrganizationKind
from luodi.catalog.models import Achievement, Organization, Term
from luodi.catalog.rules import achievements_visible_to, organizations_visible_to

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


@dataclass
class Cell:
    segment: str
    area_id: int
    orgs: list[tuple[int, str]] = field(default_factory=list)

    @property
    def is_gap(self) -> bool:
        return not self.orgs


@dataclass
class Layout:
    areas: list[tuple[int, str]]
    rows: list[tuple[str, str, list[Cell]]]
    park: Organization | None

    @property
    def gaps(self) -> int:
        return sum(c.is_gap for _k, _l, cells in self.rows for c in cells)


def area_roots() -> dict[int, tuple[int, str]]:
    """Every therapeutic-area term id → (top-level term id, label)."""
    terms = {
        t.pk: t
        for t in Term.objects.filter(scheme=Term.Scheme.THERAPEUTIC_AREA).only(
            "pk", "parent_id", "label_zh", "label_en"
        )
    }
    out: dict[int, tuple[int, str]] = {}
    for pk, term in terms.items():
        root, hops = term, 0
        while root.parent_id in terms and hops < 10:
            root, hops = terms[root.parent_id], hops + 1
        out[pk] = (root.pk, str(root))
    return out


def scope_orgs(user: AnyUser, park: Organization | None) -> QuerySet[Organization]:
    qs = organizations_visible_to(user).exclude(kind__in=[K.PARK, K.GOVERNMENT])
    if park is not None:
        qs = qs.filter(district=park.district) if park.district else qs.none()
    return qs


def industry_layout(user: AnyUser, park: Organization | None = None) -> Layout:
    roots = area_roots()
    orgs = list(
        scope_orgs(user, park).values_list(
            "pk", "kind", "name_zh", "name_en", "company__products", "chain_segments"
        )
    )
    links = Organization.focus_areas.through.objects.filter(
        organization_id__in=[o[0] for o in orgs], term_id__in=list(roots)
    ).values_list("organization_id", "term_id")
    areas_of: dict[int, set[int]] = {}
    for org_id, term_id in links:
        areas_of.setdefault(org_id, set()).add(roots[term_id][0])
    labels = {root: label for root, label in roots.values()}
    used = sorted({a for s in areas_of.values() for a in s}, key=lambda a: labels[a])
    cells = {(s, a): Cell(s, a) for s in ChainSegment.values for a in used}
    for pk, kind, name_zh, name_en, products, stored in orgs:
        for segment in segments_of(kind, f"{name_zh} {name_en} {products or ''}", stored):
            for area in areas_of.get(pk, ()):
                cells[(segment, area)].orgs.append((pk, name_zh or name_en))
    return Layout(
        [(a, labels[a]) for a in used],
        [(s.value, str(s.label), [cells[(s.value, a)] for a in used]) for s in ChainSegment],
        park,
    )


def gap_candidates(
    user: AnyUser, segment: str, area_id: int
) -> tuple[QuerySet[Achievement], QuerySet[Organization]]:
    """Achievements in the area, and organizations of the area that could fill the cell."""
    subtree = [t for t, (root, _l) in area_roots().items() if root == area_id]
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
        .filter(focus_areas__in=subtree)
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
