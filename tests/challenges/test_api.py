"""The challenges API: posting and opening a challenge, submitting, scoring, moving and
awarding a proposal, with structured 4xx errors (fields named as the API spells them) and
versions guarding against lost updates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from luodi.challenges.choices import Stage
from luodi.challenges.models import Challenge, Proposal
from luodi.pipeline.models import Project
from tests.challenges.helpers import anonymous_proposal, make_challenge
from tests.conftest import Personas, client_for
from tests.factories import AchievementFactory

pytestmark = pytest.mark.django_db
API = "/api/challenges"


def _body(**extra):  # type: ignore[no-untyped-def]
    return {
        "title_zh": "API 挑战",
        "problem_zh": "问题描述",
        "deadline": (timezone.localdate() + timedelta(days=5)).isoformat(),
        "budget_min_fen": 100_000,
        "budget_max_fen": 200_000,
        **extra,
    }


def test_post_open_and_read_a_challenge(personas: Personas) -> None:
    client = client_for(personas.partner_a)
    created = client.post(
        f"{API}/", _body(poster_id=personas.org_a.pk), content_type="application/json"
    )
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["status"], data["poster"]["id"], data["budget_max_fen"]) == (
        "draft",
        personas.org_a.pk,
        200_000,
    )
    opened = client.post(
        f"{API}/{data['id']}/status",
        {"status": "open", "version": data["version"]},
        content_type="application/json",
    )
    assert opened.json()["status"] == "open"
    listed = client_for(personas.partner_b).get(f"{API}/").json()
    assert [c["id"] for c in listed["items"]] == [data["id"]]


def test_post_refuses_a_poster_not_yours_and_bad_fields(personas: Personas) -> None:
    client = client_for(personas.partner_a)
    answer = client.post(
        f"{API}/", _body(poster_id=personas.org_b.pk), content_type="application/json"
    )
    assert answer.status_code == 422
    assert list(answer.json()["error"]["fields"]) == ["poster_id"]
    answer = client.post(
        f"{API}/",
        _body(poster_id=personas.org_a.pk, title_zh="", budget_min_fen=900_000),
        content_type="application/json",
    )
    assert answer.status_code == 422
    assert set(answer.json()["error"]["fields"]) == {"title_zh", "budget_max_fen"}
    assert (
        client_for(personas.viewer)
        .post(f"{API}/", _body(), content_type="application/json")
        .status_code
        == 403
    )
    assert Challenge.objects.count() == 0


def test_patch_with_a_stale_version_is_a_conflict(personas: Personas) -> None:
    challenge = make_challenge(personas.partner_a, personas.org_a)
    client = client_for(personas.partner_a)
    url = f"{API}/{challenge.pk}"
    first = client.patch(
        url, {"timeline": "一年", "version": challenge.version}, content_type="application/json"
    )
    assert first.status_code == 200
    stale = client.patch(
        url, {"timeline": "两年", "version": challenge.version}, content_type="application/json"
    )
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"
    assert Challenge.objects.get(pk=challenge.pk).timeline == "一年"
    assert (
        client_for(personas.partner_b)
        .patch(url, {"timeline": "x"}, content_type="application/json")
        .status_code
        == 403
    )


def test_submit_score_move_and_award_through_the_api(personas: Personas) -> None:
    challenge = make_challenge(personas.partner_a, personas.org_a)
    achievement = AchievementFactory(owner=personas.org_b)
    applicant = client_for(personas.partner_b)
    body = {
        "organization_id": personas.org_b.pk,
        "title": "方案",
        "summary": "摘要",
        "approach": "方法",
        "readiness": 5,
        "plan": "计划",
        "achievement_ids": [achievement.pk],
    }
    created = applicant.post(
        f"{API}/{challenge.pk}/proposals", body, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    pid = created.json()["id"]
    assert created.json()["achievements"] == [{"id": achievement.pk, "title": achievement.title}]
    # The applicant neither scores nor moves its own proposal.
    assert (
        applicant.post(
            f"{API}/proposals/{pid}/scores", {"score": 5}, content_type="application/json"
        ).status_code
        == 403
    )
    owner = client_for(personas.partner_a)
    scored = owner.post(
        f"{API}/proposals/{pid}/scores", {"score": 4}, content_type="application/json"
    )
    assert scored.status_code == 201 and scored.json()["stage"] == "screen"
    bad = owner.post(
        f"{API}/proposals/{pid}/stage", {"stage": "finalist"}, content_type="application/json"
    )
    assert bad.status_code == 422 and "stage" in bad.json()["error"]["fields"]
    for stage in ("assess", "finalist"):
        moved = owner.post(
            f"{API}/proposals/{pid}/stage", {"stage": stage}, content_type="application/json"
        )
        assert moved.json()["stage"] == stage
    awarded = owner.post(f"{API}/proposals/{pid}/award", {}, content_type="application/json")
    assert awarded.status_code == 200, awarded.content
    project = Project.objects.get()
    assert (awarded.json()["stage"], awarded.json()["project_id"]) == ("awarded", project.pk)
    assert [m["to_stage"] for m in awarded.json()["moves"]] == [
        "screen",
        "assess",
        "finalist",
        "awarded",
    ]


def test_award_of_an_anonymous_finalist_names_the_missing_organization(personas: Personas) -> None:
    challenge = make_challenge(personas.partner_a, personas.org_a)
    proposal = anonymous_proposal(challenge)
    Proposal.objects.filter(pk=proposal.pk).update(stage=Stage.FINALIST)
    owner = client_for(personas.partner_a)
    answer = owner.post(f"{API}/proposals/{proposal.pk}/award", {}, content_type="application/json")
    assert answer.status_code == 422
    assert set(answer.json()["error"]["fields"]) == {"organization_id", "achievement_id"}
    assert Project.objects.count() == 0


def test_submit_after_the_deadline_is_a_422(personas: Personas) -> None:
    challenge = make_challenge(personas.partner_a, personas.org_a)
    Challenge.objects.filter(pk=challenge.pk).update(
        deadline=timezone.localdate() - timedelta(days=1)
    )
    body = {
        "organization_id": personas.org_b.pk,
        "title": "t",
        "summary": "s",
        "approach": "a",
        "readiness": 3,
        "plan": "p",
    }
    answer = client_for(personas.partner_b).post(
        f"{API}/{challenge.pk}/proposals", body, content_type="application/json"
    )
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "invalid"
    assert Proposal.objects.count() == 0


def test_matches_are_for_managers_only(personas: Personas) -> None:
    challenge = make_challenge(personas.partner_a, personas.org_a)
    team = personas.org_b
    team.kind, team.status = "institute", "published"
    team.save()
    answer = client_for(personas.partner_a).get(f"{API}/{challenge.pk}/matches")
    assert answer.status_code == 200
    assert [m["id"] for m in answer.json()["teams"]] == [team.pk]
    assert client_for(personas.partner_b).get(f"{API}/{challenge.pk}/matches").status_code == 403
