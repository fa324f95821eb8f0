"""Partners see only projects their organization is a party to: board, list, page, API, feed."""

from __future__ import annotations

import pytest

from luodi.engagements.feeds import reset_feed_token
from luodi.pipeline.domain.tasks import create_task
from luodi.pipeline.rules import projects_visible_to, tasks_visible_to
from tests.conftest import Personas, client_for
from tests.factories import OrganizationFactory
from tests.pipeline.factories import make_project


@pytest.fixture
def projects(personas: Personas):  # type: ignore[no-untyped-def]
    a_only = make_project(personas.staff, personas.org_a, title="甲方机密项目 A-only")
    shared = make_project(
        personas.staff, personas.org_a, title="共同项目 shared", company=personas.org_b
    )
    via_center = make_project(personas.staff, OrganizationFactory(), title="临床中心项目")
    via_center.clinical_centers.set([personas.org_b])
    return a_only, shared, via_center


def test_projects_visible_to_each_persona(personas: Personas, projects) -> None:  # type: ignore[no-untyped-def]
    a_only, shared, via_center = projects
    ids = lambda user: sorted(projects_visible_to(user).values_list("pk", flat=True))  # noqa: E731
    assert ids(personas.staff) == sorted(p.pk for p in projects)
    assert ids(personas.partner_a) == sorted([a_only.pk, shared.pk])
    assert ids(personas.partner_b) == sorted([shared.pk, via_center.pk])
    assert ids(personas.viewer) == []


def test_partner_b_never_sees_a_only_title(personas: Personas, projects) -> None:  # type: ignore[no-untyped-def]
    a_only = projects[0]
    client = client_for(personas.partner_b)
    for url in ("/projects/", "/projects/board/", "/projects/tasks/"):
        body = client.get(url).content.decode()
        assert "甲方机密项目" not in body, url
    assert "共同项目" in client.get("/projects/board/").content.decode()
    assert client.get(f"/projects/{a_only.pk}/").status_code == 404
    assert (
        client.post(f"/projects/{a_only.pk}/move/", {"to_stage": "assessment"}).status_code == 404
    )


def test_partner_b_api_hides_a_only_project(personas: Personas, projects) -> None:  # type: ignore[no-untyped-def]
    a_only, shared, via_center = projects
    client = client_for(personas.partner_b)
    listing = client.get("/api/pipeline/projects").json()
    assert sorted(item["id"] for item in listing["items"]) == sorted([shared.pk, via_center.pk])
    response = client.get(f"/api/pipeline/projects/{a_only.pk}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert client.get(f"/api/pipeline/projects/{a_only.pk}/transitions").status_code == 404


def test_partner_cannot_move_a_visible_project(personas: Personas, projects) -> None:  # type: ignore[no-untyped-def]
    shared = projects[1]
    client = client_for(personas.partner_b)
    assert (
        client.post(f"/projects/{shared.pk}/move/", {"to_stage": "assessment"}).status_code == 403
    )
    response = client.post(
        f"/api/pipeline/projects/{shared.pk}/transitions",
        {"to_stage": "assessment"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    shared.refresh_from_db()
    assert shared.stage == "lead"


def test_calendar_feed_of_partner_b_leaves_out_a_only_tasks(personas: Personas, projects) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    a_only, shared, _center = projects
    mine = create_task(
        actor=personas.staff,
        project=shared,
        title="Call the park",
        owner=personas.partner_b,
        due_date=date(2030, 1, 2),
    )
    # Even a task on a project B cannot see (assigned before B's org left) stays out.
    a_task = create_task(
        actor=personas.staff,
        project=a_only,
        title="A secret follow-up",
        owner=personas.staff,
        due_date=date(2030, 1, 3),
    )
    a_task.owner = personas.partner_b
    a_task.save(update_fields=["owner"])
    raw = reset_feed_token(actor=personas.partner_b)

    response = client_for(None).get(f"/projects/calendar/{raw}.ics")

    body = response.content.decode()
    assert response.status_code == 200
    assert f"UID:task-{mine.pk}@" in body
    assert "A secret" not in body and "甲方机密项目" not in body
    assert sorted(tasks_visible_to(personas.partner_b).values_list("pk", flat=True)) == [mine.pk]


def test_calendar_feed_with_a_wrong_token_is_404(personas: Personas) -> None:
    reset_feed_token(actor=personas.partner_b)
    assert client_for(None).get("/projects/calendar/not-the-token.ics").status_code == 404


def test_viewer_and_anonymous_see_no_projects(personas: Personas, projects) -> None:  # type: ignore[no-untyped-def]
    body = client_for(personas.viewer).get("/projects/board/").content.decode()
    assert "共同项目" not in body and "甲方机密项目" not in body
    assert client_for(None).get("/projects/board/").status_code == 302
    assert client_for(None).get("/api/pipeline/projects").status_code == 401
