"""What the API withholds: confidential achievements, teaser dossiers, contact details."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from luodi.accounts.models import AuditEntry
from luodi.catalog.api_schemas import DOSSIER_FIELDS
from tests.catalog_api.factories import AccessGrantFactory
from tests.catalog_api.helpers import Api, ids
from tests.conftest import Personas
from tests.factories import AchievementFactory, PersonFactory

pytestmark = pytest.mark.django_db

SECRET = "绝密靶点XK-42"


@pytest.fixture
def secret(personas: Personas) -> Any:
    return AchievementFactory(
        owner=personas.org_a,
        title_zh=f"{SECRET} 抑制剂",
        summary_zh=f"{SECRET} 摘要",
        disclosure="confidential",
        dossier_zh="合成路线：机密",
    )


@pytest.fixture
def teaser(personas: Personas) -> Any:
    return AchievementFactory(
        owner=personas.org_a,
        title_zh="预告成果",
        disclosure="teaser",
        dossier_zh="仅限保密协议后可见的细节",
        patent_numbers="CN202310000001.X",
        transfer_modes=["license"],
        space_needed_m2=300,
    )


def _dossier_views(item: Any) -> int:
    return AuditEntry.objects.filter(
        verb="achievement.view_dossier", target_id=str(item.pk)
    ).count()


def test_confidential_absent_from_list_count_and_detail(personas: Personas, secret: Any) -> None:
    public = AchievementFactory(owner=personas.org_a)
    api = Api(personas.partner_b)
    listing = api.get("/achievements")
    assert ids(listing) == [public.pk]
    assert listing.json()["count"] == 1
    assert SECRET not in listing.content.decode()
    assert ids(api.get("/achievements", q=SECRET)) == []
    assert ids(api.get("/achievements", disclosure="confidential")) == []
    detail = api.get(f"/achievements/{secret.pk}")
    assert detail.status_code == 404
    assert SECRET not in detail.content.decode()
    # Writes do not confirm existence either: 404, not 403.
    assert api.patch(f"/achievements/{secret.pk}", {"title_en": "x"}).status_code == 404
    assert api.post(f"/achievements/{secret.pk}/archive").status_code == 404
    assert ids(Api(personas.viewer).get("/achievements")) == [public.pk]


def test_owner_and_staff_see_confidential_dossier(personas: Personas, secret: Any) -> None:
    for user in (personas.partner_a, personas.staff):
        body = Api(user).get(f"/achievements/{secret.pk}").json()
        assert body["dossier_visible"] is True
        assert body["dossier_zh"] == "合成路线：机密"


def test_teaser_dossier_fields_are_null_for_others(personas: Personas, teaser: Any) -> None:
    api = Api(personas.partner_b)
    detail = api.get(f"/achievements/{teaser.pk}")
    assert detail.status_code == 200
    body = detail.json()
    assert body["title_zh"] == "预告成果"
    assert body["dossier_visible"] is False
    for name in DOSSIER_FIELDS:
        assert body[name] is None, name
    [listed] = api.get("/achievements").json()["items"]
    assert listed["dossier_visible"] is False
    assert all(listed[name] is None for name in DOSSIER_FIELDS)
    text = detail.content.decode() + api.get("/achievements").content.decode()
    assert "CN202310000001.X" not in text
    assert "仅限保密协议后可见的细节" not in text
    assert _dossier_views(teaser) == 0


def test_viewing_a_withheld_dossier_is_audited(personas: Personas, teaser: Any) -> None:
    public = AchievementFactory(owner=personas.org_a, dossier_zh="公开资料")
    api = Api(personas.partner_a)
    body = api.get(f"/achievements/{teaser.pk}").json()
    assert body["patent_numbers"] == "CN202310000001.X"
    assert body["transfer_modes"] == ["license"]
    assert _dossier_views(teaser) == 1
    entry = AuditEntry.objects.get(verb="achievement.view_dossier")
    assert entry.actor == personas.partner_a
    assert entry.ip == "127.0.0.1"
    api.get("/achievements")  # the list shows the dossier too, so it is audited too
    assert _dossier_views(teaser) == 2
    api.get(f"/achievements/{public.pk}")
    assert _dossier_views(public) == 0


def test_live_grant_opens_and_expired_grant_closes(personas: Personas, secret: Any) -> None:
    grant = AccessGrantFactory(achievement=secret, organization=personas.org_b)
    api = Api(personas.partner_b)
    assert secret.pk in ids(api.get("/achievements"))
    body = api.get(f"/achievements/{secret.pk}").json()
    assert body["dossier_visible"] is True
    assert body["dossier_zh"] == "合成路线：机密"
    assert _dossier_views(secret) >= 1

    grant.expires_at = timezone.now() - timedelta(seconds=1)
    grant.save(update_fields=["expires_at"])
    assert api.get(f"/achievements/{secret.pk}").status_code == 404
    listing = api.get("/achievements")
    assert secret.pk not in ids(listing)
    assert listing.json()["count"] == 0


def test_revoked_or_unapproved_grant_does_not_open(personas: Personas, teaser: Any) -> None:
    AccessGrantFactory(achievement=teaser, organization=personas.org_b, revoked_at=timezone.now())
    AccessGrantFactory(achievement=teaser, user=personas.partner_b, approved_at=None)
    body = Api(personas.partner_b).get(f"/achievements/{teaser.pk}").json()
    assert body["dossier_visible"] is False
    assert body["dossier_zh"] is None


def test_user_grant_opens_teaser(personas: Personas, teaser: Any) -> None:
    AccessGrantFactory(achievement=teaser, user=personas.partner_b)
    body = Api(personas.partner_b).get(f"/achievements/{teaser.pk}").json()
    assert body["dossier_visible"] is True
    assert body["patent_numbers"] == "CN202310000001.X"


def test_contact_details_only_for_staff_and_own_org(personas: Personas) -> None:
    person = PersonFactory(organization=personas.org_a, email="secret-mail@example.org")
    for user in (personas.partner_b, personas.viewer):
        api = Api(user)
        body = api.get(f"/people/{person.pk}").json()
        assert body["contact_visible"] is False
        assert body["email"] is None
        assert body["phone"] is None
        assert "secret-mail" not in api.get("/people").content.decode()
    for user in (personas.partner_a, personas.staff):
        body = Api(user).get(f"/people/{person.pk}").json()
        assert body["contact_visible"] is True
        assert body["email"] == "secret-mail@example.org"


def test_search_does_not_probe_withheld_patent_numbers(personas: Personas, teaser: Any) -> None:
    assert ids(Api(personas.partner_b).get("/achievements", q="CN202310000001")) == []
