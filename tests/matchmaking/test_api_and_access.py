"""API endpoints (matches, feedback, records, access requests) and the NDA access flow."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from luodi.accounts.models import AuditEntry
from luodi.disclosure.models import AccessGrant
from luodi.matchmaking import engine
from luodi.matchmaking.models import AccessRequest, MatchRecord
from luodi.retrieval import indexing
from luodi.retrieval.models import IndexRequest
from tests.conftest import Personas, client_for
from tests.factories import AchievementFactory
from tests.matchmaking.conftest import Eco

pytestmark = [pytest.mark.django_db]
API = "/api/matchmaking"


def _post(user: Any, path: str, data: Any) -> Any:
    return client_for(user).post(f"{API}{path}", data, content_type="application/json")


def test_matches_endpoint_explains_each_candidate(personas: Personas, eco: Eco) -> None:
    resp = client_for(personas.partner_a).get(
        f"{API}/matches/achievement/{eco.achievement.pk}", {"tab": "park"}
    )
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["method"] == "hybrid"
    assert [i["id"] for i in body["items"]] == [eco.lab_park.pk, eco.gmp_park.pk]
    blocked = body["items"][1]
    assert blocked["blocked"] is True
    assert any(
        r["code"] == "carrier" and r["ok"] is False and r["hard"] for r in blocked["reasons"]
    )
    bad = client_for(personas.partner_a).get(
        f"{API}/matches/achievement/{eco.achievement.pk}", {"tab": "nope"}
    )
    assert bad.status_code == 422
    # An unknown source kind is a field error too (it was a 500).
    kind = client_for(personas.partner_a).get(f"{API}/matches/patent/{eco.achievement.pk}")
    assert kind.status_code == 422
    assert "source_kind" in kind.json()["error"]["fields"]
    assert (
        client_for(None).get(f"{API}/matches/achievement/{eco.achievement.pk}").status_code == 401
    )


def test_feedback_endpoint_records_a_decline_with_reason(personas: Personas, eco: Eco) -> None:
    payload = {
        "source_kind": "achievement",
        "source_id": eco.achievement.pk,
        "target_kind": "company",
        "target_id": eco.onco_co.pk,
        "status": "declined",
    }
    missing = _post(personas.partner_a, "/feedback", payload)
    assert missing.status_code == 422
    assert "reason" in missing.json()["error"]["fields"]
    ok = _post(personas.partner_a, "/feedback", {**payload, "reason": "terms", "note": "royalty"})
    assert ok.status_code == 201, ok.content
    rec = MatchRecord.objects.get()
    assert (rec.status, rec.decline_reason, rec.counterparty_id) == (
        "declined",
        "terms",
        eco.onco_co.pk,
    )
    assert rec.features["stage"] == "preclinical"
    # A stranger may not act for the owner.
    assert (
        _post(personas.partner_b, "/feedback", {**payload, "status": "shortlisted"}).status_code
        == 403
    )
    records = client_for(personas.partner_a).get(f"{API}/records").json()
    assert [r["id"] for r in records] == [rec.pk]
    moved = _post(personas.partner_a, f"/records/{rec.pk}/status", {"status": "shortlisted"})
    assert moved.json()["status"] == "shortlisted"
    wrong = _post(personas.partner_a, f"/records/{rec.pk}/status", {"status": "converted"})
    assert wrong.status_code == 422


def test_converted_match_opens_a_transformation_project(personas: Personas, eco: Eco) -> None:
    payload = {
        "source_kind": "achievement",
        "source_id": eco.achievement.pk,
        "target_kind": "center",
        "target_id": eco.west_china.pk,
        "status": "introduced",
    }
    rec_id = _post(personas.partner_a, "/feedback", payload).json()["id"]
    for status in ("in_discussion", "converted"):
        resp = _post(personas.partner_a, f"/records/{rec_id}/status", {"status": status})
        assert resp.status_code == 200, resp.content
    rec = MatchRecord.objects.get(pk=rec_id)
    assert rec.project is not None
    assert rec.project.achievement_id == eco.achievement.pk
    assert list(rec.project.clinical_centers.all()) == [eco.west_china]


def test_counterparty_records_its_own_decline(eco: Eco, member_of: Any) -> None:
    vc = member_of(eco.early_vc, "vc_partner")
    resp = _post(
        vc,
        "/feedback",
        {
            "source_kind": "achievement",
            "source_id": eco.achievement.pk,
            "target_kind": "investor",
            "target_id": eco.early_vc.pk,
            "status": "declined",
            "reason": "too_early",
        },
    )
    assert resp.status_code == 201, resp.content
    learned = client_for(vc).get(f"{API}/learned/{eco.early_vc.pk}").json()
    assert learned["reasons"] == {"too_early": 1}
    assert len(learned["rules"]) == 1


def test_access_request_nda_approval_and_expiry(
    personas: Personas, eco: Eco, member_of: Any
) -> None:
    teaser = AchievementFactory(
        owner=personas.org_a, disclosure="teaser", dossier_zh="DOSSIER-细节-77"
    )
    buyer = member_of(eco.onco_co, "buyer")
    created = _post(buyer, "/access-requests", {"achievement_id": teaser.pk})
    assert created.status_code == 201, created.content
    req_id = created.json()["id"]
    assert created.json()["status"] == "requested"
    # The owner cannot approve before the NDA is accepted.
    early = _post(
        personas.partner_a,
        f"/access-requests/{req_id}/approve",
        {"expires_at": (timezone.now() + timedelta(days=30)).isoformat()},
    )
    assert early.status_code == 422
    accepted = _post(buyer, f"/access-requests/{req_id}/accept-nda", {})
    assert accepted.json()["status"] == "nda_accepted"
    assert accepted.json()["nda_version"]
    # The requester cannot approve their own request; the owner can.
    assert (
        _post(
            buyer,
            f"/access-requests/{req_id}/approve",
            {"expires_at": (timezone.now() + timedelta(days=30)).isoformat()},
        ).status_code
        == 403
    )
    approved = _post(
        personas.partner_a,
        f"/access-requests/{req_id}/approve",
        {"expires_at": (timezone.now() + timedelta(days=30)).isoformat()},
    )
    assert approved.status_code == 200, approved.content
    grant = AccessGrant.objects.get(pk=approved.json()["grant_id"])
    assert (grant.organization_id, grant.nda_version) == (eco.onco_co.pk, "2026-01")
    detail = client_for(buyer).get(f"/catalog/achievements/{teaser.pk}/")
    assert "DOSSIER-细节-77" in detail.content.decode()
    assert AuditEntry.objects.filter(verb="achievement.view_dossier", actor=buyer).count() == 1
    viewers = client_for(personas.partner_a).get("/matchmaking/viewers/").content.decode()
    assert "buyer" in viewers
    assert (
        client_for(personas.partner_b).get("/matchmaking/viewers/").content.decode().count("buyer")
        == 0
    )
    grant.expires_at = timezone.now() - timedelta(seconds=1)
    grant.save(update_fields=["expires_at"])
    again = client_for(buyer).get(f"/catalog/achievements/{teaser.pk}/")
    assert "DOSSIER-细节-77" not in again.content.decode()
    assert AccessRequest.objects.get().status == "approved"


def test_public_dossier_needs_no_request(personas: Personas, eco: Eco) -> None:
    resp = _post(personas.partner_b, "/access-requests", {"achievement_id": eco.achievement.pk})
    assert resp.status_code == 409


def test_openapi_lists_matchmaking_endpoints(personas: Personas) -> None:
    schema = client_for(personas.staff).get("/api/openapi.json").json()
    paths = set(schema["paths"])
    assert {
        f"{API}/matches/{{source_kind}}/{{source_id}}",
        f"{API}/feedback",
        f"{API}/access-requests",
        f"{API}/access-requests/{{request_id}}/approve",
    } <= paths


def test_catalog_changes_queue_a_refresh_that_the_worker_drains(
    personas: Personas, eco: Eco
) -> None:
    item = AchievementFactory(owner=personas.org_a, title_zh="全新的脑机接口电极阵列")
    assert IndexRequest.objects.filter(
        kind="achievement", object_id=item.pk, done_at__isnull=True
    ).exists()
    eng = engine.get_engine()
    index = eng.backend("achievement")
    assert index is not None and str(item.pk) not in index  # requests never refresh

    indexing.sync_index("achievement")  # the job the commit queues

    index = eng.backend("achievement")
    assert index is not None and str(item.pk) in index
    assert not IndexRequest.objects.filter(done_at__isnull=True).exists()


def test_a_transaction_queues_one_sync_per_kind_after_commit(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        indexing.request_on_commit("achievement", 1)
        indexing.request_on_commit("achievement", 2)
        indexing.request_on_commit("need", 3)

    assert sorted(c.kind for c in after_commit) == ["achievement", "need"]  # type: ignore[attr-defined]
    assert IndexRequest.objects.filter(done_at__isnull=True).count() == 3


def test_waiting_refresh_is_not_queued_twice_but_one_in_hand_is(db: None) -> None:
    indexing.request("achievement", 1)
    indexing.request("achievement", 1)  # the same waiting row is not queued twice
    _token, rows = indexing._claim("achievement", 10)
    indexing.request("achievement", 1)  # changed again while being worked on
    assert [r.object_id for r in rows] == [1]
    assert IndexRequest.objects.filter(kind="achievement", done_at__isnull=True).count() == 2


def test_match_page_query_count_is_flat(personas: Personas, eco: Eco) -> None:
    client = client_for(personas.partner_a)
    url = f"/matchmaking/achievement/{eco.achievement.pk}/?tab=company"
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(3):
        AchievementFactory(owner=eco.onco_co)  # unrelated rows
        from tests.matchmaking.conftest import _company

        _company(f"新公司{n}", f"New Co {n}", "抗肿瘤", [eco.oncology])
    with CaptureQueriesContext(connection) as three:
        client.get(url)
    assert len(three) == len(one), json.dumps([q["sql"][:80] for q in three.captured_queries])
