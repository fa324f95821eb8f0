"""Small JSON helpers for the catalog API tests."""

from __future__ import annotations

from typing import Any

from django.test import Client

from luodi.accounts.models import User
from tests.conftest import client_for

API = "/api/catalog"


class Api:
    """A signed-in (session) client speaking JSON to /api/catalog."""

    def __init__(self, user: User | None) -> None:
        self.client: Client = client_for(user)

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"{API}{path}", params)

    def post(self, path: str, data: Any = None) -> Any:
        return self.client.post(f"{API}{path}", data or {}, content_type="application/json")

    def patch(self, path: str, data: Any) -> Any:
        return self.client.patch(f"{API}{path}", data, content_type="application/json")


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def error_fields(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 422, response.content
    body = response.json()["error"]
    assert body["code"] == "invalid"
    fields: dict[str, list[str]] = body["fields"]
    return fields
