from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from luodi.pipeline.domain.tasks import create_task
from luodi.pipeline.models import Project
from tests.conftest import Personas, client_for
from tests.factories import AchievementFactory, OrganizationFactory
from tests.pipeline.factories import make_project


def _queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _many(personas: Personas, n: int) -> None:
    from datetime import date

    for _ in range(n):
        p = make_project(
            personas.staff,
            personas.org_a,
            company=personas.org_b,
            target_park=OrganizationFactory(kind="park"),
            staff=personas.staff,
            stage_path=("assessment",),
        )
        create_task(
            actor=personas.staff,
            project=p,
            title="follow up",
            owner=personas.staff,
            due_date=date(2020, 1, 1),
        )


@pytest.mark.parametrize("url", ["/projects/board/", "/projects/"])
def test_board_and_list_query_count_does_not_grow(personas: Personas, url: str) -> None:
    client = client_for(personas.partner_a)
    _many(personas, 1)
    one = _queries(client, url)
    _many(personas, 3)
    assert _queries(client, url) == one


def test_project_page_query_count_does_not_grow_with_history(personas: Personas) -> None:
    client = client_for(personas.staff)
    p = make_project(personas.staff, personas.org_a, stage_path=("assessment",))
    first = _queries(client, f"/projects/{p.pk}/")
    p = Project.objects.get(pk=p.pk)
    from luodi.pipeline.domain.projects import move_project

    for stage in ("matchmaking", "negotiation", "matchmaking"):
        move_project(actor=personas.staff, project=p, to_stage=stage, confirm_warnings=True)
    assert _queries(client, f"/projects/{p.pk}/") == first


def test_staff_creates_project_from_achievement(personas: Personas) -> None:
    achievement = AchievementFactory(
        owner=personas.org_a, title_zh="KRAS抑制剂", kind="drug", stage="ind_filed"
    )
    client = client_for(personas.staff)
    assert client.get(f"/projects/new/?achievement={achievement.pk}").status_code == 200

    response = client.post("/projects/new/", {"achievement": achievement.pk})

    project = Project.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/projects/{project.pk}/"
    assert (project.title, project.owner, project.stage, project.regulatory_step) == (
        "KRAS抑制剂",
        personas.org_a,
        "lead",
        "ind_filed",
    )


def test_project_form_without_subject_is_refused(personas: Personas) -> None:
    response = client_for(personas.staff).post("/projects/new/", {"title": "x"})
    assert response.status_code == 400
    assert Project.objects.count() == 0


