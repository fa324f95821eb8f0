from __future__ import annotations

from datetime import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from luodi.accounts.models import AuditEntry
from luodi.engagements.models import FollowUp, Outcome, Visit, VisitStop
from luodi.matchmaking import queries
from tests.catalog_api.factories import ParkProfileFactory
from tests.conftest import Personas, client_for
from tests.engagements.factories import StopFactory, VisitFactory
from tests.factories import AchievementFactory, CarrierFactory, OrganizationFactory, TermFactory


def test_visit_create_records_audit_entry(personas: Personas) -> None:
    client = client_for(personas.staff)
    response = client.post(
        "/engagements/visits/new/",
        {
            "title_zh": "医学城考察",
            "date": "2026-12-01",
            "start_time": "08:30",
            "organizer": personas.org_a.pk,
            "organizations": [personas.org_b.pk],
        },
    )
    visit = Visit.objects.get(title_zh="医学城考察")
    assert response.status_code == 302
    assert list(visit.organizations.all()) == [personas.org_b]
    assert AuditEntry.objects.filter(verb="visit.create", target_id=str(visit.pk)).count() == 1


def test_visit_create_without_title_shows_error(personas: Personas) -> None:
    response = client_for(personas.staff).post(
        "/engagements/visits/new/",
        {"date": "2026-12-01", "start_time": "08:30", "organizer": personas.org_a.pk},
    )
    assert response.status_code == 400
    assert (
        "Give a Chinese or an English title." in response.content.decode()
        or "请填写中文或英文标题" in response.content.decode()
    )
    assert Visit.objects.count() == 0


def test_partner_sees_only_visits_of_their_organization(personas: Personas) -> None:
    mine = VisitFactory(title_zh="甲的考察")
    mine.organizations.add(personas.org_a)
    other = VisitFactory(title_zh="乙的考察", organizer=personas.org_b)
    client = client_for(personas.partner_a)
    page = client.get("/engagements/visits/").content.decode()
    assert "甲的考察" in page
    assert "乙的考察" not in page
    assert client.get(f"/engagements/visits/{other.pk}/").status_code == 404


def test_partner_member_of_delegation_may_not_edit(personas: Personas) -> None:
    visit = VisitFactory()
    visit.organizations.add(personas.org_a)
    response = client_for(personas.partner_a).post(
        f"/engagements/visits/{visit.pk}/stops/", {"place": "某地", "duration_min": 60}
    )
    assert response.status_code == 403


def test_visit_stop_add_takes_organization_coordinates(personas: Personas) -> None:
    visit = VisitFactory()
    park = OrganizationFactory(kind="park", latitude=30.715, longitude=103.835)
    response = client_for(personas.staff).post(
        f"/engagements/visits/{visit.pk}/stops/",
        {
            "organization": park.pk,
            "window_start": "09:30",
            "window_end": "11:00",
            "duration_min": 90,
        },
    )
    stop = VisitStop.objects.get(visit=visit)
    assert response.status_code == 302
    assert (stop.latitude, stop.longitude) == (30.715, 103.835)


