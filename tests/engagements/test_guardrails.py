"""Field test #18 item 9, guardrails: removing participants, warnings before duplicates,
confirmation before removing or cancelling, agenda items within the event's days, speakers in
protocol order, and nothing "done" or published about a visit that has not happened yet."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.utils import timezone, translation

from luodi.accounts.models import AuditEntry
from luodi.engagements.models import (
    Meeting,
    NewsPost,
    Participant,
    Registration,
    Session,
    Visit,
    VisitStop,
)
from tests.conftest import Personas, client_for
from tests.engagements.factories import (
    EventFactory,
    MeetingFactory,
    RegistrationFactory,
    StopFactory,
    VisitFactory,
    at,
)

API = "/api/engagements"


@pytest.fixture(autouse=True)
def _default_language_after():  # type: ignore[no-untyped-def]
    """Requests in English leave English active in this thread (LocaleMiddleware does not
    reset it): put the default back, so later modules' tests see Chinese as they expect."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def _json(client, method: str, url: str, data: dict | None = None):  # type: ignore[no-untyped-def]
    return getattr(client, method)(
        url, json.dumps(data or {}), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )


# -- removing a participant -------------------------------------------------------------------


def test_visit_participant_is_removed_after_confirming(personas: Personas) -> None:
    visit = VisitFactory()
    person = Participant.objects.create(visit=visit, name="张伟", role="董事长")
    kept = Participant.objects.create(visit=visit, name="李娜")
    client = client_for(personas.staff)
    url = f"/engagements/visit/{visit.pk}/participants/{person.pk}/remove/"

    page = client.get(f"/engagements/visits/{visit.pk}/").content.decode()
    assert url in page  # the visit page offers it

    ask = client.get(url)
    assert ask.status_code == 200
    assert "张伟" in ask.content.decode() and 'name="confirm"' in ask.content.decode()
    assert Participant.objects.filter(pk=person.pk).exists()

    done = client.post(url, {"confirm": "1"})
    assert done.status_code == 302
    assert list(visit.participants.all()) == [kept]
    assert AuditEntry.objects.filter(verb="visit.remove_participant").count() == 1


def test_participant_of_another_visit_is_not_found(personas: Personas) -> None:
    visit, other = VisitFactory(), VisitFactory()
    stranger = Participant.objects.create(visit=other, name="王五")
    response = client_for(personas.staff).post(
        f"/engagements/visit/{visit.pk}/participants/{stranger.pk}/remove/", {"confirm": "1"}
    )
    assert response.status_code == 404
    assert Participant.objects.filter(pk=stranger.pk).exists()


def test_api_removes_a_participant(personas: Personas) -> None:
    visit = VisitFactory()
    client = client_for(personas.staff)
    added = _json(client, "post", f"{API}/visits/{visit.pk}/participants", {"name": "张伟"})
    assert added.status_code == 201
    pid = added.json()["id"]
    gone = _json(client, "delete", f"{API}/visits/{visit.pk}/participants/{pid}")
    assert gone.status_code == 204
    assert not visit.participants.exists()
    again = _json(client, "delete", f"{API}/visits/{visit.pk}/participants/{pid}")
    assert again.status_code == 404


def test_partner_may_not_remove_participants(personas: Personas) -> None:
    visit = VisitFactory()
    visit.organizations.add(personas.org_a)  # a delegation member: may see, not change
    person = Participant.objects.create(visit=visit, name="张伟")
    client = client_for(personas.partner_a)
    url = f"/engagements/visit/{visit.pk}/participants/{person.pk}/remove/"
    assert client.post(url, {"confirm": "1"}).status_code == 403
    response = _json(client, "delete", f"{API}/visits/{visit.pk}/participants/{person.pk}")
    assert response.status_code == 403
    assert Participant.objects.filter(pk=person.pk).exists()


# -- duplicates are asked about ---------------------------------------------------------------


