from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from luodi.engagements import feeds
from tests.conftest import Personas, client_for
from tests.engagements.factories import EventFactory, MeetingFactory, VisitFactory, at


def _titles(response) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(e.title for e in response.context["entries"])


def test_calendar_month_shows_visits_meetings_events(personas: Personas) -> None:
    today = timezone.localdate()
    VisitFactory(title_zh="本月考察", date=today)
    MeetingFactory(title="本月座谈", starts_at=at(0, 15)).organizations.add(personas.org_a)
    EventFactory(title_zh="本月论坛", starts_at=at(0, 9), ends_at=at(0, 17))
    response = client_for(personas.staff).get("/engagements/", {"view": "month"})
    assert _titles(response) == ["本月座谈", "本月考察", "本月论坛"]


def test_calendar_filters_by_organization(personas: Personas) -> None:
    today = timezone.localdate()
    VisitFactory(title_zh="甲考察", date=today, organizer=personas.org_a)
    VisitFactory(title_zh="乙考察", date=today, organizer=personas.org_b)
    response = client_for(personas.staff).get(
        "/engagements/", {"view": "week", "organization": personas.org_a.pk}
    )
    assert _titles(response) == ["甲考察"]


def test_calendar_partner_sees_only_own_and_published(personas: Personas) -> None:
    today = timezone.localdate()
    VisitFactory(title_zh="别人的考察", date=today)
    EventFactory(title_zh="草稿论坛", status="draft", starts_at=at(0, 9), ends_at=at(0, 10))
    EventFactory(title_zh="公开论坛", starts_at=at(0, 9), ends_at=at(0, 10))
    response = client_for(personas.partner_a).get("/engagements/", {"view": "list"})
    assert _titles(response) == ["公开论坛"]


def test_calendar_query_count_does_not_grow_with_entries(personas: Personas) -> None:
    client = client_for(personas.staff)
    VisitFactory(date=timezone.localdate())
    with CaptureQueriesContext(connection) as one:
        client.get("/engagements/", {"view": "list"})
    VisitFactory(date=timezone.localdate() + timedelta(days=1))
    EventFactory(starts_at=at(2, 9), ends_at=at(2, 10))
    with CaptureQueriesContext(connection) as three:
        client.get("/engagements/", {"view": "list"})
    assert len(three) == len(one)


def test_feed_token_gives_private_ics_and_reset_revokes(personas: Personas) -> None:
    VisitFactory(title_zh="订阅考察", date=timezone.localdate() + timedelta(days=3))
    raw = feeds.reset_feed_token(actor=personas.staff)
    response = client_for(None).get(f"/engagements/feed/{raw}.ics")
    assert response.status_code == 200
    assert "订阅考察" in response.content.decode()
    feeds.reset_feed_token(actor=personas.staff)
    assert client_for(None).get(f"/engagements/feed/{raw}.ics").status_code == 404


def test_feed_reset_view_shows_url_once(personas: Personas) -> None:
    response = client_for(personas.staff).post("/engagements/feed/reset/", follow=True)
    text = response.content.decode()
    assert "/engagements/feed/" in text


def test_calendar_shows_due_obligations_of_visible_agreements(personas: Personas) -> None:
    from luodi.pipeline.models import Agreement, Obligation, Project
    from tests.factories import AchievementFactory

    project = Project.objects.create(
        title="落地项目", owner=personas.org_a, achievement=AchievementFactory()
    )
    agreement = Agreement.objects.create(project=project, kind="intention", title="合作意向书")
    Obligation.objects.create(
        agreement=agreement,
        kind="report",
        description="提交季度报告",
        due_date=timezone.localdate(),
    )
    mine = client_for(personas.partner_a).get("/engagements/", {"view": "list"})
    other = client_for(personas.partner_b).get("/engagements/", {"view": "list"})
    assert _titles(mine) == ["合作意向书: 提交季度报告"]
    assert _titles(other) == []
