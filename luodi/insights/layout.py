"""Industry layout (产业布局 / 产业链图谱): industry-chain segments × therapeutic areas, which
organizations fill each cell and which cells are empty (the gaps investment promotion should
fill), for the region or for one park.

There is no segment field in the catalog, so an organization's segment is derived from its
kind and its name/products (`segment_of`); a park's organizations are those in its district.
Therapeutic areas roll up to their top-level term. Four queries whatever the data size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from luodi.accounts.rules import AnyUser
from luodi.catalog.choices import OrganizationKind
from luodi.catalog.models import Achievement, Organization, Term
from luodi.catalog.rules import achievements_visible_to, organizations_visible_to

SEGMENT_KEYS = ["discovery", "cro", "cdmo", "clinical", "distribution", "services"]
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


def segment_labels() -> dict[str, str]:
    return {
        "discovery": _("Discovery R&D"),
        "cro": _("CRO"),
        "cdmo": _("CDMO / manufacturing"),
        "clinical": _("Clinical"),
        "distribution": _("Distribution"),
        "services": _("Services"),
    }


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
        scope_orgs(user, park).values_list("pk", "kind", "name_zh", "name_en", "company__products")
    )
    links = Organization.focus_areas.through.objects.filter(
        organization_id__in=[o[0] for o in orgs], term_id__in=list(roots)
    ).values_list("organization_id", "term_id")
    areas_of: dict[int, set[int]] = {}
    for org_id, term_id in links:
        areas_of.setdefault(org_id, set()).add(roots[term_id][0])
    labels = {root: label for root, label in roots.values()}
    used = sorted({a for s in areas_of.values() for a in s}, key=lambda a: labels[a])
    cells = {(s, a): Cell(s, a) for s in SEGMENT_KEYS for a in used}
    for pk, kind, name_zh, name_en, products in orgs:
        segment = segment_of(kind, f"{name_zh} {name_en} {products or ''}")
        if segment is None:
            continue
        for area in areas_of.get(pk, ()):
            cells[(segment, area)].orgs.append((pk, name_zh or name_en))
    seg_labels = segment_labels()
    return Layout(
        [(a, labels[a]) for a in used],
        [(s, seg_labels[s], [cells[(s, a)] for a in used]) for s in SEGMENT_KEYS],
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
    orgs = (
        organizations_visible_to(user)
        .filter(Q(kind__in=kinds), focus_areas__in=subtree)
        .distinct()
        .order_by("name_zh")[:50]
    )
    return achievements, orgs