def test_duplicate_participant_is_warned_then_added_when_confirmed(personas: Personas) -> None:
    visit = VisitFactory()
    Participant.objects.create(visit=visit, name="张伟")
    client = client_for(personas.staff)
    url = f"/engagements/visit/{visit.pk}/participants/"

    warned = client.post(url, {"name": "张 伟"}, HTTP_ACCEPT_LANGUAGE="en")
    assert warned.status_code == 400
    page = warned.content.decode()
    assert "is on the list already" in page
    assert 'type="checkbox" name="allow_duplicate"' in page
    assert visit.participants.count() == 1

    added = client.post(url, {"name": "张 伟", "allow_duplicate": "on"})
    assert added.status_code == 302
    assert visit.participants.count() == 2


def test_api_duplicate_participant_is_a_field_error(personas: Personas) -> None:
    visit = VisitFactory()
    Participant.objects.create(visit=visit, name="Li Na")
    client = client_for(personas.staff)
    url = f"{API}/visits/{visit.pk}/participants"
    response = _json(client, "post", url, {"name": "li  na"})
    assert response.status_code == 422
    assert "name" in response.json()["error"]["fields"]
    ok = _json(client, "post", url, {"name": "li  na", "allow_duplicate": True})
    assert ok.status_code == 201


def test_duplicate_stop_is_warned(personas: Personas) -> None:
    stop = StopFactory()
    visit = stop.visit
    client = client_for(personas.staff)
    url = f"/engagements/visits/{visit.pk}/stops/"
    data = {"organization": stop.organization_id, "duration_min": 60}

    warned = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert warned.status_code == 400
    assert "is on the itinerary already" in warned.content.decode()
    assert visit.stops.count() == 1

    api = _json(
        client,
        "post",
        f"{API}/visits/{visit.pk}/stops",
        {"organization_id": stop.organization_id},
    )
    assert api.status_code == 422 and "organization" in api.json()["error"]["fields"]

    assert client.post(url, data | {"allow_duplicate": "on"}).status_code == 302
    assert visit.stops.count() == 2


def test_duplicate_place_by_name_is_warned(personas: Personas) -> None:
    visit = VisitFactory()
    VisitStop.objects.create(visit=visit, place="天府国际生物城")
    response = client_for(personas.staff).post(
        f"/engagements/visits/{visit.pk}/stops/", {"place": " 天府国际生物城", "duration_min": 30}
    )
    assert response.status_code == 400
    assert visit.stops.count() == 1