def test_board_move_by_select_returns_board_fragment(personas: Personas) -> None:
    p = make_project(personas.staff, personas.org_a)
    response = client_for(personas.staff).post(
        f"/projects/{p.pk}/move/",
        {"to_stage": "assessment", "from": "board"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert b'id="board"' in response.content and b"<html" not in response.content
    p.refresh_from_db()
    assert p.stage == "assessment"


def test_board_illegal_move_answers_400_with_the_reason(personas: Personas) -> None:
    p = make_project(personas.staff, personas.org_a)
    response = client_for(personas.staff).post(
        f"/projects/{p.pk}/move/",
        {"to_stage": "landed", "from": "board"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert b"board-notice" in response.content
    p.refresh_from_db()
    assert p.stage == "lead"


def test_board_move_with_gate_warning_asks_to_confirm(personas: Personas) -> None:
    p = make_project(
        personas.staff, personas.org_a, stage_path=("assessment", "matchmaking", "negotiation")
    )
    client = client_for(personas.staff)
    response = client.post(
        f"/projects/{p.pk}/move/",
        {"to_stage": "agreement_signed", "from": "board"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert b"confirm-move" in response.content
    response = client.post(
        f"/projects/{p.pk}/move/",
        {"to_stage": "agreement_signed", "from": "board", "confirm": "1"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    p.refresh_from_db()
    assert p.stage == "agreement_signed"


def test_list_filters_by_stage_age_and_park(personas: Personas) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from luodi.pipeline.domain.projects import move_project

    park = OrganizationFactory(kind="park", name_zh="医学城")
    old = make_project(personas.staff, personas.org_a, title="老项目", target_park=park)
    move_project(
        actor=personas.staff,
        project=old,
        to_stage="assessment",
        at=timezone.now() - timedelta(days=40),
    )
    make_project(personas.staff, personas.org_a, title="新项目")
    client = client_for(personas.staff)

    body = client.get("/projects/?min_days=30").content.decode()
    assert "老项目" in body and "新项目" not in body
    body = client.get(f"/projects/?park={park.pk}").content.decode()
    assert "老项目" in body and "新项目" not in body


def test_my_tasks_highlights_overdue(personas: Personas) -> None:
    from datetime import date

    p = make_project(personas.staff, personas.org_a)
    task = create_task(
        actor=personas.staff,
        project=p,
        title="Send the term sheet",
        owner=personas.partner_a,
        due_date=date(2020, 5, 1),
    )
    body = client_for(personas.partner_a).get("/projects/tasks/").content.decode()
    assert f'class="pl-overdue" data-testid="task-{task.pk}"' in body


def test_task_owner_completes_own_task_but_not_others(personas: Personas) -> None:
    p = make_project(personas.staff, personas.org_a, company=personas.org_b)
    mine = create_task(actor=personas.staff, project=p, title="a", owner=personas.partner_a)
    theirs = create_task(actor=personas.staff, project=p, title="b", owner=personas.partner_b)
    client = client_for(personas.partner_a)
    assert client.post(f"/projects/tasks/{mine.pk}/toggle/").status_code == 302
    assert client.post(f"/projects/tasks/{theirs.pk}/toggle/").status_code == 403
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, theirs.status) == ("done", "open")


def test_landing_form_refuses_bad_credit_code(personas: Personas) -> None:
    p = make_project(personas.staff, personas.org_a)
    client = client_for(personas.staff)
    response = client.post(
        f"/projects/{p.pk}/landing/",
        {"entity_name": "成都某某生物科技有限公司", "credit_code": "91510100MA61R4WJ7X"},
    )
    assert response.status_code == 400
    assert "unified social credit code" in response.content.decode() or "统一社会信用代码" in (
        response.content.decode()
    )
    response = client.post(
        f"/projects/{p.pk}/landing/",
        {
            "entity_name": "成都某某生物科技有限公司",
            "credit_code": "91440300708461136t",
            "jobs_planned": "40",
        },
    )
    assert response.status_code == 302
    p.landing.refresh_from_db()
    assert (p.landing.credit_code, p.landing.jobs_planned) == ("91440300708461136T", 40)


def test_project_page_move_with_warning_shows_confirm_then_moves(personas: Personas) -> None:
    p = make_project(personas.staff, personas.org_a, stage_path=("assessment", "matchmaking"))
    client = client_for(personas.staff)

    response = client.post(f"/projects/{p.pk}/move/", {"to_stage": "negotiation"})

    assert response.status_code == 422
    assert b'data-testid="gate-warnings"' in response.content
    p.refresh_from_db()
    assert p.stage == "matchmaking"
    response = client.post(f"/projects/{p.pk}/move/", {"to_stage": "negotiation", "confirm": "1"})
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.stage == "negotiation"
    assert p.transitions.last().warnings != []  # type: ignore[union-attr]


def test_board_move_without_javascript_redirects_back_to_board(personas: Personas) -> None:
    p = make_project(personas.staff, personas.org_a)
    response = client_for(personas.staff).post(
        f"/projects/{p.pk}/move/", {"to_stage": "assessment", "from": "board"}
    )
    assert response.status_code == 302 and response["Location"] == "/projects/board/"


def test_partner_project_page_is_read_only(personas: Personas) -> None:
    from luodi.pipeline.domain.agreements import add_obligation, create_agreement

    p = make_project(personas.staff, personas.org_a, company=personas.org_b)
    agreement = create_agreement(
        actor=personas.staff, project=p, values={"kind": "mou", "title": "备忘录"}
    )
    add_obligation(
        actor=personas.staff,
        agreement=agreement,
        kind="report",
        description="季报",
        trigger="每季度",
    )
    response = client_for(personas.partner_b).get(f"/projects/{p.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "备忘录" in body and "季报" in body
    for marker in (
        'data-testid="move-select"',
        'data-testid="new-agreement"',
        'data-testid="record-landing"',
        "add-obligation-",
    ):
        assert marker not in body
    assert (
        client_for(personas.partner_b)
        .post(f"/projects/{p.pk}/notes/", {"text": "来自乙方"})
        .status_code
        == 302
    )
    assert p.notes.get().text == "来自乙方"


def test_confidential_achievement_link_hidden_from_party_without_access(
    personas: Personas,
) -> None:
    secret = AchievementFactory(
        owner=personas.org_a, disclosure="confidential", title_zh="机密成果"
    )
    from luodi.pipeline.domain.projects import create_project

    p = create_project(
        actor=personas.staff,
        achievement=secret,
        title="甲乙合作项目",
        fields={"company": personas.org_b},
    )
    body = client_for(personas.partner_b).get(f"/projects/{p.pk}/").content.decode()
    assert "甲乙合作项目" in body and "机密成果" not in body


def test_lost_projects_leave_the_board_after_half_a_year(personas: Personas) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from luodi.pipeline.domain.projects import move_project

    p = make_project(personas.staff, personas.org_a, title="早已流失的项目")
    move_project(
        actor=personas.staff,
        project=p,
        to_stage="lost",
        reason="x",
        at=timezone.now() - timedelta(days=400),
    )
    client = client_for(personas.staff)
    assert "早已流失的项目" not in client.get("/projects/board/").content.decode()
    assert "早已流失的项目" in client.get("/projects/").content.decode()


def test_timeline_shows_visits_that_advanced_the_project(personas: Personas) -> None:
    from datetime import date

    from django.apps import apps

    if not apps.is_installed("luodi.engagements"):
        pytest.skip("engagements app not installed")
    visit_model = apps.get_model("engagements", "Visit")
    p = make_project(personas.staff, personas.org_a)
    fields = {f.name for f in visit_model._meta.get_fields()}
    values = {"title_zh": "医学城考察", "date": date(2026, 5, 1)}
    if "organizer" in fields:
        values["organizer"] = personas.org_a
    visit = visit_model.objects.create(**values)
    visit.projects.add(p)
    body = client_for(personas.staff).get(f"/projects/{p.pk}/").content.decode()
    assert "医学城考察" in body


def test_staff_edits_project_parties_and_regulatory_step(personas: Personas) -> None:
    hospital = OrganizationFactory(kind="hospital")
    p = make_project(personas.staff, personas.org_a)
    client = client_for(personas.staff)
    assert client.get(f"/projects/{p.pk}/edit/").status_code == 200

    response = client.post(
        f"/projects/{p.pk}/edit/",
        {
            "title": "",
            "owner": personas.org_a.pk,
            "company": personas.org_b.pk,
            "clinical_centers": [hospital.pk],
            "regulatory_step": "phase1",
        },
    )

    assert response.status_code == 302
    p.refresh_from_db()
    assert (p.company, p.regulatory_step, list(p.clinical_centers.all())) == (
        personas.org_b,
        "phase1",
        [hospital],
    )
    assert p.title.startswith("测试成果")  # an empty title keeps the old one
    assert client_for(personas.partner_a).get(f"/projects/{p.pk}/edit/").status_code == 403


def test_project_edit_audit_entry_has_old_and_new_values(personas: Personas) -> None:
    from luodi.accounts.models import AuditEntry

    p = make_project(personas.staff, personas.org_a, title="旧标题")
    client_for(personas.staff).post(
        f"/projects/{p.pk}/edit/", {"title": "新标题", "owner": personas.org_a.pk}
    )
    entry = AuditEntry.objects.get(verb="project.update")
    assert entry.changes["title"] == ["旧标题", "新标题"]


def test_confidential_achievement_title_is_not_the_default_project_title(
    personas: Personas,
) -> None:
    from luodi.pipeline.domain.projects import create_project

    secret = AchievementFactory(
        owner=personas.org_a, disclosure="confidential", title_zh="机密成果", title_en="Secret"
    )
    p = create_project(actor=personas.staff, achievement=secret)
    assert "机密成果" not in p.title and "Secret" not in p.title
    assert str(personas.org_a) in p.title
