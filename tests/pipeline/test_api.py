from __future__ import annotations

from luodi.pipeline.models import Project, StageTransition, Task
from tests.conftest import Personas, client_for
from tests.factories import AchievementFactory
from tests.pipeline.factories import make_project

API = "/api/pipeline"


def _post(client, url: str, data: dict):  # type: ignore[no-untyped-def]
    return client.post(url, data, content_type="application/json")


def test_create_project_then_move_it_through_the_api(personas: Personas) -> None:
    achievement = AchievementFactory(owner=personas.org_a)
    client = client_for(personas.staff)

    created = _post(
        client,
        f"{API}/projects",
        {"achievement_id": achievement.pk, "company_id": personas.org_b.pk},
    )
    assert created.status_code == 201
    pid = created.json()["id"]
    assert created.json()["stage"] == "lead"
    assert created.json()["allowed_next"] == ["assessment", "paused", "lost"]

    moved = _post(
        client, f"{API}/projects/{pid}/transitions", {"to_stage": "assessment", "note": "go"}
    )
    assert moved.status_code == 201
    assert moved.json()["from_stage"] == "lead" and moved.json()["to_stage"] == "assessment"
    history = client.get(f"{API}/projects/{pid}/transitions").json()
    assert [(h["from_stage"], h["to_stage"]) for h in history] == [
        ("", "lead"),
        ("lead", "assessment"),
    ]


def test_illegal_transition_is_a_409_with_a_message(personas: Personas) -> None:
    project = make_project(personas.staff, personas.org_a)
    response = _post(
        client_for(personas.staff),
        f"{API}/projects/{project.pk}/transitions",
        {"to_stage": "landed"},
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "illegal_transition"
    assert error["message"]
    assert StageTransition.objects.filter(project=project).count() == 1


def test_gate_warnings_are_a_409_until_confirmed(personas: Personas) -> None:
    project = make_project(
        personas.staff, personas.org_a, stage_path=("assessment", "matchmaking", "negotiation")
    )
    client = client_for(personas.staff)
    url = f"{API}/projects/{project.pk}/transitions"
    response = _post(client, url, {"to_stage": "agreement_signed"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "gate_warnings"
    assert len(response.json()["error"]["fields"]["warnings"]) == 1
    response = _post(client, url, {"to_stage": "agreement_signed", "confirm_warnings": True})
    assert response.status_code == 201


def test_unknown_stage_is_a_422(personas: Personas) -> None:
    project = make_project(personas.staff, personas.org_a)
    response = _post(
        client_for(personas.staff), f"{API}/projects/{project.pk}/transitions", {"to_stage": "moon"}
    )
    assert response.status_code == 422
    assert "to_stage" in response.json()["error"]["fields"]


def test_agreement_obligation_and_task_endpoints(personas: Personas) -> None:
    project = make_project(personas.staff, personas.org_a, company=personas.org_b)
    client = client_for(personas.staff)

    agreement = _post(
        client,
        f"{API}/projects/{project.pk}/agreements",
        {
            "kind": "intention",
            "title": "合作意向",
            "party_ids": [personas.org_a.pk, personas.org_b.pk],
        },
    )
    assert agreement.status_code == 201
    aid = agreement.json()["id"]
    assert sorted(agreement.json()["party_ids"]) == sorted([personas.org_a.pk, personas.org_b.pk])

    obligation = _post(
        client,
        f"{API}/agreements/{aid}/obligations",
        {
            "kind": "visit",
            "description": "30日内拜访协会",
            "due_date": "2030-01-15",
            "responsible_id": personas.partner_b.pk,
        },
    )
    assert obligation.status_code == 201
    task_id = obligation.json()["task_id"]
    assert Task.objects.get(pk=task_id).owner == personas.partner_b

    missing = _post(
        client, f"{API}/agreements/{aid}/obligations", {"kind": "report", "description": "no date"}
    )
    assert missing.status_code == 422
    # The API answers in the active language (zh-hans by default).
    assert missing.json()["error"]["fields"] == {"due_date": ["请填写到期日或触发条件。"]}

    partner = client_for(personas.partner_b)
    mine = partner.get(f"{API}/tasks").json()
    assert [t["id"] for t in mine["items"]] == [task_id]
    done = _post(partner, f"{API}/tasks/{task_id}/complete", {})
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert client.get(f"{API}/agreements/{aid}/obligations").json()[0]["task_id"] == task_id
    assert client.get(f"{API}/agreements/{aid}").json()["title"] == "合作意向"


def test_partner_cannot_create_projects_or_agreements(personas: Personas) -> None:
    project = make_project(personas.staff, personas.org_a)
    client = client_for(personas.partner_a)
    achievement = AchievementFactory(owner=personas.org_a)
    response = _post(client, f"{API}/projects", {"achievement_id": achievement.pk})
    assert response.status_code == 403
    response = _post(
        client, f"{API}/projects/{project.pk}/agreements", {"kind": "mou", "title": "x"}
    )
    assert response.status_code == 403
    assert Project.objects.count() == 1


def test_create_task_for_outsider_is_refused(personas: Personas) -> None:
    project = make_project(personas.staff, personas.org_a)
    response = _post(
        client_for(personas.staff),
        f"{API}/tasks",
        {"project_id": project.pk, "title": "x", "owner_id": personas.partner_b.pk},
    )
    assert response.status_code == 422
    assert "owner" in response.json()["error"]["fields"]


def test_openapi_schema_lists_the_pipeline_endpoints(personas: Personas) -> None:
    schema = client_for(personas.staff).get("/api/openapi.json").json()
    paths = {p for p in schema["paths"] if "/pipeline/" in p}
    assert {
        "/api/pipeline/projects",
        "/api/pipeline/projects/{project_id}",
        "/api/pipeline/projects/{project_id}/transitions",
        "/api/pipeline/projects/{project_id}/agreements",
        "/api/pipeline/agreements/{agreement_id}",
        "/api/pipeline/agreements/{agreement_id}/obligations",
        "/api/pipeline/tasks",
        "/api/pipeline/tasks/{task_id}",
        "/api/pipeline/tasks/{task_id}/complete",
    } <= paths
