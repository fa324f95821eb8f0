from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from luodi import cli
from luodi.accounts import domain
from luodi.accounts.models import AuditEntry, User
from tests.conftest import Personas, client_for

pytestmark = pytest.mark.django_db


def test_home_is_public_and_chinese_by_default(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "登录" in html


def test_language_switch_turns_pages_english(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert "Sign in" in html


@pytest.mark.parametrize("path", ["/audit/", "/accounts/profile/"])
def test_private_pages_redirect_anonymous_to_sign_in(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_api_without_credentials_is_401_json(client: Client) -> None:
    response = client.get("/api/accounts/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_api_accepts_bearer_token(personas: Personas) -> None:
    _token, raw = domain.create_api_token(actor=personas.partner_a, name="script")
    response = Client().get("/api/accounts/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert response.json()["username"] == "partner_a"
    assert response.json()["memberships"][0]["organization_id"] == personas.org_a.pk


def test_api_rejects_unknown_token(db: None) -> None:
    response = Client().get("/api/accounts/me", HTTP_AUTHORIZATION="Bearer ld_nope")
    assert response.status_code == 401


def test_api_validation_error_has_fields(personas: Personas) -> None:
    client = client_for(personas.partner_a)
    response = client.post("/api/accounts/tokens", {"name": ""}, content_type="application/json")
    assert response.status_code == 422
    body = response.json()["error"]
    assert body["code"] == "invalid"
    assert "name" in body["fields"]


def test_api_malformed_json_is_4xx_not_500(personas: Personas) -> None:
    client = client_for(personas.partner_a)
    response = client.post("/api/accounts/tokens", "{not json", content_type="application/json")
    assert 400 <= response.status_code < 500
    assert "error" in response.json()


def test_audit_api_forbidden_for_partner(personas: Personas) -> None:
    response = client_for(personas.partner_a).get("/api/accounts/audit")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_token_create_and_revoke_are_audited(personas: Personas) -> None:
    client = client_for(personas.partner_a)
    created = client.post(
        "/api/accounts/tokens", {"name": "nightly"}, content_type="application/json"
    )
    assert created.status_code == 201
    token_id = created.json()["id"]
    assert client.delete(f"/api/accounts/tokens/{token_id}").status_code == 204
    verbs = list(
        AuditEntry.objects.filter(actor=personas.partner_a, verb__startswith="token")
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert verbs == ["token.create", "token.revoke"]


def test_partner_cannot_revoke_someone_elses_token(personas: Personas) -> None:
    token, _raw = domain.create_api_token(actor=personas.partner_b, name="b's")
    response = client_for(personas.partner_a).delete(f"/api/accounts/tokens/{token.pk}")
    assert response.status_code == 404
    assert personas.partner_b.api_tokens.count() == 1


def test_audit_log_page_is_staff_only(personas: Personas) -> None:
    assert client_for(personas.partner_a).get("/audit/").status_code == 403
    assert client_for(personas.viewer).get("/audit/").status_code == 403
    response = client_for(personas.staff).get("/audit/?verb=membership")
    assert response.status_code == 200
    assert "membership" in response.content.decode()


def test_failed_login_is_audited_without_confirming_the_account(client: Client) -> None:
    response = client.post("/accounts/login/", {"username": "ghost", "password": "x" * 12})
    assert response.status_code == 200
    entry = AuditEntry.objects.get(verb="auth.login_failed")
    assert entry.actor is None
    assert entry.actor_label == "ghost"


def test_unknown_user_and_wrong_password_read_the_same(personas: Personas) -> None:
    wrong = Client().post("/accounts/login/", {"username": "partner_a", "password": "x" * 12})
    ghost = Client().post("/accounts/login/", {"username": "nobody", "password": "x" * 12})
    assert wrong.context["form"].non_field_errors() == ghost.context["form"].non_field_errors()


def test_login_is_throttled_after_repeated_failures(personas: Personas, settings) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(3):
        client.post("/accounts/login/", {"username": "partner_a", "password": "wrong-pass-1"})
    locked = client.post(
        "/accounts/login/", {"username": "partner_a", "password": "correct-horse-battery-42"}
    )
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_email(personas: Personas) -> None:
    personas.partner_a.email = "a@example.org"
    personas.partner_a.save(update_fields=["email"])
    response = Client().post("/accounts/password_reset/", {"email": "a@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body


def test_profile_form_rerenders_with_field_errors(personas: Personas) -> None:
    response = client_for(personas.partner_a).post("/accounts/profile/", {"name": ""})
    assert response.status_code == 400
    assert response.context["form"].errors["name"]


def test_demo_loader_is_idempotent(db: None) -> None:
    cli.main(["demo"])
    users = User.objects.count()
    cli.main(["demo"])
    assert User.objects.count() == users
    assert User.objects.get(username="admin").is_superuser


def test_csp_header_forbids_inline_script(client: Client) -> None:
    csp = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp


def test_healthz_live(client: Client) -> None:
    # Readiness (/healthz, with its dependency checks) is tested in tests/ops/test_healthz.py.
    assert client.get("/healthz/live").json() == {"live": True}


def test_check_deploy_is_clean_with_production_settings() -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env |= {
        "LUODI_DEBUG": "false",
        "LUODI_HTTPS": "true",
        "LUODI_SECRET_KEY": "k" * 20 + "production-like-secret-key-with-enough-entropy-x9Z!",
    }
    result = subprocess.run(
        [sys.executable, "-m", "luodi.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
