"""The notifications API: channels from creation to deletion, field errors in the project's
one error shape, email choices, test sends and the deliveries list."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from luodi.accounts.models import AuditEntry
from luodi.notifications.models import Channel
from tests.conftest import Personas, client_for
from tests.notifications.conftest import FakeRobots

pytestmark = pytest.mark.django_db


def _send(client: Client, method: str, url: str, body: dict[str, Any]) -> Any:
    return getattr(client, method)(url, json.dumps(body), "application/json")


def test_team_channel_lifecycle(personas: Personas, admin_a: Any, robots: FakeRobots) -> None:
    client = client_for(admin_a)
    org = personas.org_a.pk

    created = _send(
        client,
        "post",
        "/api/notifications/channels",
        {
            "kind": "wecom",
            "name": "BD 群",
            "target": robots.wecom_url("key-abcdef123456"),
            "events": ["open_call", "match_alert"],
            "organization_id": org,
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["organization_id"] == org
    assert body["events"] == ["match_alert", "open_call"]  # stored in a fixed order
    assert body["language"] == "zh-hans"
    pk = body["id"]

    changed = _send(
        client, "patch", f"/api/notifications/channels/{pk}", {"language": "en", "is_active": False}
    )
    assert changed.status_code == 200
    assert (changed.json()["language"], changed.json()["is_active"]) == ("en", False)
    assert Channel.objects.get(pk=pk).target == robots.wecom_url("key-abcdef123456")

    tested = client.post(f"/api/notifications/channels/{pk}/test")
    assert tested.status_code == 202
    assert tested.json()["status"] == "sent"
    assert tested.json()["event"] == "test"

    listed = client.get(f"/api/notifications/deliveries?organization_id={org}")
    assert listed.status_code == 200
    assert [d["id"] for d in listed.json()["items"]] == [tested.json()["id"]]
    assert listed.json()["items"][0]["to"] == "BD 群"

    assert client.delete(f"/api/notifications/channels/{pk}").status_code == 204
    assert not Channel.objects.exists()
    verbs = list(
        AuditEntry.objects.filter(verb__startswith="notification_channel").values_list(
            "verb", flat=True
        )
    )
    assert sorted(verbs) == [
        "notification_channel.create",
        "notification_channel.delete",
        "notification_channel.test",
        "notification_channel.update",
    ]


def test_disallowed_host_is_a_field_error(personas: Personas) -> None:
    response = _send(
        client_for(personas.partner_a),
        "post",
        "/api/notifications/channels",
        {
            "kind": "dingtalk",
            "name": "x",
            "target": "https://example.com/robot/send?access_token=t",
        },
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == ["target"]
    assert not Channel.objects.exists()


def test_secret_only_for_services_that_sign(personas: Personas, robots: FakeRobots) -> None:
    response = _send(
        client_for(personas.partner_a),
        "post",
        "/api/notifications/channels",
        {"kind": "wecom", "name": "x", "target": robots.wecom_url(), "secret": "SECabc"},
    )
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["secret"]


def test_unknown_event_kind_is_a_field_error(personas: Personas, robots: FakeRobots) -> None:
    response = _send(
        client_for(personas.partner_a),
        "post",
        "/api/notifications/channels",
        {"kind": "wecom", "name": "x", "target": robots.wecom_url(), "events": ["gossip"]},
    )
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["events"]


def test_patch_with_empty_secret_removes_it(personas: Personas, robots: FakeRobots) -> None:
    client = client_for(personas.partner_a)
    pk = _send(
        client,
        "post",
        "/api/notifications/channels",
        {"kind": "feishu", "name": "x", "target": robots.feishu_url(), "secret": "s3cret"},
    ).json()["id"]
    kept = _send(client, "patch", f"/api/notifications/channels/{pk}", {"name": "y"})
    assert kept.json()["signed"] is True
    removed = _send(client, "patch", f"/api/notifications/channels/{pk}", {"secret": ""})
    assert removed.json()["signed"] is False
    assert Channel.objects.get(pk=pk).secret == ""


def test_email_choices_round_trip(personas: Personas) -> None:
    client = client_for(personas.partner_a)
    before = client.get("/api/notifications/preferences").json()
    assert before == {
        "reminder": True,
        "match_alert": True,
        "open_call": True,
        "event_registration": False,
    }
    after = _send(
        client,
        "patch",
        "/api/notifications/preferences",
        {"reminder": False, "event_registration": True},
    ).json()
    assert after == {
        "reminder": False,
        "match_alert": True,
        "open_call": True,
        "event_registration": True,
    }
    assert client.get("/api/notifications/preferences").json() == after


def test_test_email_through_the_api(personas: Personas) -> None:
    client = client_for(personas.partner_a)
    response = client.post("/api/notifications/preferences/test")
    assert response.status_code == 202
    assert response.json()["to"] == personas.partner_a.email
    mine = client.get("/api/notifications/deliveries").json()
    assert [d["id"] for d in mine["items"]] == [response.json()["id"]]


def test_api_requires_authentication() -> None:
    assert Client().get("/api/notifications/channels").status_code == 401
