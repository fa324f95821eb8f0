"""The assessments API: staff run an assessment; an internal reviewer declares and scores
(structured 422s, nothing saved); the owner reads the result only; others get 404s."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from luodi.assessments.models import Assessment, Score
from tests.assessments.helpers import GOOD, default_template, expert
from tests.conftest import Personas, client_for
from tests.factories import AchievementFactory

pytestmark = pytest.mark.django_db
API = "/api/assessments"


def _json(client: Client, method: str, url: str, data: Any) -> Any:
    return getattr(client, method)(url, data, content_type="application/json")


def test_api_runs_an_assessment_and_shows_each_their_part(personas: Personas) -> None:
    achievement = AchievementFactory(owner=personas.org_a, disclosure="confidential")
    default_template()  # in case a browser test flushed the migration's rows
    staff, reviewer = client_for(personas.staff), expert("rev1")
    deadline = (timezone.localdate() + timedelta(days=10)).isoformat()
    opened = _json(
        staff, "post", f"{API}/", {"achievement_id": achievement.pk, "deadline": deadline}
    )
    assert opened.status_code == 201, opened.content
    aid = opened.json()["id"]
    assert [c["code"] for c in opened.json()["criteria"]][:3] == ["trl", "novelty", "advancement"]
    again = _json(
        staff, "post", f"{API}/", {"achievement_id": achievement.pk, "deadline": deadline}
    )
    assert again.status_code == 422 and "achievement_id" in again.json()["error"]["fields"]
    invited = _json(staff, "post", f"{API}/{aid}/invitations", {"user_id": reviewer.pk})
    assert invited.status_code == 201
    owner_member = _json(
        staff, "post", f"{API}/{aid}/invitations", {"user_id": personas.partner_a.pk}
    )
    assert owner_member.status_code == 422 and "user_id" in owner_member.json()["error"]["fields"]

    mine = client_for(reviewer)
    assert mine.get(f"{API}/{aid}").status_code == 404  # not declared yet
    assert [i["state"] for i in mine.get(f"{API}/invitations").json()] == ["invited"]
    early = _json(mine, "put", f"{API}/{aid}/scores", {"scores": GOOD})
    assert early.status_code == 403
    no_nda = _json(mine, "post", f"{API}/{aid}/declaration", {"conflict": False})
    assert no_nda.status_code == 422 and "accept_nda" in no_nda.json()["error"]["fields"]
    ok = _json(mine, "post", f"{API}/{aid}/declaration", {"conflict": False, "accept_nda": True})
    assert ok.status_code == 200 and ok.json()["state"] == "declared"
    bad = _json(mine, "put", f"{API}/{aid}/scores", {"scores": {**GOOD, "trl": 0}})
    assert bad.status_code == 422 and "score_trl" in bad.json()["error"]["fields"]
    assert not Score.objects.exists()
    good = _json(mine, "put", f"{API}/{aid}/scores", {"scores": GOOD, "comment": "MKCOMMENTQ7Z"})
    assert good.status_code == 200
    body = good.json()
    assert body["my_review"]["scores"] == GOOD and body["reviewers"] is None
    assert body["aggregate"] is None and body["result"] is None

    version = staff.get(f"{API}/{aid}").json()["version"]
    stale = _json(staff, "post", f"{API}/{aid}/close", {"version": version + 5})
    assert stale.status_code == 409
    assert _json(staff, "post", f"{API}/{aid}/close", {"version": version}).status_code == 200
    version = staff.get(f"{API}/{aid}").json()["version"]
    summary = {"readiness": 7, "summary": "MKSUMMARYQ7Z", "suggested_kinds": ["company"]}
    done = _json(staff, "put", f"{API}/{aid}/summary", {**summary, "version": version})
    assert done.status_code == 200, done.content
    full = done.json()
    assert full["result"]["readiness"] == 7 and full["aggregate"]["overall"] is not None
    assert [r["scores"] for r in full["reviewers"]] == [GOOD]

    owner = client_for(personas.partner_a).get(f"{API}/{aid}").json()
    assert owner["result"]["summary"] == "MKSUMMARYQ7Z"
    assert owner["reviewers"] is None and owner["aggregate"] is None and owner["my_review"] is None
    assert b"MKCOMMENTQ7Z" not in client_for(personas.partner_a).get(f"{API}/{aid}").content
    result = client_for(personas.partner_a).get(f"{API}/achievements/{achievement.pk}/result")
    assert result.status_code == 200 and result.json()["readiness"] == 7
    for outsider in (personas.partner_b, personas.viewer):
        assert client_for(outsider).get(f"{API}/{aid}").status_code == 404
        assert client_for(outsider).get(f"{API}/").json()["items"] == []
        assert (
            client_for(outsider).get(f"{API}/achievements/{achievement.pk}/result").status_code
            == 404
        )
    assert client_for(personas.partner_b).get(f"{API}/templates").status_code == 403


def test_api_templates_copy_and_edit(personas: Personas) -> None:
    default_template()
    staff = client_for(personas.staff)
    default = staff.get(f"{API}/templates").json()[0]
    assert default["is_default"] and len(default["criteria"]) == 6
    copy = staff.post(f"{API}/templates/{default['id']}/copy")
    assert copy.status_code == 201
    tid = copy.json()["id"]
    criteria = [
        {"code": "trl", "label_zh": "成熟度", "weight": 60, "scale_min": 1, "scale_max": 9},
        {"code": "fit", "label_zh": "匹配度", "weight": 40, "scale_min": 0, "scale_max": 10},
    ]
    saved = _json(staff, "put", f"{API}/templates/{tid}", {"name_zh": "简版", "criteria": criteria})
    assert saved.status_code == 200 and [c["code"] for c in saved.json()["criteria"]] == [
        "trl",
        "fit",
    ]
    twice = [criteria[0], criteria[0]]
    refused = _json(staff, "put", f"{API}/templates/{tid}", {"name_zh": "x", "criteria": twice})
    assert refused.status_code == 422 and "criteria" in refused.json()["error"]["fields"]
    assert Assessment.objects.count() == 0
