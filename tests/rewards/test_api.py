"""The rewards API: visibility (404 for a viewer and another partner), creating a split from
a ledger entry, the transitions with versions (409), the policy floor as a 422 on the field,
contributor shares, and nothing written on a refusal."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from luodi.rewards.models import ContributorShare, RewardDistribution, RewardPolicy
from tests.conftest import Personas, client_for
from tests.factories import AchievementFactory
from tests.ledger.helpers import entry
from tests.rewards.helpers import TODAY, ready

pytestmark = pytest.mark.django_db
API = "/api/rewards"


def _send(client: Client, method: str, url: str, body: dict[str, Any], **headers: str) -> Any:
    return getattr(client, method)(
        url, json.dumps(body, default=str), content_type="application/json", **headers
    )


def test_create_and_walk_the_states(personas: Personas) -> None:
    s = ready(personas.staff, personas.org_a, amount_fen=1_000_003)
    client = client_for(personas.partner_a)
    created = _send(client, "post", f"{API}/distributions", {"entry_id": s.income.pk})
    assert created.status_code == 201, created.content
    d = created.json()
    assert d["state"] == "draft" and d["currency"] == "CNY"
    assert sum(line["amount_fen"] for line in d["lines"]) == d["base_fen"] == 1_000_003
    assert [line["role"] for line in d["lines"]] == [
        "institution",
        "department",
        "main",
        "main",
        "contributor",
    ]
    again = _send(client, "post", f"{API}/distributions", {"entry_id": s.income.pk})
    assert again.status_code == 422 and "entry_id" in again.json()["error"]["fields"]
    url = f"{API}/distributions/{d['id']}"
    approved = _send(
        client,
        "post",
        f"{url}/approve",
        {"approval_body": "院长办公会", "approval_reference": "12号", "version": d["version"]},
    )
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    stale = _send(
        client,
        "post",
        f"{url}/notice",
        {
            "notice_starts_on": TODAY,
            "notice_ends_on": TODAY + timedelta(days=14),
            "notice_where": "公示栏",
            "version": d["version"],
        },
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["fields"]["version"] == [str(approved.json()["version"])]
    short = _send(
        client,
        "post",
        f"{url}/notice",
        {"notice_starts_on": TODAY, "notice_ends_on": TODAY, "notice_where": "栏"},
    )
    assert short.status_code == 422 and "notice_ends_on" in short.json()["error"]["fields"]
    noticed = _send(
        client,
        "post",
        f"{url}/notice",
        {
            "notice_starts_on": TODAY,
            "notice_ends_on": TODAY + timedelta(days=14),
            "notice_where": "公示栏",
        },
    )
    assert noticed.json()["state"] == "on_notice"
    early = _send(client, "post", f"{url}/finalize", {})
    assert early.status_code == 422
    objected = _send(client, "post", f"{url}/objection", {"objection": "份额不符"})
    assert objected.json()["state"] == "draft" and objected.json()["objection"] == "份额不符"
    recomputed = _send(
        client, "post", f"{url}/recompute", {"deducted_fen": 3, "deduction_note": "手续费"}
    )
    assert recomputed.status_code == 200 and recomputed.json()["base_fen"] == 1_000_000
    paid = _send(client, "post", f"{url}/paid", {"paid_on": TODAY})
    assert paid.status_code == 422 and "state" in paid.json()["error"]["fields"]
    listed = client.get(f"{API}/distributions?state=draft").json()
    assert [row["id"] for row in listed["items"]] == [d["id"]]


def test_visibility_per_role(personas: Personas) -> None:
    s = ready(personas.staff, personas.org_a)
    d = RewardDistribution.objects.none()
    created = _send(
        client_for(personas.staff), "post", f"{API}/distributions", {"entry_id": s.income.pk}
    ).json()
    for user in (personas.partner_b, personas.viewer):
        client = client_for(user)
        assert client.get(f"{API}/distributions").json()["items"] == []
        assert client.get(f"{API}/distributions/{created['id']}").status_code == 404
        assert (
            _send(
                client,
                "post",
                f"{API}/distributions/{created['id']}/approve",
                {"approval_body": "x", "approval_reference": "y"},
            ).status_code
            == 404
        )
        assert client.get(f"{API}/policies/{personas.org_a.pk}").status_code == 404
        assert client.get(f"{API}/achievements/{s.achievement.pk}/contributors").status_code == 404
        other = entry(personas.staff, personas.org_a, achievement=s.achievement)
        assert (
            _send(client, "post", f"{API}/distributions", {"entry_id": other.pk}).status_code == 404
        )
    assert not d.exists()
    assert RewardDistribution.objects.get().state == "draft"


def test_policy_put_refuses_below_the_floor_and_keeps_versions(personas: Personas) -> None:
    client = client_for(personas.partner_a)
    url = f"{API}/policies/{personas.org_a.pk}"
    assert client.get(url).json() == {
        "institution": {"id": personas.org_a.pk, "name": personas.org_a.display_name},
        "in_force": None,
        "versions": [],
        "version": 0,
    }
    body = {
        "effective_from": TODAY,
        "team_bp": 4_000,
        "main_bp": 6_000,
        "institution_bp": 4_000,
        "department_bp": 2_000,
        "version": 0,
    }
    low = _send(client, "put", url, body)
    assert low.status_code == 422 and list(low.json()["error"]["fields"]) == ["team_bp"]
    assert not RewardPolicy.objects.exists()
    ok = _send(
        client,
        "put",
        url,
        {**body, "team_bp": 7_000, "institution_bp": 2_000, "department_bp": 1_000},
    )
    assert ok.status_code == 200 and ok.json()["in_force"]["team_bp"] == 7_000
    stale = _send(
        client,
        "put",
        url,
        {
            **body,
            "team_bp": 7_000,
            "institution_bp": 2_000,
            "department_bp": 1_000,
            "effective_from": TODAY - timedelta(days=1),
        },
    )
    assert stale.status_code == 409
    out_of_range = _send(client, "put", url, {**body, "team_bp": 10_001})
    assert out_of_range.status_code == 422


def test_contributor_shares_get_and_put(personas: Personas) -> None:
    s = ready(personas.staff, personas.org_a)
    client = client_for(personas.partner_a)
    url = f"{API}/achievements/{s.achievement.pk}/contributors"
    got = client.get(url).json()
    assert got["version"] == 1 and len(got["shares"]) == 3
    assert all(c["inventor"] for c in got["candidates"][:3])
    p0, p1 = s.people[0].pk, s.people[1].pk
    bad = _send(
        client,
        "put",
        url,
        {"shares": [{"person_id": p0, "share_bp": 9_000, "is_main": True}], "version": 1},
    )
    assert bad.status_code == 422 and "shares" in bad.json()["error"]["fields"]
    foreign = AchievementFactory(owner=personas.org_b).pk
    stranger = _send(client, "put", f"{API}/achievements/{foreign}/contributors", {"shares": []})
    assert stranger.status_code == 404
    ok = _send(
        client,
        "put",
        url,
        {
            "shares": [
                {"person_id": p0, "share_bp": 7_000, "is_main": True},
                {"person_id": p1, "share_bp": 3_000},
            ],
            "version": 1,
        },
    )
    assert ok.status_code == 200 and ok.json()["version"] == 2
    assert ContributorShare.objects.count() == 2


def test_a_confidential_achievement_never_reaches_another_partner(personas: Personas) -> None:
    secret = "机密REWARDLEAK骨钉"
    s = ready(personas.staff, personas.org_a, title=secret, disclosure="confidential")
    created = _send(
        client_for(personas.staff), "post", f"{API}/distributions", {"entry_id": s.income.pk}
    ).json()
    assert created["achievement"]["title"] == secret
    member = client_for(personas.partner_a).get(f"{API}/distributions/{created['id']}").json()
    assert member["achievement"]["title"] == secret  # its own institution's achievement
    for user in (personas.partner_b, personas.viewer):
        client = client_for(user)
        for url in (
            f"{API}/distributions",
            "/rewards/",
            f"/rewards/{created['id']}/",
            f"/rewards/team/{s.achievement.pk}/",
        ):
            response = client.get(url)
            assert secret not in response.content.decode(), (user, url)
