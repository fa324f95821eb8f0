"""Inviting an organization to a confidential achievement's NDA: before the invitation it sees
nothing (lists, detail, search, match lists, API, exports); invited, it sees the teaser only;
approved, the dossier (audited); an expired grant closes the dossier again; a revoked
invitation hides the achievement altogether."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from luodi.accounts.models import AuditEntry
from luodi.disclosure.models import AccessGrant, NdaInvitation
from luodi.matchmaking import queries
from luodi.matchmaking.models import AccessRequest
from luodi.retrieval import indexing
from luodi.search import service
from tests.conftest import Personas, client_for
from tests.factories import AchievementFactory
from tests.index_util import catch_up_before_each_search
from tests.matchmaking.conftest import Eco

pytestmark = [pytest.mark.django_db]

MARK = "Zorblatt"
DOSSIER = "DOSSIER-Qx9-合成路线"
API = "/api/matchmaking"


@pytest.fixture(autouse=True)
def _index_jobs_before_each_search(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    catch_up_before_each_search(monkeypatch)


@pytest.fixture
def secret(personas: Personas, eco: Eco) -> Any:
    a = AchievementFactory(
        owner=personas.org_a,
        title_zh=f"{MARK} 激酶抑制剂",
        title_en=f"{MARK} kinase inhibitor",
        summary_zh=f"{MARK} 小分子，用于肺癌。",
        summary_en=f"{MARK} small molecule for lung cancer.",
        dossier_zh=DOSSIER,
        dossier_en=DOSSIER,
        patent_numbers="CN2026PATENT-SECRET",
        disclosure="confidential",
        kind="drug",
        stage="preclinical",
    )
    a.technology_fields.set([eco.small_molecule])
    indexing.rebuild_all()
    return a


@pytest.fixture
def vc(eco: Eco, member_of: Any) -> Any:
    """A member of the organization that will be invited (an investor)."""
    return member_of(eco.early_vc, "vc_user")


@pytest.fixture
def buyer(eco: Eco, member_of: Any) -> Any:
    """A member of an organization that is never invited."""
    return member_of(eco.onco_co, "buyer")


def _post(user: Any, path: str, data: Any = None) -> Any:
    return client_for(user).post(f"{API}{path}", data or {}, content_type="application/json")


def _invite(owner: Any, achievement: Any, org: Any, **extra: Any) -> Any:
    resp = _post(
        owner, "/nda-invitations", {"achievement_id": achievement.pk, "organization_id": org.pk}
    )
    assert resp.status_code == 201, resp.content
    return NdaInvitation.objects.get(pk=resp.json()["id"])


def _text(resp: Any) -> str:
    """Body as text; JSON with non-ASCII unescaped (the API escapes it)."""
    if resp.get("Content-Type", "").startswith("application/json"):
        return json.dumps(resp.json(), ensure_ascii=False)
    return resp.content.decode()


def _discovery(user: Any, eco: Eco, org: Any) -> str:
    """Global search (service, page, API), match lists (service and API), match records."""
    c = client_for(user)
    out = [
        # Lower case: the search page echoes the query, a hit would show the title as stored.
        _text(c.get("/search/", {"q": MARK.lower()})),
        _text(c.get("/api/search/", {"q": MARK.lower()})),
        repr(service.search(user, MARK.lower()).items),
        _text(c.get(f"{API}/matches/organization/{org.pk}", {"tab": "achievement"})),
        _text(c.get(f"{API}/matches/need/{eco.need.pk}", {"tab": "achievement"})),
        _text(c.get(f"{API}/records")),
    ]
    for kind, pk in (("organization", org.pk), ("need", eco.need.pk)):
        source = queries.load_source(user, kind, pk)
        out += [repr(queries.matches(user, source, t, k=100).items) for t in source.tabs]
    return "\n".join(out)


def _surfaces(user: Any, eco: Eco, org: Any) -> str:
    """Everything a user can list: the catalog list page and its export, the catalog API list
    and query, and everything of `_discovery`."""
    c = client_for(user)
    out = [
        _text(c.get("/catalog/achievements/")),
        _text(c.get("/catalog/achievements/", {"export": "csv"})),
        _text(c.get("/api/catalog/achievements")),
        _text(c.get("/api/catalog/achievements", {"q": MARK})),
    ]
    return "\n".join([*out, _discovery(user, eco, org)])


def _detail(user: Any, a: Any) -> Any:
    return client_for(user).get(f"/catalog/achievements/{a.pk}/")


def test_uninvited_org_sees_nothing_of_it(
    personas: Personas, eco: Eco, secret: Any, vc: Any, buyer: Any
) -> None:
    # The owner sees it everywhere, so the surfaces do carry it when visible.
    assert MARK in _surfaces(personas.partner_a, eco, eco.lab_park)
    for user, org in ((vc, eco.early_vc), (buyer, eco.onco_co)):
        text = _surfaces(user, eco, org)
        assert MARK not in text
        assert DOSSIER not in text
        found = service.search(user, MARK.lower())
        assert (found.items, found.similar) == ([], [])
        assert _detail(user, secret).status_code == 404
        api_detail = client_for(user).get(f"/api/catalog/achievements/{secret.pk}")
        assert api_detail.status_code == 404
        assert MARK not in _text(api_detail)
        assert client_for(user).get(f"/matchmaking/achievement/{secret.pk}/").status_code == 404
        req = _post(user, "/access-requests", {"achievement_id": secret.pk, "accept_nda": True})
        assert req.status_code == 404
        assert client_for(user).get(f"{API}/nda-invitations").json() == []


def test_invited_org_sees_the_teaser_but_never_the_dossier(
    personas: Personas, eco: Eco, secret: Any, vc: Any, buyer: Any
) -> None:
    invitation = _invite(personas.partner_a, secret, eco.early_vc)
    assert (invitation.invited_by, invitation.organization) == (personas.partner_a, eco.early_vc)
    assert invitation.expires_at > timezone.now() + timedelta(days=80)
    assert AuditEntry.objects.filter(verb="access.invite", target_id=str(secret.pk)).count() == 1

    text = _surfaces(vc, eco, eco.early_vc)
    assert MARK in text
    assert DOSSIER not in text
    assert "CN2026PATENT-SECRET" not in text
    page = _detail(vc, secret).content.decode()
    assert f"{MARK} 小分子" in page
    assert 'data-testid="teaser-only"' in page
    assert 'data-testid="request-access"' in page
    assert DOSSIER not in page and 'data-testid="dossier"' not in page
    body = client_for(vc).get(f"/api/catalog/achievements/{secret.pk}").json()
    assert (body["dossier_visible"], body["dossier_zh"], body["patent_numbers"]) == (
        False,
        None,
        None,
    )
    assert not AuditEntry.objects.filter(verb="achievement.view_dossier", actor=vc).exists()
    mine = client_for(vc).get(f"{API}/nda-invitations").json()
    assert [(i["id"], i["live"]) for i in mine] == [(invitation.pk, True)]
    # The invitation is for one organization: the others still see nothing.
    assert MARK not in _surfaces(buyer, eco, eco.onco_co)
    assert _detail(buyer, secret).status_code == 404


def test_approval_opens_the_dossier_until_the_grant_expires(
    personas: Personas, eco: Eco, secret: Any, vc: Any
) -> None:
    _invite(personas.partner_a, secret, eco.early_vc)
    req = _post(vc, "/access-requests", {"achievement_id": secret.pk, "accept_nda": True})
    assert req.status_code == 201, req.content
    assert (req.json()["status"], req.json()["organization_id"]) == (
        "nda_accepted",
        eco.early_vc.pk,
    )
    assert req.json()["nda_version"] and req.json()["nda_accepted_at"]
    assert DOSSIER not in _detail(vc, secret).content.decode()  # not before approval
    approved = _post(
        personas.partner_a,
        f"/access-requests/{req.json()['id']}/approve",
        {"expires_at": (timezone.now() + timedelta(days=30)).isoformat()},
    )
    assert approved.status_code == 200, approved.content

    assert DOSSIER in _detail(vc, secret).content.decode()
    assert client_for(vc).get(f"/api/catalog/achievements/{secret.pk}").json()["dossier_zh"] == (
        DOSSIER
    )
    assert AuditEntry.objects.filter(verb="achievement.view_dossier", actor=vc).count() == 2
    # Match lists and search never carry a dossier, granted or not.
    found = _discovery(vc, eco, eco.early_vc)
    assert MARK in found and DOSSIER not in found

    AccessGrant.objects.filter(achievement=secret).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    page = _detail(vc, secret)
    assert page.status_code == 200  # still invited: the teaser stays …
    assert DOSSIER not in page.content.decode()  # … the dossier is gone
    assert client_for(vc).get(f"/api/catalog/achievements/{secret.pk}").json()["dossier_zh"] is None


def test_revoked_invitation_hides_it_and_closes_requests_and_grants(
    personas: Personas, eco: Eco, secret: Any, vc: Any
) -> None:
    invitation = _invite(personas.partner_a, secret, eco.early_vc)
    first = _post(vc, "/access-requests", {"achievement_id": secret.pk, "accept_nda": True})
    _post(
        personas.partner_a,
        f"/access-requests/{first.json()['id']}/approve",
        {"expires_at": (timezone.now() + timedelta(days=30)).isoformat()},
    )
    # A second, still open request (e.g. from a colleague) is closed by the revocation too.
    AccessRequest.objects.create(
        achievement=secret, organization=eco.early_vc, requested_by=personas.staff
    )
    resp = client_for(personas.partner_a).post(
        f"/matchmaking/nda/invitations/{invitation.pk}/revoke/"
    )
    assert resp.status_code == 302

    invitation.refresh_from_db()
    assert invitation.revoked_by == personas.partner_a and invitation.revoked_at is not None
    assert AccessGrant.objects.get(achievement=secret).revoked_at is not None
    assert set(AccessRequest.objects.values_list("status", flat=True)) == {"approved", "rejected"}
    assert MARK not in _surfaces(vc, eco, eco.early_vc)
    assert _detail(vc, secret).status_code == 404
    assert client_for(vc).get(f"{API}/nda-invitations").json() == []
    again = _post(personas.partner_a, f"/nda-invitations/{invitation.pk}/revoke")
    assert again.status_code == 422
    assert again.json()["error"]["code"] == "invalid"
    # Invited anew, the organization sees the teaser again (no grant survives).
    _invite(personas.partner_a, secret, eco.early_vc)
    assert _detail(vc, secret).status_code == 200
    assert DOSSIER not in _detail(vc, secret).content.decode()


def test_expired_invitation_hides_it(personas: Personas, eco: Eco, secret: Any, vc: Any) -> None:
    invitation = _invite(personas.partner_a, secret, eco.early_vc)
    NdaInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert _detail(vc, secret).status_code == 404
    assert MARK not in _surfaces(vc, eco, eco.early_vc)
    # An expired invitation does not block a new one.
    _invite(personas.partner_a, secret, eco.early_vc)
    assert _detail(vc, secret).status_code == 200


def test_invitation_failures_are_form_errors_and_structured_api_errors(
    personas: Personas, eco: Eco, secret: Any
) -> None:
    owner = client_for(personas.partner_a)
    url = f"/matchmaking/nda/{secret.pk}/"
    own = owner.post(url, {"organization": personas.org_a.pk})
    assert own.status_code == 400
    assert own.context["form"].errors["organization"]
    eco.device_co.archived_at = timezone.now()
    eco.device_co.save(update_fields=["archived_at"])
    archived = owner.post(url, {"organization": eco.device_co.pk})
    assert archived.status_code == 400
    assert archived.context["form"].errors["organization"]
    past = owner.post(url, {"organization": eco.early_vc.pk, "expires_on": "2020-01-01"})
    assert past.status_code == 400 and past.context["form"].errors["expires_on"]
    assert not NdaInvitation.objects.exists()

    api = _post(
        personas.partner_a,
        "/nda-invitations",
        {"achievement_id": secret.pk, "organization_id": eco.device_co.pk},
    )
    assert api.status_code == 422
    err = api.json()["error"]
    assert (err["code"], list(err["fields"])) == ("invalid", ["organization"])
    assert err["message"]
    public = _post(
        personas.partner_a,
        "/nda-invitations",
        {"achievement_id": eco.achievement.pk, "organization_id": eco.early_vc.pk},
    )
    assert public.status_code == 422
    assert list(public.json()["error"]["fields"]) == ["achievement"]
    _invite(personas.partner_a, secret, eco.early_vc)
    twice = _post(
        personas.partner_a,
        "/nda-invitations",
        {"achievement_id": secret.pk, "organization_id": eco.early_vc.pk},
    )
    assert twice.status_code == 422
    # Not the owner: the confidential achievement does not exist for them (404) …
    stranger = _post(
        personas.partner_b,
        "/nda-invitations",
        {"achievement_id": secret.pk, "organization_id": eco.onco_co.pk},
    )
    assert stranger.status_code == 404
    assert stranger.json()["error"]["code"] == "not_found"
    assert client_for(personas.partner_b).get(url).status_code == 404


def test_invitee_cannot_invite_or_revoke(
    personas: Personas, eco: Eco, secret: Any, vc: Any
) -> None:
    invitation = _invite(personas.partner_a, secret, eco.early_vc)
    resp = _post(
        vc, "/nda-invitations", {"achievement_id": secret.pk, "organization_id": eco.onco_co.pk}
    )
    assert resp.status_code == 403
    assert resp.json()["error"]["code"] == "forbidden"
    assert _post(vc, f"/nda-invitations/{invitation.pk}/revoke").status_code == 403
    assert client_for(vc).get(f"/matchmaking/nda/{secret.pk}/").status_code == 403


def test_staff_invites_from_the_match_list_row(
    personas: Personas, eco: Eco, secret: Any, vc: Any
) -> None:
    staff = client_for(personas.staff)
    page = f"/matchmaking/achievement/{secret.pk}/?tab=investor"
    html = staff.get(page).content.decode()
    assert 'data-testid="invite-nda"' in html
    resp = staff.post(
        f"/matchmaking/nda/{secret.pk}/", {"organization": eco.early_vc.pk, "next": page}
    )
    assert resp.status_code == 302 and resp["Location"] == page
    assert 'data-testid="nda-invited"' in staff.get(page).content.decode()
    assert NdaInvitation.objects.get().invited_by == personas.staff
    # A foreign `next` is ignored.
    other = client_for(personas.partner_a).post(
        f"/matchmaking/nda/{secret.pk}/",
        {"organization": eco.late_fund.pk, "next": "https://evil.example/"},
    )
    assert other["Location"] == f"/matchmaking/nda/{secret.pk}/"
    access = client_for(vc).get("/matchmaking/access/").content.decode()
    assert 'data-testid="my-invitation"' in access and MARK in access
