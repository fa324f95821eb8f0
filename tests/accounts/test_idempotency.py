"""`Idempotency-Key` on API creates: a retried create answers the first response."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from luodi.accounts import domain
from luodi.accounts.models import IdempotencyKey
from luodi.api import api
from luodi.notifications.models import Channel
from tests.conftest import Personas, client_for

pytestmark = pytest.mark.django_db

URL = "/api/notifications/channels"
BODY = {"kind": "email", "name": "mail", "target": "me@example.org", "events": ["reminder"]}


def _post(client: Client, body: dict[str, Any], key: str | None = None, **extra: str) -> Any:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(URL, body, content_type="application/json", **headers, **extra)


def test_same_key_and_body_create_once_and_replay_the_first_answer(personas: Personas) -> None:
    client = client_for(personas.partner_a)
    first = _post(client, BODY, key="k-1")
    again = _post(client, BODY, key="k-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Channel.objects.count() == 1


def test_same_key_with_another_body_is_refused(personas: Personas) -> None:
    client = client_for(personas.partner_a)
    _post(client, BODY, key="k-1")
    other = _post(client, {**BODY, "name": "other"}, key="k-1")

    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert list(Channel.objects.values_list("name", flat=True)) == ["mail"]


def test_without_a_key_each_post_creates(personas: Personas) -> None:
    client = client_for(personas.partner_a)
    _post(client, BODY)
    _post(client, BODY)
    assert Channel.objects.count() == 2


def test_keys_belong_to_one_user(personas: Personas) -> None:
    _post(client_for(personas.partner_a), BODY, key="shared")
    theirs = _post(client_for(personas.partner_b), BODY, key="shared")
    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs
    assert Channel.objects.count() == 2


def test_a_refused_create_keeps_nothing_so_the_key_can_be_retried(personas: Personas) -> None:
    client = client_for(personas.partner_a)
    refused = _post(client, {**BODY, "target": "not an address"}, key="k-2")
    assert refused.status_code == 422
    assert not IdempotencyKey.objects.exists()
    assert _post(client, BODY, key="k-3").status_code == 201
    fixed = _post(client, {**BODY, "target": "not an address"}, key="k-2")
    assert fixed.status_code == 422  # still wrong: answered again, not replayed


def test_works_with_a_bearer_token(personas: Personas) -> None:
    _token, raw = domain.create_api_token(actor=personas.partner_a, name="w", scope="write")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    first = _post(Client(), BODY, key="script-run-7", **auth)
    again = _post(Client(), BODY, key="script-run-7", **auth)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    assert Channel.objects.count() == 1


def test_a_key_without_credentials_is_still_a_401(db: None) -> None:
    assert _post(Client(), BODY, key="k").status_code == 401


def test_an_unusable_key_is_a_422(personas: Personas) -> None:
    response = _post(client_for(personas.partner_a), BODY, key="x" * 300)
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["error"]["fields"]


def test_new_tokens_are_never_stored_for_replay(personas: Personas) -> None:
    client = client_for(personas.partner_a)
    response = client.post(
        "/api/accounts/tokens",
        {"name": "n"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="t-1",
    )
    assert response.status_code == 201
    assert not IdempotencyKey.objects.exists()


def test_every_create_documents_the_header() -> None:
    schema = api.get_openapi_schema(path_prefix="/api")
    creates = {
        (path, op["operationId"])
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
        if method == "post" and 201 in op["responses"]
    }
    documented = {
        (path, op["operationId"])
        for path, ops in schema["paths"].items()
        for op in ops.values()
        if any(p["name"] == "Idempotency-Key" for p in op.get("parameters", []))
    }
    assert len(creates) > 15
    assert documented == {c for c in creates if c[0] != "/api/accounts/tokens"}
