"""Confidential achievements never leak: data that could leak, checked on every path."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from luodi.disclosure.models import AccessGrant
from tests.conftest import Personas, client_for
from tests.factories import AchievementFactory, PersonFactory

pytestmark = pytest.mark.django_db

SECRET = "绝密靶点XK-42"


@pytest.fixture
def secret(personas: Personas):  # type: ignore[no-untyped-def]
    return AchievementFactory(
        owner=personas.org_a,
        title_zh=f"{SECRET} 抑制剂",
        title_en=f"{SECRET} inhibitor",
        summary_zh=f"{SECRET} 摘要",
        disclosure="confidential",
        dossier_zh="合成路线：机密",
    )


@pytest.fixture
def teaser(personas: Personas):  # type: ignore[no-untyped-def]
    return AchievementFactory(
        owner=personas.org_a,
        title_zh="预告成果",
        disclosure="teaser",
        dossier_zh="仅限保密协议后可见的细节",
        patent_numbers="CN202310000001.X",
    )


def test_partner_b_cannot_see_confidential_in_list_detail_search_export(
    personas: Personas, secret
) -> None:
    client = client_for(personas.partner_b)
    listing = client.get("/catalog/achievements/")
    assert SECRET not in listing.content.decode()
    assert client.get(f"/catalog/achievements/{secret.pk}/").status_code == 404
    searched = client.get("/catalog/achievements/", {"q": SECRET})
    assert searched.context["rows"] == []
    assert searched.context["page"].paginator.count == 0
    exported = client.get("/catalog/achievements/", {"export": "csv"})
    assert SECRET not in exported.content.decode("utf-8-sig")


def test_confidential_absent_from_counts(personas: Personas, secret) -> None:
    AchievementFactory(owner=personas.org_a)
    response = client_for(personas.partner_b).get("/catalog/achievements/")
    assert response.context["page"].paginator.count == 1


def test_confidential_absent_from_api(personas: Personas, secret) -> None:
    client = client_for(personas.partner_b)
    listing = client.get("/api/catalog/achievements")
    assert SECRET not in listing.content.decode()
    assert client.get(f"/api/catalog/achievements/{secret.pk}").status_code == 404


def test_dossier_lists_are_shown_by_label(personas: Personas) -> None:
    item = AchievementFactory(
        owner=personas.org_a, transfer_modes=["license"], carrier_needs=["gmp"]
    )
    html = client_for(personas.partner_a).get(f"/catalog/achievements/{item.pk}/").content
    assert "许可" in html.decode() and "GMP 厂房" in html.decode()


def test_owner_and_staff_see_confidential(personas: Personas, secret) -> None:
    for user in (personas.partner_a, personas.staff):
        response = client_for(user).get(f"/catalog/achievements/{secret.pk}/")
        assert response.status_code == 200
        assert "合成路线" in response.content.decode()


def test_viewer_sees_no_confidential(personas: Personas, secret) -> None:
    response = client_for(personas.viewer).get("/catalog/achievements/")
    assert SECRET not in response.content.decode()


def test_teaser_shows_summary_but_not_dossier(personas: Personas, teaser) -> None:
    response = client_for(personas.partner_b).get(f"/catalog/achievements/{teaser.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "预告成果" in html
    assert "仅限保密协议后可见的细节" not in html
    assert "CN202310000001.X" not in html


def test_live_grant_opens_dossier_and_expired_grant_does_not(personas: Personas, secret) -> None:
    now = timezone.now()
    grant = AccessGrant.objects.create(
        achievement=secret,
        organization=personas.org_b,
        nda_version="v1",
        nda_accepted_at=now,
        approved_at=now,
        expires_at=now + timedelta(days=30),
    )
    client = client_for(personas.partner_b)
    assert "合成路线" in client.get(f"/catalog/achievements/{secret.pk}/").content.decode()
    grant.expires_at = now - timedelta(seconds=1)
    grant.save(update_fields=["expires_at"])
    assert client.get(f"/catalog/achievements/{secret.pk}/").status_code == 404


def test_contact_details_only_for_staff_and_own_org(personas: Personas) -> None:
    person = PersonFactory(organization=personas.org_a, email="secret-mail@example.org")
    url = f"/catalog/people/{person.pk}/"
    assert "secret-mail@example.org" in client_for(personas.partner_a).get(url).content.decode()
    assert "secret-mail@example.org" in client_for(personas.staff).get(url).content.decode()
    assert "secret-mail@example.org" not in client_for(personas.partner_b).get(url).content.decode()


def test_partner_cannot_edit_other_orgs_achievement(personas: Personas) -> None:
    other = AchievementFactory(owner=personas.org_a)
    response = client_for(personas.partner_b).post(
        f"/catalog/achievements/{other.pk}/edit/", {"title_zh": "改"}
    )
    assert response.status_code == 403


def test_viewer_cannot_create(personas: Personas) -> None:
    assert client_for(personas.viewer).get("/catalog/achievements/new/").status_code == 403
