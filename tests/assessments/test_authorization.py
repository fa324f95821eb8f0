"""The authorization matrix for assessments, after tests/test_authorization_matrix.py: every
GET route of the app (pages from the URL conf, the API from its OpenAPI schema) × persona,
each answer searched for markers the persona must not see. Routes are generated, so a route
added later is covered.

Records (achievements at IDS; every id of an achievement, assessment or invitation is tried
in every integer parameter):
- 5101: a confidential achievement (title and dossier markers), an open blind assessment;
  reviewers: `pending` (invited, not declared), `conflicted` (declared a conflict, with a
  marker note), `cleared` (scored, comment and name markers), `co` (cleared, scored too).
- 5102: a teaser achievement of the same owner, a summarised assessment (summary marker,
  a reviewer's comment marker).

What each persona must not see is written here from the issue's policy, not read from the
code: staff see all; the owner sees its achievements and the summary, never reviewers or
individual scores; a reviewer sees the title and owner before declaring, the dossier after
(the NDA accepted), never the other reviewers in blind review; everyone else nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from luodi.accounts.models import User
from luodi.assessments import domain
from tests.assessments.helpers import GOOD, WEAK, default_template, expert, open_for
from tests.conftest import Personas, client_for
from tests.factories import AchievementFactory

pytestmark = pytest.mark.django_db

IDS = (5101, 5102)
OPEN, DONE = IDS
MARKERS = {
    "title": "MKASTITLEQ7Z",
    "dossier": "MKASDOSSIERQ7Z",
    "comment": "MKASCOMMENTQ7Z",
    "name": "MKASNAMEQ7Z",
    "conflict": "MKASCONFLICTQ7Z",
    "summary": "MKASSUMMARYQ7Z",
    "done_comment": "MKASDONECOMMENTQ7Z",
}
ALL = frozenset(MARKERS)
REVIEWERS = {"name", "comment", "conflict", "done_comment"}
FORBIDDEN: dict[str, frozenset[str]] = {
    "anonymous": ALL,
    "viewer": ALL,
    "partner_b": ALL,
    "staff": frozenset(),
    "owner": frozenset(REVIEWERS),
    "pending": ALL - {"title"},
    "conflicted": ALL - {"title", "conflict"},
    "co": frozenset({"name", "comment", "conflict", "summary", "done_comment"}),
}


def _walk(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


def _urls(ids: list[int]) -> list[str]:
    from luodi.api import api

    pages = [p for p, _e in _walk(get_resolver()) if p.startswith("assessments/")]
    schema = api.get_openapi_schema(path_prefix="/api")
    paths = [p for p, ops in schema["paths"].items() if "get" in ops]
    apis = [p for p in paths if p.startswith("/api/assessments/")]
    assert len(pages) >= 10 and len(apis) >= 5
    urls: list[str] = []
    for pattern in ["/" + p for p in pages] + apis:
        expanded = [pattern]
        for name in re.findall(r"<(?:\w+:)?(\w+)>|\{(\w+)\}", pattern):
            param = name[0] or name[1]
            rx = rf"<(?:\w+:)?{param}>|\{{{param}\}}"
            expanded = [re.sub(rx, str(i), u, count=1) for u in expanded for i in ids]
        urls += expanded
    return sorted(set(urls))


def _world(p: Personas) -> dict[str, User | None]:
    secret = AchievementFactory(
        id=OPEN,
        owner=p.org_a,
        disclosure="confidential",
        title_zh=MARKERS["title"],
        title_en=MARKERS["title"],
        dossier_zh=MARKERS["dossier"],
    )
    teaser = AchievementFactory(id=DONE, owner=p.org_a, disclosure="teaser")
    template = default_template()
    running = domain.open_assessment(
        actor=p.staff, achievement=secret, template=template, mode="blind", deadline=_day()
    )
    done = open_for(p.staff, teaser)
    users = {name: expert(name) for name in ("pending", "conflicted", "co")}
    cleared = expert("cleared")
    cleared.first_name = MARKERS["name"]
    cleared.save(update_fields=["first_name"])
    invs = {
        name: domain.invite(actor=p.staff, assessment=running, user=user, send=False)
        for name, user in {**users, "cleared": cleared}.items()
    }
    domain.declare(
        actor=users["conflicted"],
        invitation=invs["conflicted"],
        conflict=True,
        note=MARKERS["conflict"],
    )
    for name, values in (("cleared", GOOD), ("co", WEAK)):
        inv = invs[name]
        domain.declare(actor=inv.user, invitation=inv, conflict=False, accept_nda=True)
        domain.submit_scores(
            actor=inv.user,
            invitation=inv,
            values=values,
            comments={"trl": MARKERS["comment"]} if name == "cleared" else {},
        )
    reviewer = domain.invite(actor=p.staff, assessment=done, user=expert("done_rev"), send=False)
    domain.declare(actor=reviewer.user, invitation=reviewer, conflict=False)
    domain.submit_scores(
        actor=reviewer.user, invitation=reviewer, values=GOOD, comment=MARKERS["done_comment"]
    )
    domain.close(actor=p.staff, assessment=done)
    domain.summarise(
        actor=p.staff,
        assessment=done,
        readiness=5,
        strengths="",
        risks="",
        summary=MARKERS["summary"],
        suggested_kinds=["company"],
    )
    return {
        "anonymous": None,
        "viewer": p.viewer,
        "partner_b": p.partner_b,
        "staff": p.staff,
        "owner": p.partner_a,
        **users,
    }


def _day() -> Any:
    from datetime import timedelta

    from django.utils import timezone

    return timezone.localdate() + timedelta(days=7)


def test_assessment_routes_show_each_persona_only_its_part(personas: Personas) -> None:
    from luodi.assessments.models import Assessment, Invitation

    users = _world(personas)
    # every id a route may name: the achievements, their assessments, the invitations
    ids = sorted(
        {*IDS, *Assessment.objects.values_list("pk", flat=True)}
        | set(Invitation.objects.values_list("pk", flat=True))
    )
    urls = _urls(ids)
    leaks: list[str] = []
    shown: dict[str, set[str]] = {name: set() for name in users}
    for persona, user in users.items():
        client = client_for(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code < 500, (persona, url)
            body = response.content.decode("utf-8", "replace")
            for key, marker in MARKERS.items():
                if marker in body:
                    shown[persona].add(key)
                    if key in FORBIDDEN[persona]:
                        leaks.append(f"{persona} {url} {key} ({response.status_code})")
    assert leaks == []
    # the markers do show where they may (the test can fail)
    assert shown["staff"] >= {"title", "name", "conflict", "summary", "done_comment"}
    assert shown["owner"] >= {"summary"}
    assert shown["co"] >= {"title", "dossier"}
    assert shown["pending"] == {"title"}