def test_duplicate_meeting_is_warned(personas: Personas) -> None:
    MeetingFactory(title="产业座谈会", starts_at=at(3, 10))
    client = client_for(personas.staff)
    day = (timezone.localdate() + timedelta(days=3)).isoformat()
    data = {"title": "产业座谈会", "starts_at": f"{day}T15:00"}

    warned = client.post("/engagements/meetings/new/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert warned.status_code == 400
    assert "on this day is recorded already" in warned.content.decode()
    assert Meeting.objects.count() == 1

    api = _json(
        client,
        "post",
        f"{API}/meetings",
        {"title": "产业座谈会", "starts_at": f"{day}T15:00:00+08:00"},
    )
    assert api.status_code == 422 and "title" in api.json()["error"]["fields"]

    confirmed = client.post("/engagements/meetings/new/", data | {"allow_duplicate": "on"})
    assert confirmed.status_code == 302
    assert Meeting.objects.count() == 2


def test_editing_a_meeting_is_not_its_own_duplicate(personas: Personas) -> None:
    meeting = MeetingFactory(title="产业座谈会", starts_at=at(3, 10))
    day = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%dT%H:%M")
    response = client_for(personas.staff).post(
        f"/engagements/meetings/{meeting.pk}/edit/",
        {"title": "产业座谈会", "starts_at": day, "location": "三楼", "version": meeting.version},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.location == "三楼"


# -- destructive actions ask first ------------------------------------------------------------


def test_one_click_removals_and_cancellations_only_ask(personas: Personas) -> None:
    """A single POST (an old one-click form, or a stray click) removes nothing: it gets the
    confirmation page; only its confirming POST acts."""
    stop = StopFactory()
    event = EventFactory()
    session = Session.objects.create(event=event, starts_at=at(30, 9), ends_at=at(30, 10))
    reg = RegistrationFactory(event=event)
    client = client_for(personas.staff)
    urls = [
        f"/engagements/visits/{stop.visit_id}/stops/{stop.pk}/remove/",
        f"/engagements/events/{event.pk}/sessions/{session.pk}/remove/",
        f"/engagements/events/{event.pk}/registrations/{reg.pk}/cancel/",
    ]
    for url in urls:
        response = client.post(url)
        assert response.status_code == 200, url
        assert 'data-testid="confirm-page"' in response.content.decode(), url
    assert VisitStop.objects.filter(pk=stop.pk).exists()
    assert Session.objects.filter(pk=session.pk).exists()
    assert Registration.objects.get(pk=reg.pk).status == "confirmed"

    for url in urls:
        assert client.post(url, {"confirm": "1"}).status_code == 302, url
    assert not VisitStop.objects.filter(pk=stop.pk).exists()
    assert not Session.objects.filter(pk=session.pk).exists()
    assert Registration.objects.get(pk=reg.pk).status == "cancelled"


def test_pages_link_to_the_confirmation_instead_of_acting(personas: Personas) -> None:
    stop = StopFactory()
    event = EventFactory()
    session = Session.objects.create(event=event, starts_at=at(30, 9), ends_at=at(30, 10))
    reg = RegistrationFactory(event=event)
    client = client_for(personas.staff)
    visit_page = client.get(f"/engagements/visits/{stop.visit_id}/").content.decode()
    event_page = client.get(f"/engagements/events/{event.pk}/").content.decode()
    regs_page = client.get(f"/engagements/events/{event.pk}/registrations/").content.decode()
    for page, url in [
        (visit_page, f"/engagements/visits/{stop.visit_id}/stops/{stop.pk}/remove/"),
        (event_page, f"/engagements/events/{event.pk}/sessions/{session.pk}/remove/"),
        (regs_page, f"/engagements/events/{event.pk}/registrations/{reg.pk}/cancel/"),
    ]:
        assert f'href="{url}"' in page
        assert f'action="{url}"' not in page


# -- the agenda stays within the event --------------------------------------------------------


def test_session_after_a_one_day_forum_is_refused(personas: Personas) -> None:
    event = EventFactory(starts_at=at(30, 9), ends_at=at(30, 17))
    later = (timezone.localdate() + timedelta(days=32)).isoformat()
    response = client_for(personas.staff).post(
        f"/engagements/events/{event.pk}/sessions/",
        {"title_zh": "闭幕", "starts_at": f"{later}T09:00", "ends_at": f"{later}T10:00"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "a session must be on that day" in response.content.decode()
    assert not event.sessions.exists()


def test_api_session_outside_the_event_is_a_field_error(personas: Personas) -> None:
    event = EventFactory(starts_at=at(30, 9), ends_at=at(31, 17))
    before = (timezone.localdate() + timedelta(days=29)).isoformat()
    response = _json(
        client_for(personas.staff),
        "post",
        f"{API}/events/{event.pk}/sessions",
        {
            "title_zh": "预热",
            "starts_at": f"{before}T09:00:00+08:00",
            "ends_at": f"{before}T10:00:00+08:00",
        },
    )
    assert response.status_code == 422
    assert "starts_at" in response.json()["error"]["fields"]


def test_session_on_the_second_day_of_a_two_day_event_is_accepted(personas: Personas) -> None:
    event = EventFactory(starts_at=at(30, 9), ends_at=at(31, 17))
    day = (timezone.localdate() + timedelta(days=31)).isoformat()
    response = client_for(personas.staff).post(
        f"/engagements/events/{event.pk}/sessions/",
        {"title_zh": "第二天", "starts_at": f"{day}T09:00", "ends_at": f"{day}T10:00"},
    )
    assert response.status_code == 302


# -- speakers keep protocol order -------------------------------------------------------------


def _speakers_in_page(client, event) -> list[str]:  # type: ignore[no-untyped-def]
    import re

    page = client.get(f"/engagements/events/{event.pk}/").content.decode()
    return re.findall(r'<li data-testid="speaker">([^<\s]+)', page)


def test_speaker_order_is_kept_as_entered_and_moveable(personas: Personas) -> None:
    event = EventFactory(starts_at=at(30, 9), ends_at=at(30, 17))
    day = timezone.localtime(event.starts_at).date().isoformat()
    client = client_for(personas.staff)
    client.post(
        f"/engagements/events/{event.pk}/sessions/",
        {
            "title_zh": "主旨报告",
            "starts_at": f"{day}T09:00",
            "ends_at": f"{day}T10:00",
            "speakers": "王建国、陈静、Anna Berg",
        },
    )
    session = event.sessions.get()
    assert _speakers_in_page(client, event) == ["王建国", "陈静", "Anna"]
    api = client.get(f"{API}/events/{event.pk}").json()
    assert api["sessions"][0]["speakers"] == ["王建国", "陈静", "Anna Berg"]

    chen = session.speaker_list[1]
    client.post(
        f"/engagements/events/{event.pk}/sessions/{session.pk}/speakers/{chen.pk}/move/",
        {"dir": "up"},
    )
    assert [s.name for s in Session.objects.get(pk=session.pk).speaker_list] == [
        "陈静",
        "王建国",
        "Anna Berg",
    ]

    reorder = _json(
        client,
        "put",
        f"{API}/events/{event.pk}/sessions/{session.pk}/speakers",
        {"speakers": ["Anna Berg", "王建国", "陈静"]},
    )
    assert reorder.status_code == 200
    assert reorder.json()["speakers"] == ["Anna Berg", "王建国", "陈静"]
    bad = _json(
        client,
        "put",
        f"{API}/events/{event.pk}/sessions/{session.pk}/speakers",
        {"speakers": ["王建国"]},
    )
    assert bad.status_code == 422


def test_public_agenda_lists_speakers_in_protocol_order(personas: Personas) -> None:
    event = EventFactory(starts_at=at(30, 9), ends_at=at(30, 17))
    day = timezone.localtime(event.starts_at).date().isoformat()
    client_for(personas.staff).post(
        f"/engagements/events/{event.pk}/sessions/",
        {
            "title_zh": "圆桌",
            "starts_at": f"{day}T11:00",
            "ends_at": f"{day}T12:00",
            "speakers": "赵主任、安院士",
        },
    )
    page = client_for(None).get(f"/public/events/{event.pk}/").content.decode()
    assert page.index("赵主任") < page.index("安院士")


# -- nothing is done or published before it happened ------------------------------------------


def test_future_visit_cannot_be_marked_done(personas: Personas) -> None:
    visit = VisitFactory(date=timezone.localdate() + timedelta(days=5))
    response = client_for(personas.staff).post(
        f"/engagements/visits/{visit.pk}/done/", {"summary": "顺利"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "in the future" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == "planned" and visit.summary == ""


def test_visit_of_today_can_be_marked_done(personas: Personas) -> None:
    visit = VisitFactory(date=timezone.localdate())
    response = client_for(personas.staff).post(
        f"/engagements/visits/{visit.pk}/done/", {"summary": "顺利"}
    )
    assert response.status_code == 302
    assert Visit.objects.get(pk=visit.pk).status == "done"


def test_news_of_a_future_visit_cannot_be_published(personas: Personas) -> None:
    visit = VisitFactory(date=date.today() + timedelta(days=10))
    post = NewsPost.objects.create(
        visit=visit, title_zh="考察", body_zh="正文", title_en="Visit", body_en="Text"
    )
    client = client_for(personas.staff)
    response = client.post(
        f"/engagements/news/{post.pk}/",
        {
            "title_zh": "考察",
            "body_zh": "正文",
            "title_en": "Visit",
            "body_en": "Text",
            "approve_zh": "on",
            "publish": "1",
            "version": post.version,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "in the future" in response.content.decode()
    post.refresh_from_db()
    assert post.status == "draft" and post.zh_state == "draft"
    api = _json(client, "post", f"{API}/news/{post.pk}/publish")
    assert api.status_code == 409
