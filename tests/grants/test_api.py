"""The grants API: visibility per role, create with the team, bad input as field errors
with nothing written, a patch with a stale version refused, the moves and their refusals,
documents (upload, bad type, list, download as an attachment) and the evidence ZIP."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from luodi.grants.models import Grant, GrantDocument
from tests.conftest import Personas, client_for
from tests.factories import AchievementFactory, PersonFactory
from tests.grants.helpers import PDF, TODAY, make_grant

pytestmark = pytest.mark.django_db
API = "/api/grants"


def _post(client: Client, url: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(
        url, json.dumps(body, default=str), content_type="application/json", **headers
    )


def _patch(client: Client, url: str, body: dict[str, Any], **headers: str) -> Any:
    return client.patch(
        url, json.dumps(body, default=str), content_type="application/json", **headers
    )


def _body(personas: Personas, **kw: Any) -> dict[str, Any]:
    achievement = AchievementFactory(owner=personas.org_a)
    lead = PersonFactory(organization=personas.org_a)
    second = PersonFactory(organization=personas.org_a)
    return {
        "institution_id": personas.org_a.pk,
        "achievement_id": achievement.pk,
        "kind": "ownership",
        "team_share_bp": 7000,
        "members": [
            {"person_id": lead.pk, "share_bp": 4000},
            {"person_id": second.pk, "share_bp": 3000},
        ],
        "decision_body": "院长办公会",
        "decided_on": TODAY - timedelta(days=3),
        **kw,
    }


def test_visibility_per_role(personas: Personas) -> None:
    a = make_grant(personas.staff, personas.org_a)
    b = make_grant(personas.staff, personas.org_b)
    seen = {
        who: {row["id"] for row in client_for(user).get(f"{API}/").json()["items"]}
        for who, user in (
            ("staff", personas.staff),
            ("partner_a", personas.partner_a),
            ("partner_b", personas.partner_b),
            ("viewer", personas.viewer),
        )
    }
    assert seen == {
        "staff": {a.pk, b.pk},
        "partner_a": {a.pk},
        "partner_b": {b.pk},
        "viewer": set(),
    }
    filtered = client_for(personas.staff).get(
        f"{API}/?institution={personas.org_b.pk}&status=draft"
    )
    assert [row["id"] for row in filtered.json()["items"]] == [b.pk]


def test_create_with_team_and_checklist(personas: Personas) -> None:
    client = client_for(personas.partner_a)
    answer = _post(client, f"{API}/", _body(personas))
    assert answer.status_code == 201, answer.json()
    data = answer.json()
    assert (data["status"], data["team_share_bp"], data["version"]) == ("draft", 7000, 1)
    assert [m["share_bp"] for m in data["members"]] == [4000, 3000]
    checklist = {i["key"]: (i["recorded"], i["document"]) for i in data["checklist"]}
    assert checklist == {
        "valuation": (False, False),
        "minutes": (True, False),
        "notice": (False, False),
        "agreement": (True, False),
    }
    grant = Grant.objects.get()
    assert (grant.created_by, grant.institution) == (personas.partner_a, personas.org_a)


def test_bad_input_is_refused_by_field_and_nothing_is_written(personas: Personas) -> None:
    client = client_for(personas.partner_a)
    hidden = PersonFactory(organization=personas.org_b, status="draft")
    cases = [
        (_body(personas, team_share_bp=0), "team_share_bp"),
        (_body(personas, kind="use_right"), "term_years"),
        (_body(personas, members=[{"person_id": hidden.pk, "share_bp": 7000}]), "members"),
        (_body(personas, decided_on=TODAY + timedelta(days=2)), "decided_on"),
        (
            _body(personas, achievement_id=AchievementFactory(owner=personas.org_b).pk),
            "achievement_id",
        ),
        (_body(personas, kind="gift"), "kind"),
    ]
    for body, field in cases:
        answer = _post(client, f"{API}/", body)
        assert answer.status_code == 422, (field, answer.json())
        assert field in json.dumps(answer.json()["error"]["fields"]), (field, answer.json())
    short = _body(personas)
    short["members"][1]["share_bp"] = 2000
    answer = _post(client, f"{API}/", short)
    assert answer.status_code == 422 and "members" in answer.json()["error"]["fields"]
    other = _post(client, f"{API}/", _body(personas, institution_id=personas.org_b.pk))
    assert other.status_code == 404
    viewer = _post(client_for(personas.viewer), f"{API}/", _body(personas))
    assert viewer.status_code == 404
    assert not Grant.objects.exists()


def test_patch_with_version(personas: Personas) -> None:
    g = make_grant(personas.staff, personas.org_a)
    client = client_for(personas.partner_a)
    first = _patch(client, f"{API}/{g.pk}", {"note": "补充说明", "version": 1})
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = _patch(client, f"{API}/{g.pk}", {"note": "旧的", "version": 1})
    assert stale.status_code == 409
    assert stale.json()["error"]["fields"]["version"] == ["2"]
    by_header = _patch(client, f"{API}/{g.pk}", {"valuer": "新评估公司"}, HTTP_IF_MATCH='"1"')
    assert by_header.status_code == 409
    nulled = _patch(client, f"{API}/{g.pk}", {"members": None})
    assert nulled.status_code == 422
    assert Grant.objects.get(pk=g.pk).note == "补充说明"
    assert _patch(client_for(personas.partner_b), f"{API}/{g.pk}", {"note": "x"}).status_code == 404


def test_moves_and_refusals(personas: Personas) -> None:
    g = make_grant(personas.staff, personas.org_a, valuer="", valuation_fen=None)
    client = client_for(personas.partner_a)
    refused = _post(client, f"{API}/{g.pk}/start-notice", {})
    assert refused.status_code == 422
    assert set(refused.json()["error"]["fields"]) == {"valuation_fen"}
    assert Grant.objects.get(pk=g.pk).status == "draft"
    fixed = _patch(client, f"{API}/{g.pk}", {"valuer": "评估公司", "valuation_fen": 100_00})
    assert fixed.status_code == 200
    started = _post(client, f"{API}/{g.pk}/start-notice", {"version": fixed.json()["version"]})
    assert started.status_code == 200 and started.json()["status"] == "on_notice"
    edit = _patch(client, f"{API}/{g.pk}", {"note": "公示中修改"})
    assert edit.status_code == 422 and "status" in edit.json()["error"]["fields"]
    objection = _post(client, f"{API}/{g.pk}/objection", {"text": "有人提出异议"})
    assert objection.status_code == 200 and "有人提出异议" in objection.json()["objections"]
    blank = _post(client, f"{API}/{g.pk}/grant", {"outcome": ""})
    assert blank.status_code == 422
    granted = _post(client, f"{API}/{g.pk}/grant", {"outcome": "异议已处理"})
    assert granted.status_code == 200, granted.json()
    assert (granted.json()["status"], granted.json()["granted_on"]) == ("granted", str(TODAY))
    again = _post(client, f"{API}/{g.pk}/withdraw", {"reason": "晚了"})
    assert again.status_code == 422 and "status" in again.json()["error"]["fields"]


def test_documents_upload_list_download(personas: Personas) -> None:
    g = make_grant(personas.staff, personas.org_a)
    client = client_for(personas.partner_a)
    upload = SimpleUploadedFile("会议纪要.pdf", PDF, content_type="application/pdf")
    answer = client.post(f"{API}/{g.pk}/documents", {"doc_type": "minutes", "file": upload})
    assert answer.status_code == 201, answer.json()
    doc = answer.json()
    assert (doc["original_name"], doc["doc_type"], doc["size"]) == (
        "会议纪要.pdf",
        "minutes",
        len(PDF),
    )
    bad = SimpleUploadedFile("page.html", b"<html>", content_type="text/html")
    refused = client.post(f"{API}/{g.pk}/documents", {"doc_type": "other", "file": bad})
    assert refused.status_code == 422 and "file" in refused.json()["error"]["fields"]
    listed = client.get(f"{API}/{g.pk}/documents").json()
    assert [d["id"] for d in listed] == [doc["id"]]
    got = client.get(doc["download_url"])
    assert got.status_code == 200
    assert got["Content-Disposition"].startswith("attachment")
    assert got["X-Content-Type-Options"] == "nosniff"
    assert b"".join(got.streaming_content) == PDF  # type: ignore[attr-defined]
    assert client_for(personas.partner_b).get(doc["download_url"]).status_code == 404
    other = client_for(personas.partner_b).post(
        f"{API}/{g.pk}/documents",
        {"doc_type": "minutes", "file": SimpleUploadedFile("x.pdf", PDF)},
    )
    assert other.status_code == 404
    assert GrantDocument.objects.count() == 1


def test_evidence_zip(personas: Personas) -> None:
    g = make_grant(personas.staff, personas.org_a)
    client = client_for(personas.partner_a)
    client.post(
        f"{API}/{g.pk}/documents",
        {"doc_type": "valuation", "file": SimpleUploadedFile("评估报告.pdf", PDF)},
    )
    answer = client.get(f"{API}/achievements/{g.achievement_id}/evidence")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(b"".join(answer.streaming_content))) as zf:  # type: ignore[attr-defined]
        names = zf.namelist()
    assert names == ["summary.pdf", "summary.xlsx", f"grant-{g.pk}/01-valuation-评估报告.pdf"]
    assert client.get(f"{API}/achievements/999999/evidence").status_code == 404
