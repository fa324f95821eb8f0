"""The call for abstracts and the timetable: submission, review, decision, placement (with
engagements' conflict checks), the rules (a reviewer sees only assigned abstracts; nothing
undecided or rejected on a public page) and the API."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from luodi.conferences import domain, rules
from luodi.conferences.models import Abstract
from luodi.engagements.domain.events import AgendaConflict
from luodi.engagements.models import Session
from tests.conferences.factories import abstract, conference, room
from tests.conftest import Personas, client_for
from tests.engagements.factories import at
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_submit_abstract_keeps_author_order_and_presenter(personas: Personas) -> None:
    conf = conference(personas.staff)
    a = abstract(conf)
    assert [(x.name, x.presenting) for x in a.authors.all()] == [
        ("周子墨", True),
        ("合作者", False),
    ]
    assert a.status == "submitted"


def test_submit_abstract_after_the_call_closed_is_refused(personas: Personas) -> None:
    conf = conference(personas.staff, call_opens_at=at(-10, 0), call_closes_at=at(-1, 0))
    with pytest.raises(domain.CallClosed):
        abstract(conf)
    assert Abstract.objects.count() == 0


def test_submit_abstract_needs_exactly_one_presenter(personas: Personas) -> None:
    conf = conference(personas.staff)
    with pytest.raises(ValidationError):
        domain.submit_abstract(
            conference=conf,
            title="t",
            body="b",
            topic="医疗器械",
            contact_email="a@example.org",
            authors=[domain.AuthorIn("甲", "", True), domain.AuthorIn("乙", "", True)],
        )
    assert Abstract.objects.count() == 0


def test_place_creates_an_agenda_session_with_the_presenter(personas: Personas) -> None:
    conf = conference(personas.staff)
    hall = room(personas.staff, conf)
    a = abstract(conf)
    domain.decide(actor=personas.staff, abstract=a, decision="oral")
    session = domain.place(actor=personas.staff, abstract=a, room=hall, starts_at=at(30, 9))
    assert session.event_id == conf.event_id
    assert session.room == "主会场"
    assert [s.name for s in session.speaker_list] == ["周子墨"]
    assert (session.ends_at - session.starts_at).seconds == 30 * 60


def test_place_refuses_a_speaker_conflict_and_changes_nothing(personas: Personas) -> None:
    conf = conference(personas.staff)
    hall, side = room(personas.staff, conf), room(personas.staff, conf, "分会场A")
    first, second = abstract(conf, "一"), abstract(conf, "二")  # same presenter
    for a in (first, second):
        domain.decide(actor=personas.staff, abstract=a, decision="oral")
    domain.place(actor=personas.staff, abstract=first, room=hall, starts_at=at(30, 9))
    with pytest.raises(AgendaConflict) as exc:
        domain.place(actor=personas.staff, abstract=second, room=side, starts_at=at(30, 9))
    assert [c.kind for c in exc.value.conflicts] == ["speaker"]
    second.refresh_from_db()
    assert second.session is None
    assert Session.objects.count() == 1


def test_place_refuses_a_room_conflict(personas: Personas) -> None:
    conf = conference(personas.staff)
    hall = room(personas.staff, conf)
    first, second = abstract(conf, "一"), abstract(conf, "二", presenter="许安然")
    for a in (first, second):
        domain.decide(actor=personas.staff, abstract=a, decision="poster")
    domain.place(actor=personas.staff, abstract=first, room=hall, starts_at=at(30, 9))
    with pytest.raises(AgendaConflict) as exc:
        domain.place(actor=personas.staff, abstract=second, room=hall, starts_at=at(30, 9, 15))
    assert [c.kind for c in exc.value.conflicts] == ["room"]


def test_place_refuses_an_undecided_abstract_and_a_slot_outside_the_days(
    personas: Personas,
) -> None:
    conf = conference(personas.staff)
    hall = room(personas.staff, conf)
    a = abstract(conf)
    with pytest.raises(ValidationError):
        domain.place(actor=personas.staff, abstract=a, room=hall, starts_at=at(30, 9))
    domain.decide(actor=personas.staff, abstract=a, decision="oral")
    with pytest.raises(ValidationError):
        domain.place(actor=personas.staff, abstract=a, room=hall, starts_at=at(33, 9))
    with pytest.raises(ValidationError):
        domain.place(actor=personas.staff, abstract=a, room=hall, starts_at=at(30, 16, 45))


def test_moving_a_placed_abstract_replaces_its_session(personas: Personas) -> None:
    conf = conference(personas.staff)
    hall = room(personas.staff, conf)
    a = abstract(conf)
    domain.decide(actor=personas.staff, abstract=a, decision="oral")
    domain.place(actor=personas.staff, abstract=a, room=hall, starts_at=at(30, 9))
    domain.place(actor=personas.staff, abstract=a, room=hall, starts_at=at(31, 10))
    a.refresh_from_db()
    assert Session.objects.count() == 1
    assert a.session is not None and a.session.starts_at == at(31, 10)


def test_rejecting_a_placed_abstract_takes_it_out_of_the_programme(personas: Personas) -> None:
    conf = conference(personas.staff)
    hall = room(personas.staff, conf)
    a = abstract(conf)
    domain.decide(actor=personas.staff, abstract=a, decision="oral")
    domain.place(actor=personas.staff, abstract=a, room=hall, starts_at=at(30, 9))
    domain.decide(actor=personas.staff, abstract=a, decision="rejected")
    assert Session.objects.count() == 0


def test_decide_with_a_stale_version_is_refused(personas: Personas) -> None:
    from luodi.concurrency import Conflict

    conf = conference(personas.staff)
    a = abstract(conf)
    domain.decide(actor=personas.staff, abstract=a, decision="oral", expected_version=1)
    with pytest.raises(Conflict):
        domain.decide(actor=personas.staff, abstract=a, decision="rejected", expected_version=1)
    a.refresh_from_db()
    assert a.status == "oral"


def test_reviewer_sees_only_assigned_abstracts_and_own_reviews(personas: Personas) -> None:
    conf = conference(personas.staff)
    mine, other = abstract(conf, "一"), abstract(conf, "二")
    reviewer, colleague = UserFactory(username="rev1"), UserFactory(username="rev2")
    domain.assign_reviewer(actor=personas.staff, abstract=mine, reviewer=reviewer)
    theirs = domain.assign_reviewer(actor=personas.staff, abstract=mine, reviewer=colleague)
    domain.assign_reviewer(actor=personas.staff, abstract=other, reviewer=colleague)
    domain.submit_review(actor=colleague, review=theirs, score=2, comment="secret")
    assert list(rules.abstracts_visible_to(reviewer)) == [mine]
    assert [r.reviewer_id for r in rules.reviews_visible_to(reviewer)] == [reviewer.pk]
    assert client_for(reviewer).get(f"/conferences/abstracts/{other.pk}/").status_code == 404
    page = client_for(reviewer).get(f"/conferences/abstracts/{mine.pk}/").content.decode()
    assert "secret" not in page
    assert list(rules.abstracts_visible_to(personas.partner_b)) == []


def test_someone_else_cannot_submit_a_review(personas: Personas) -> None:
    conf = conference(personas.staff)
    a = abstract(conf)
    review = domain.assign_reviewer(actor=personas.staff, abstract=a, reviewer=personas.partner_a)
    with pytest.raises(ValidationError):
        domain.submit_review(actor=personas.partner_b, review=review, score=5, comment="")
    review.refresh_from_db()
    assert review.score is None


def test_public_pages_never_show_undecided_or_rejected_abstracts(personas: Personas) -> None:
    conf = conference(personas.staff)
    hall = room(personas.staff, conf)
    shown, rejected, pending = (
        abstract(conf, "录用的报告"),
        abstract(conf, "拒绝的报告", "甲"),
        abstract(conf, "待定的报告", "乙"),
    )
    domain.decide(actor=personas.staff, abstract=shown, decision="oral")
    domain.place(actor=personas.staff, abstract=shown, room=hall, starts_at=at(30, 9))
    domain.decide(actor=personas.staff, abstract=rejected, decision="rejected")
    html = client_for(None).get(f"/conferences/public/{conf.event_id}/programme/").content.decode()
    assert "录用的报告" in html
    assert "拒绝的报告" not in html and "待定的报告" not in html
    assert list(rules.public_abstracts()) == [shown]
    assert pending.status == "submitted"


def test_public_pages_of_a_draft_event_are_not_found(personas: Personas) -> None:
    conf = conference(personas.staff)
    conf.event.status = "draft"
    conf.event.save(update_fields=["status"])
    anon = client_for(None)
    assert anon.get(f"/conferences/public/{conf.event_id}/programme/").status_code == 404
    assert anon.get(f"/conferences/public/{conf.event_id}/call/").status_code == 404


def test_public_submission_mails_a_private_link(personas: Personas) -> None:
    conf = conference(personas.staff)
    data = {
        "title": "公开投稿",
        "body": "正文",
        "topic": "医疗器械",
        "preference": "oral",
        "contact_email": "Author@Example.org",
        "author1_name": "周子墨",
        "author1_affiliation": "示例大学",
        "presenting": "1",
        "website": "",
    }
    from django.test import Client

    response = Client().post(f"/conferences/public/{conf.event_id}/call/", data)
    assert response.status_code == 302
    a = Abstract.objects.get()
    assert a.contact_email == "author@example.org" and a.submitted_by is None
    follow = response["Location"].split("?")[0]
    assert follow == domain.follow_path(a)
    assert Client().get(follow).status_code == 200
    assert Client().get("/conferences/public/abstract/forged:token/").status_code == 404


def test_public_submission_honeypot_refused(personas: Personas) -> None:
    from django.test import Client

    conf = conference(personas.staff)
    response = Client().post(
        f"/conferences/public/{conf.event_id}/call/",
        {
            "title": "x",
            "body": "y",
            "topic": "医疗器械",
            "preference": "oral",
            "contact_email": "a@example.org",
            "author1_name": "甲",
            "author1_affiliation": "乙",
            "presenting": "1",
            "website": "http://spam",
        },
    )
    assert response.status_code == 400
    assert Abstract.objects.count() == 0


def test_partner_of_another_org_cannot_manage(personas: Personas) -> None:
    conf = conference(personas.staff)
    a = abstract(conf)
    c = client_for(personas.partner_b)
    assert c.get(f"/conferences/{conf.pk}/").status_code in (403, 404)
    r = c.post(f"/conferences/abstracts/{a.pk}/decide/", {"decision": "oral"})
    assert r.status_code == 404
    a.refresh_from_db()
    assert a.status == "submitted"


def test_organizer_member_manages_their_conference(personas: Personas) -> None:
    from tests.engagements.factories import EventFactory

    event = EventFactory(organizer=personas.org_a, starts_at=at(30, 9), ends_at=at(31, 17))
    conf = conference(personas.staff, event=event)
    assert client_for(personas.partner_a).get(f"/conferences/{conf.pk}/").status_code == 200


def test_session_ics_only_for_public_sessions(personas: Personas) -> None:
    conf = conference(personas.staff)
    hall = room(personas.staff, conf)
    a = abstract(conf)
    domain.decide(actor=personas.staff, abstract=a, decision="oral")
    session = domain.place(actor=personas.staff, abstract=a, room=hall, starts_at=at(30, 9))
    body = (
        client_for(None)
        .get(f"/conferences/public/sessions/{session.pk}/session.ics")
        .content.decode()
    )
    assert "BEGIN:VEVENT" in body and "SUMMARY:摘要一" in body and "LOCATION:主会场" in body


# -- API ----------------------------------------------------------------------------------------


def test_api_review_decide_place_and_conflict(personas: Personas) -> None:
    conf = conference(personas.staff)
    hall = room(personas.staff, conf)
    first, second = abstract(conf, "一"), abstract(conf, "二")
    reviewer = UserFactory(username="apirev")
    staff = client_for(personas.staff)
    r = staff.post(
        f"/api/conferences/abstracts/{first.pk}/reviewers",
        json.dumps({"reviewer": "apirev"}),
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    rev = client_for(reviewer)
    assert [a["id"] for a in rev.get(f"/api/conferences/{conf.pk}/abstracts").json()["items"]] == [
        first.pk
    ]
    r = rev.put(
        f"/api/conferences/abstracts/{first.pk}/review",
        json.dumps({"score": 4, "comment": "good"}),
        content_type="application/json",
    )
    assert r.json()["score"] == 4
    r = rev.put(
        f"/api/conferences/abstracts/{second.pk}/review",
        json.dumps({"score": 4}),
        content_type="application/json",
    )
    assert r.status_code == 404
    for a in (first, second):
        r = staff.post(
            f"/api/conferences/abstracts/{a.pk}/decision",
            json.dumps({"decision": "oral"}),
            content_type="application/json",
        )
        assert r.json()["status"] == "oral"
    place = {"room_id": hall.pk, "starts_at": at(30, 9).isoformat()}
    r = staff.put(
        f"/api/conferences/abstracts/{first.pk}/placement",
        json.dumps(place),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["room"] == "主会场"
    r = staff.put(
        f"/api/conferences/abstracts/{second.pk}/placement",
        json.dumps(place),
        content_type="application/json",
    )
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "conflict"
    programme = staff.get(f"/api/conferences/{conf.pk}/programme").json()
    assert [p["abstract_id"] for p in programme] == [first.pk]


def test_api_stale_decision_is_a_409(personas: Personas) -> None:
    conf = conference(personas.staff)
    a = abstract(conf)
    staff = client_for(personas.staff)
    body = json.dumps({"decision": "oral", "version": 99})
    r = staff.post(
        f"/api/conferences/abstracts/{a.pk}/decision", body, content_type="application/json"
    )
    assert r.status_code == 409
    a.refresh_from_db()
    assert a.status == "submitted"


def test_demo_is_idempotent(db) -> None:  # type: ignore[no-untyped-def]
    import io

    from luodi import demo

    demo.load(io.StringIO())
    n = Abstract.objects.filter(is_demo=True).count()
    placed = Abstract.objects.filter(is_demo=True, session__isnull=False)
    days = {s.session.starts_at.date() for s in placed}
    demo.load(io.StringIO())
    assert Abstract.objects.filter(is_demo=True).count() == n == 6
    assert len(days) == 2


def test_the_public_event_page_leads_to_the_call_and_the_programme(personas: Personas) -> None:
    conf = conference(personas.staff)
    anon = client_for(None)
    page = anon.get(f"/public/events/{conf.event_id}/").content.decode()
    assert f"/conferences/public/{conf.event_id}/call/" in page
    assert f"/conferences/public/{conf.event_id}/programme/" in page
    conf.call_closes_at = at(-1, 0)
    conf.call_opens_at = at(-9, 0)
    conf.save(update_fields=["call_opens_at", "call_closes_at"])
    page = anon.get(f"/public/events/{conf.event_id}/").content.decode()
    assert f"/conferences/public/{conf.event_id}/call/" not in page  # the call has closed
    assert f"/conferences/public/{conf.event_id}/programme/" in page
