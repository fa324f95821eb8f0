"""The map (parks, hospitals, landings per park) and the relationship graph (organizations
linked by projects, agreements and visits). Offline: the map draws coordinates over the
project's own simplified outline of Chengdu (static/insights/chengdu-outline.json).

Permissions: points are organizations the user may see; landings are counted per park with
the small-group rule of `base.is_suppressed`; for viewers, links of projects with a
confidential achievement are left out. A fixed number of queries.
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from luodi.accounts.rules import AnyUser, is_viewer
from luodi.catalog.choices import Disclosure, OrganizationKind
from luodi.catalog.rules import organizations_visible_to
from luodi.engagements.models import Visit
from luodi.engagements.rules import visits_visible_to
from luodi.insights.base import aggregate_only, grouped, is_suppressed, scope_projects
from luodi.pipeline.models import Agreement, LandingRecord

K = OrganizationKind
MAX_NODES = 150


def map_points(user: AnyUser) -> dict[str, Any]:
    orgs = list(
        organizations_visible_to(user)
        .filter(kind__in=[K.PARK, K.HOSPITAL], latitude__isnull=False, longitude__isnull=False)
        .values_list("pk", "kind", "name_zh", "name_en", "longitude", "latitude")
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
    for pk, kind, zh, en, lon, lat in orgs:
        row: dict[str, Any] = landings.get(pk) or {}
        hidden = bool(row) and is_suppressed(user, row["n"], row["conf"])
        points.append(
            {
                "id": pk,
                "kind": kind,
                "name": zh or en,
                "lon": lon,
                "lat": lat,
                "landings": None if hidden else (row["n"] if row else 0),
            }
        )
    return {
        "points": points,
        "categories": [
            {"key": K.PARK, "label": _("Industrial parks")},
            {"key": K.HOSPITAL, "label": _("Hospitals")},
            {"key": "landed", "label": _("Landed projects (per park)")},
        ],
    }


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
    for agreement_id, org_id in Agreement.parties.through.objects.filter(
        agreement__project__in=projects
    ).values_list("agreement_id", "organization_id"):
        parties.setdefault(agreement_id, []).append(org_id)
    for members in parties.values():
        for a, b in combinations(sorted(members), 2):
            link(a, b, "agreement")
    visits = Visit.objects.all() if is_viewer(user) else visits_visible_to(user)
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
        pk: (zh or en, kind)
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
    }