def test_itinerary_shows_each_stops_window_or_any_time(personas: Personas) -> None:
    visit = VisitFactory()
    StopFactory(visit=visit, window_start=time(9, 30), window_end=time(11, 0), duration_min=90)
    StopFactory(visit=visit, window_start=None, window_end=None, duration_min=75)
    client = client_for(personas.staff)

    zh = client.get(f"/engagements/visits/{visit.pk}/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    en = client.get(f"/engagements/visits/{visit.pk}/").content.decode()

    assert "09:30–11:00 · 90 分钟" in zh and "不限 · 75 分钟" in zh
    assert "09:30–11:00 · 90 min" in en and "any time · 75 min" in en


def test_visit_stop_window_must_end_after_start(personas: Personas) -> None:
    visit = VisitFactory()
    response = client_for(personas.staff).post(
        f"/engagements/visits/{visit.pk}/stops/",
        {"place": "某地", "window_start": "11:00", "window_end": "10:00", "duration_min": 60},
    )
    assert response.status_code == 400
    assert VisitStop.objects.count() == 0


def test_visit_accept_suggested_order_sets_positions_and_times(personas: Personas) -> None:
    visit = VisitFactory(start_time=time(8, 30))
    far = StopFactory(visit=visit, latitude=30.405, longitude=104.013, position=0)
    near = StopFactory(visit=visit, latitude=30.566, longitude=104.046, position=1)
    client = client_for(personas.staff)
    suggestion = client.get(
        f"/engagements/visits/{visit.pk}/suggest/", headers={"HX-Request": "true"}
    )
    assert suggestion.status_code == 200
    response = client.post(f"/engagements/visits/{visit.pk}/order/", {"order": [near.pk, far.pk]})
    visit.refresh_from_db()
    near.refresh_from_db()
    assert response.status_code == 302
    assert visit.order_accepted_at is not None
    assert [s.pk for s in visit.stops.all()] == [near.pk, far.pk]
    assert near.arrive_at is not None


def test_visit_order_with_missing_stop_is_refused(personas: Personas) -> None:
    visit = VisitFactory()
    a, _b = StopFactory(visit=visit), StopFactory(visit=visit)
    client_for(personas.staff).post(f"/engagements/visits/{visit.pk}/order/", {"order": [a.pk]})
    visit.refresh_from_db()
    assert visit.order_accepted_at is None


def test_visit_move_stop_overrides_order(personas: Personas) -> None:
    visit = VisitFactory()
    a, b = StopFactory(visit=visit, position=0), StopFactory(visit=visit, position=1)
    client_for(personas.staff).post(
        f"/engagements/visits/{visit.pk}/stops/{b.pk}/move/", {"dir": "up"}
    )
    assert list(visit.stops.values_list("pk", flat=True)) == [b.pk, a.pk]


def test_visit_minutes_outcome_and_follow_up_recorded(personas: Personas) -> None:
    visit = VisitFactory()
    stop = StopFactory(visit=visit)
    client = client_for(personas.staff)
    client.post(
        f"/engagements/visits/{visit.pk}/stops/{stop.pk}/minutes/", {"minutes": "参观了湿实验室。"}
    )
    client.post(
        f"/engagements/visit/{visit.pk}/outcomes/add/",
        {
            "kind": "intention",
            "text": "共同举办论坛",
            "counterpart": personas.org_b.pk,
            "stop": stop.pk,
        },
    )
    client.post(
        f"/engagements/visit/{visit.pk}/follow-ups/",
        {"title": "安排回访", "owner": personas.staff.pk, "due_date": "2026-12-30"},
    )
    stop.refresh_from_db()
    assert stop.minutes == "参观了湿实验室。"
    assert Outcome.objects.get(visit=visit).text == "共同举办论坛"
    assert FollowUp.objects.get(visit=visit).owner == personas.staff


def test_visit_follow_up_without_owner_is_refused(personas: Personas) -> None:
    visit = VisitFactory()
    response = client_for(personas.staff).post(
        f"/engagements/visit/{visit.pk}/follow-ups/", {"title": "无人负责"}
    )
    assert response.status_code == 400
    assert FollowUp.objects.count() == 0


def test_visit_presence_recorded(personas: Personas) -> None:
    visit = VisitFactory()
    client = client_for(personas.staff)
    client.post(f"/engagements/visit/{visit.pk}/participants/", {"name": "王董事长"})
    client.post(f"/engagements/visit/{visit.pk}/participants/", {"name": "缺席者"})
    present = visit.participants.get(name="王董事长")
    client.post(f"/engagements/visit/{visit.pk}/presence/", {"present": [present.pk]})
    assert dict(visit.participants.values_list("name", "present")) == {
        "王董事长": True,
        "缺席者": False,
    }


def test_visit_draft_from_fit_adds_best_parks_with_summary(personas: Personas) -> None:
    area = TermFactory()
    good = OrganizationFactory(kind="park", name_zh="好园区", latitude=30.7, longitude=103.9)
    good.focus_areas.add(area)
    ParkProfileFactory(organization=good)  # matchmaking reads carriers of parks with a profile
    CarrierFactory(park=good, carrier_type="gmp", area_available_m2=900)
    OrganizationFactory(kind="park", name_zh="差园区", latitude=30.4, longitude=104.0)
    achievement = AchievementFactory(carrier_needs=["gmp"], space_needed_m2=500)
    achievement.therapeutic_areas.add(area)
    visit = VisitFactory(achievement=achievement)
    client_for(personas.staff).post(f"/engagements/visits/{visit.pk}/draft-from-fit/")
    stops = list(visit.stops.select_related("organization"))
    assert stops[0].organization == good or stops[1].organization == good
    good_stop = next(s for s in stops if s.organization == good)
    # The score of the achievement's matchmaking park tab (the stand-in printed "85/100").
    source = queries.load_source(personas.staff, "achievement", achievement.pk)
    tab = {s.pk: s for s in queries.matches(personas.staff, source, "park").items}
    assert good_stop.fit_summary.splitlines()[0] == f"匹配得分 {tab[good.pk].score:.2f}"


def test_visit_briefing_and_ics(personas: Personas) -> None:
    visit = VisitFactory(title_zh="简报考察")
    StopFactory(visit=visit, fit_summary="90/100\n+ 肿瘤", arrive_at=time(10, 0))
    client = client_for(personas.staff)
    briefing = client.get(f"/engagements/visits/{visit.pk}/briefing/").content.decode()
    ics = client.get(f"/engagements/visits/{visit.pk}/visit.ics")
    assert "90/100" in briefing
    assert ics["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in ics.content


def test_visit_list_query_count_does_not_grow_with_rows(personas: Personas) -> None:
    client = client_for(personas.partner_a)

    def make() -> None:
        visit = VisitFactory()
        visit.organizations.add(personas.org_a)
        StopFactory(visit=visit)

    make()
    with CaptureQueriesContext(connection) as one:
        assert client.get("/engagements/visits/").status_code == 200
    make()
    make()
    with CaptureQueriesContext(connection) as three:
        assert client.get("/engagements/visits/").status_code == 200
    assert len(three) == len(one)


def test_visit_detail_query_count_does_not_grow_with_stops(personas: Personas) -> None:
    client = client_for(personas.staff)
    visit = VisitFactory()
    StopFactory(visit=visit)
    with CaptureQueriesContext(connection) as one:
        assert client.get(f"/engagements/visits/{visit.pk}/").status_code == 200
    StopFactory(visit=visit)
    StopFactory(visit=visit)
    with CaptureQueriesContext(connection) as three:
        assert client.get(f"/engagements/visits/{visit.pk}/").status_code == 200
    assert len(three) == len(one)


def test_follow_up_with_user_owner_becomes_pipeline_task(personas: Personas) -> None:
    from luodi.pipeline.models import Project, Task

    project = Project.objects.create(
        title="镁合金支架落地", owner=personas.org_a, achievement=AchievementFactory()
    )
    visit = VisitFactory()
    visit.projects.add(project)
    client_for(personas.staff).post(
        f"/engagements/visit/{visit.pk}/follow-ups/",
        {
            "title": "提交选址比选",
            "owner": personas.partner_a.pk,
            "project": project.pk,
            "due_date": "2026-12-30",
        },
    )
    follow_up = FollowUp.objects.get(visit=visit)
    task = Task.objects.get(title="提交选址比选")
    assert follow_up.task == task
    assert (task.owner, task.project) == (personas.partner_a, project)
    client_for(personas.staff).post(f"/engagements/follow-ups/{follow_up.pk}/toggle/")
    task.refresh_from_db()
    assert task.status == "done"


def test_follow_up_owner_outside_project_is_refused(personas: Personas) -> None:
    visit = VisitFactory()
    response = client_for(personas.staff).post(
        f"/engagements/visit/{visit.pk}/follow-ups/",
        {"title": "无项目的伙伴任务", "owner": personas.partner_b.pk},
    )
    assert response.status_code == 400
    assert response.context["follow_up_form"].errors
    assert FollowUp.objects.count() == 0


def test_follow_up_owner_by_name_has_no_pipeline_task(personas: Personas) -> None:
    visit = VisitFactory()
    client_for(personas.staff).post(
        f"/engagements/visit/{visit.pk}/follow-ups/",
        {"title": "园区提供载体清单", "owner_name": "赵主任"},
    )
    follow_up = FollowUp.objects.get(visit=visit)
    assert (follow_up.owner_label, follow_up.task) == ("赵主任", None)


def test_visit_links_projects_it_advanced(personas: Personas) -> None:
    from luodi.pipeline.models import Project

    project = Project.objects.create(
        title="检测中心落地", owner=personas.org_a, achievement=AchievementFactory()
    )
    client_for(personas.staff).post(
        "/engagements/visits/new/",
        {
            "title_zh": "推进考察",
            "date": "2026-12-01",
            "start_time": "08:30",
            "organizer": personas.org_a.pk,
            "projects": [project.pk],
        },
    )
    visit = Visit.objects.get(title_zh="推进考察")
    assert list(visit.projects.all()) == [project]
    page = client_for(personas.staff).get(f"/engagements/visits/{visit.pk}/").content.decode()
    assert "检测中心落地" in page
