"""The index filters agree with the catalog's querysets for every persona, on records in
every state that could leak (drafts, teasers, confidential, granted, expired grants, live and
revoked NDA invitations, archived, merged), for every indexed kind.

The index side goes through the product's search path: one lexical query that matches every
record (each carries the same marker word), with `search.service.index_filters(user)`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from luodi.accounts.models import Role
from luodi.catalog import rules
from luodi.catalog.models import Trial
from luodi.disclosure.models import AccessGrant, NdaInvitation
from luodi.retrieval import generations
from luodi.retrieval.engine import get_engine
from luodi.retrieval.indexing import rebuild_all
from luodi.search.kinds import KINDS
from luodi.search.service import _visible, index_filters
from tests.conftest import Personas
from tests.factories import (
    AchievementFactory,
    CarrierFactory,
    ClinicalNeedFactory,
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
    UserFactory,
)
from tests.retrieval.milvus_util import on_milvus

pytestmark = [pytest.mark.django_db]
MARK = "Zorblatt"


@pytest.fixture(autouse=True, params=["inprocess", "milvus"])
def backend(request: pytest.FixtureRequest, settings: Any, tmp_path: Any) -> Iterator[str]:
    """The agreement must hold whichever engine applies the filters."""
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MATCHMAKING_ENCODER = "none"
    generations.forget()
    if request.param == "inprocess":
        yield request.param
        return
    with on_milvus(settings, request.getfixturevalue("milvus_uri")):
        yield request.param


def _world(p: Personas) -> dict[str, Any]:
    now = timezone.now()
    org_c = OrganizationFactory(name_zh=f"丙机构 {MARK}", status="published")
    invited = UserFactory(username="invited", role=Role.PARTNER)
    MembershipFactory(user=invited, organization=org_c)
    granted_user = UserFactory(username="granted", role=Role.PARTNER)
    expired_org = OrganizationFactory(name_zh=f"丁机构 {MARK}", status="published")
    expired = UserFactory(username="expired", role=Role.PARTNER)
    MembershipFactory(user=expired, organization=expired_org)

    def achievement(**kw: Any) -> Any:
        return AchievementFactory(title_en=f"{MARK} {kw.pop('label')}", **kw)

    a = p.org_a
    achievement(label="public", owner=a)
    achievement(label="teaser", owner=a, disclosure="teaser")
    secret = achievement(label="confidential", owner=a, disclosure="confidential")
    granted = achievement(label="granted", owner=a, disclosure="confidential")
    lapsed = achievement(label="lapsed", owner=a, disclosure="confidential")
    invited_to = achievement(label="invited", owner=a, disclosure="confidential")
    revoked = achievement(label="revoked", owner=a, disclosure="confidential")
    achievement(label="draft", owner=a, status="draft", submitted_by=p.partner_a)
    achievement(label="others-draft", owner=p.org_b, status="pending", submitted_by=p.partner_b)
    achievement(label="archived", owner=a, archived_at=now)
    unpublished_grant = achievement(
        label="granted-draft", owner=a, disclosure="confidential", status="draft"
    )
    grant = {"nda_version": "1", "nda_accepted_at": now, "approved_at": now}
    AccessGrant.objects.create(
        achievement=granted, organization=p.org_b, expires_at=now + timedelta(days=3), **grant
    )
    AccessGrant.objects.create(
        achievement=granted, user=granted_user, expires_at=now + timedelta(days=3), **grant
    )
    AccessGrant.objects.create(
        achievement=lapsed, organization=expired_org, expires_at=now - timedelta(days=1), **grant
    )
    AccessGrant.objects.create(
        achievement=unpublished_grant,
        organization=p.org_b,
        expires_at=now + timedelta(days=3),
        **grant,
    )
    AccessGrant.objects.create(  # approved never
        achievement=secret,
        organization=p.org_b,
        expires_at=now + timedelta(days=3),
        nda_version="1",
        nda_accepted_at=now,
    )
    invite = {"invited_by": p.staff, "expires_at": now + timedelta(days=5)}
    NdaInvitation.objects.create(achievement=invited_to, organization=org_c, **invite)
    NdaInvitation.objects.create(achievement=revoked, organization=org_c, revoked_at=now, **invite)
    OrganizationFactory(name_zh=f"草稿机构 {MARK}", status="draft", submitted_by=p.partner_b)
    OrganizationFactory(name_zh=f"归档机构 {MARK}", status="published", archived_at=now)
    merged = OrganizationFactory(name_zh=f"并入机构 {MARK}", status="published")
    merged.merged_into = org_c
    merged.save()
    for status, org in (("published", p.org_b), ("pending", a), ("draft", p.org_b)):
        ClinicalNeedFactory(title_zh=f"需求 {MARK} {status}", organization=org, status=status)
        PersonFactory(name_zh=f"人员 {MARK} {status}", organization=org, status=status)
    ClinicalNeedFactory(title_zh=f"需求 {MARK} 归档", organization=a, archived_at=now)
    draft_park = OrganizationFactory(kind="park", status="draft", name_zh=f"园区 {MARK}")
    CarrierFactory(name=f"载体 {MARK} 公开", park=OrganizationFactory(kind="park"))
    CarrierFactory(name=f"载体 {MARK} 草稿园区", park=draft_park)
    Trial.objects.create(registry_id="NCT09999999", title=f"{MARK} trial")
    return {"invited": invited, "granted": granted_user, "expired": expired}


def test_index_filters_agree_with_the_querysets_for_every_persona(personas: Personas) -> None:
    extra = _world(personas)
    rebuild_all()
    engine = get_engine()
    users = {
        "staff": personas.staff,
        "partner_a": personas.partner_a,
        "partner_b": personas.partner_b,
        "viewer": personas.viewer,
        **extra,
    }
    disagreements = []
    for name, user in users.items():
        filters = index_filters(user, include_archived=True)
        for kind in KINDS.values():
            backend = engine.backend(kind.index)
            assert backend is not None
            hits = backend.search(MARK.lower(), k=1000, mode="lexical", filters=filters)
            indexed = {int(h.id) for h in hits}
            visible = _visible(user, kind, include_archived=True)  # archived: staff only
            marked = set(visible.values_list("pk", flat=True)) & _marked(kind, backend)
            if indexed != marked:
                disagreements.append((name, kind.slug, sorted(indexed ^ marked)))
    assert disagreements == []
    # The data could leak: every persona but one sees a different set of achievements; the
    # one whose grant lapsed sees what a viewer sees.
    seen = {
        name: frozenset(rules.achievements_visible_to(u).values_list("pk", flat=True))
        for name, u in users.items()
    }
    assert seen["expired"] == seen["viewer"]
    assert len(set(seen.values())) == len(users) - 1


def _marked(kind: Any, backend: Any) -> set[int]:
    """The records of the kind that carry the marker (the query's universe)."""
    hits = backend.search(MARK.lower(), k=1000, mode="lexical")
    return {int(h.id) for h in hits}
