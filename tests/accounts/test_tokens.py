"""API tokens: expiry, read/write scope, revocation by a password change, structured 401/403."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from luodi.accounts import domain
from luodi.accounts.models import ApiToken, AuditEntry
from tests.conftest import Personas, client_for
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _channel(client: Client, raw: str, name: str = "mail") -> int:
    return client.post(
        "/api/notifications/channels",
        {"kind": "email", "name": name, "target": "me@example.org", "events": ["reminder"]},
        content_type="application/json",
        **_bearer(raw),
    ).status_code


def test_expired_token_is_refused_with_its_reason(personas: Personas) -> None:
    token, raw = domain.create_api_token(actor=personas.partner_a, name="old", days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = Client().get("/api/accounts/me", **_bearer(raw))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_expired"


def test_token_expires_after_the_chosen_days(personas: Personas) -> None:
    token, _raw = domain.create_api_token(actor=personas.partner_a, name="week", days=7)
    lifetime = token.expires_at - token.created_at
    assert timedelta(days=7) - timedelta(seconds=5) < lifetime <= timedelta(days=7)
    default, _raw = domain.create_api_token(actor=personas.partner_a, name="default")
    assert (default.expires_at - default.created_at).days in (89, 90)


def test_lifetime_above_the_maximum_is_a_422(personas: Personas) -> None:
    response = client_for(personas.partner_a).post(
        "/api/accounts/tokens", {"name": "forever", "days": 4000}, content_type="application/json"
    )
    assert response.status_code == 422
    assert "days" in response.json()["error"]["fields"]
    assert not ApiToken.objects.exists()


def test_read_token_may_read_but_not_write(personas: Personas) -> None:
    _token, raw = domain.create_api_token(actor=personas.partner_a, name="r", scope="read")
    client = Client()
    assert client.get("/api/accounts/me", **_bearer(raw)).status_code == 200

    response = client.post(
        "/api/notifications/channels",
        {"kind": "email", "name": "x", "target": "me@example.org", "events": ["reminder"]},
        content_type="application/json",
        **_bearer(raw),
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "insufficient_scope"


def test_write_token_may_create(personas: Personas) -> None:
    _token, raw = domain.create_api_token(actor=personas.partner_a, name="w", scope="write")
    assert _channel(Client(), raw) == 201


def test_password_change_revokes_every_token(personas: Personas) -> None:
    user = personas.partner_a
    _t1, raw1 = domain.create_api_token(actor=user, name="a", scope="write")
    _t2, raw2 = domain.create_api_token(actor=user, name="b")
    _other, other_raw = domain.create_api_token(actor=personas.partner_b, name="theirs")
    client = client_for(user)

    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-brand-new-passphrase-77",
            "new_password2": "a-brand-new-passphrase-77",
        },
    )

    assert response.status_code == 302
    refused = Client().get("/api/accounts/me", **_bearer(raw1))
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "token_revoked"
    assert Client().get("/api/accounts/me", **_bearer(raw2)).status_code == 401
    assert Client().get("/api/accounts/me", **_bearer(other_raw)).status_code == 200
    assert set(user.api_tokens.values_list("revoked_reason", flat=True)) == {"password"}
    entry = AuditEntry.objects.get(verb="token.revoke_all")
    assert entry.target_id == str(user.pk) and len(entry.changes["tokens"]) == 2


def test_password_set_through_a_reset_revokes_tokens_too(personas: Personas) -> None:
    user = personas.partner_a
    _token, raw = domain.create_api_token(actor=user, name="a")
    user.set_password("another-passphrase-for-reset-1")
    user.save()
    assert Client().get("/api/accounts/me", **_bearer(raw)).status_code == 401


def test_rehashing_the_same_password_keeps_tokens(personas: Personas, settings) -> None:  # type: ignore[no-untyped-def]
    user = personas.partner_a
    _token, raw = domain.create_api_token(actor=user, name="a")
    # A new preferred hasher makes the next sign-in re-hash the unchanged password.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    signed_in = Client().post("/accounts/login/", {"username": "partner_a", "password": PASSWORD})
    assert signed_in.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("pbkdf2_")
    assert Client().get("/api/accounts/me", **_bearer(raw)).status_code == 200


def test_revoked_token_stays_listed_as_revoked(personas: Personas) -> None:
    client = client_for(personas.partner_a)
    created = client.post(
        "/api/accounts/tokens",
        {"name": "n", "scope": "write", "days": 30},
        content_type="application/json",
    ).json()
    assert created["scope"] == "write"
    assert client.delete(f"/api/accounts/tokens/{created['id']}").status_code == 204

    listed = client.get("/api/accounts/tokens").json()

    assert [(t["id"], t["revoked_reason"]) for t in listed] == [(created["id"], "owner")]
    assert Client().get("/api/accounts/me", **_bearer(created["token"])).status_code == 401


def test_a_token_cannot_create_tokens(personas: Personas) -> None:
    _token, raw = domain.create_api_token(actor=personas.partner_a, name="w", scope="write")
    response = Client().post(
        "/api/accounts/tokens", {"name": "child"}, content_type="application/json", **_bearer(raw)
    )
    assert response.status_code == 403
    assert personas.partner_a.api_tokens.count() == 1


def test_use_is_recorded_in_last_used_at(personas: Personas) -> None:
    token, raw = domain.create_api_token(actor=personas.partner_a, name="r")
    Client().get("/api/accounts/me", **_bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_profile_page_shows_scope_expiry_and_status(personas: Personas) -> None:
    client = client_for(personas.partner_a)
    response = client.post("/accounts/profile/", {"name": "nightly", "scope": "write", "days": 30})
    assert response.status_code == 200
    token = ApiToken.objects.get()
    assert token.scope == "write"
    assert (token.expires_at - token.created_at).days in (29, 30)
    page = response.content.decode()
    assert timezone.localtime(token.expires_at).strftime("%Y-%m-%d") in page
    assert response.context["new_token"].startswith("ld_")
