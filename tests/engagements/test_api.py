from __future__ import annotations

import json

from luodi.engagements.models import Registration, Visit
from tests.conftest import Personas, client_for
from tests.engagements.factories import EventFactory, RegistrationFactory, StopFactory, VisitFactory
from tests.factories import OrganizationFactory

API = "/api/engagements"


def _post(client, url: str, data: dict, method: str = "post"):  # type: ignore[no-untyped-def]
    return getattr(client, method)(url, json.dumps(data), content_type="application/json")


def test_api_requires_authentication() -> None:
    response = client_for(None).get(f"{API}/visits")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_api_visit_create_add_stops_and_accept_suggestion(personas: Personas) -> None:
    client = client_for(personas.staff)
    park_far = OrganizationFactory(kind="park", latitude=30.405, longitude=104.013)
    park_near = OrganizationFactory(kind="park", latitude=30.566, longitude=104.046)
    created = _post(
        client,
        f"{API}/visits",
        {
            "title_zh": "接口考察",
            "date": "2026-12-01",
            "start_time": "08:30:00",
            "start_latitude": 30.657,
            "start_longitude": 104.066,
            "organizer_id": personas.org_a.pk,
            "organization_ids": [personas.org_b.pk],
        },
    )
    assert created.status_code == 201
    visit_id = created.json()["id"]
    for park in (park_far, park_near):
        assert (
            _post(
                client,
                f"{API}/visits/{visit_id}/stops",
                {"organization_id": park.pk, "duration_min": 60},
            ).status_code
            == 201
        )
    suggestion = client.get(f"{API}/visits/{visit_id}/suggested-order").json()
    stops = {s.organization_id: s.pk for s in Visit.objects.get(pk=visit_id).stops.all()}
    assert suggestion["order"] == [stops[park_near.pk], stops[park_far.pk]]
    accepted = _post(
        client, f"{API}/visits/{visit_id}/order", {"order": suggestion["order"]}, method="put"
    )
    assert accepted.status_code == 200
    assert accepted.json()["order_accepted"] is True
    assert [s["organization_id"] for s in accepted.json()["stops"]] == [park_near.pk, park_far.pk]


def test_api_visit_create_invalid_gives_field_errors(personas: Personas) -> None:
    response = _post(
        client_for(personas.staff),
        f"{API}/visits",
        {"date": "2026-12-01", "organizer_id": personas.org_a.pk},
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["__all__"]


def test_api_visit_create_forbidden_to_partner(personas: Personas) -> None:
    response = _post(
        client_for(personas.partner_a),
        f"{API}/visits",
        {"title_zh": "x", "date": "2026-12-01", "organizer_id": personas.org_a.pk},
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_api_visit_invisible_is_404(personas: Personas) -> None:
    visit = VisitFactory()
    response = client_for(personas.partner_a).get(f"{API}/visits/{visit.pk}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_api_visit_order_must_list_every_stop(personas: Personas) -> None:
    visit = VisitFactory()
    a, _b = StopFactory(visit=visit), StopFactory(visit=visit)
    response = _post(
        client_for(personas.staff),
        f"{API}/visits/{visit.pk}/order",
        {"order": [a.pk]},
        method="put",
    )
    assert response.status_code == 422
    assert "order" in response.json()["error"]["fields"]


def test_api_meeting_create_and_list(personas: Personas) -> None:
    client = client_for(personas.staff)
    created = _post(
        client,
        f"{API}/meetings",
        {
            "title": "座谈会",
            "starts_at": "2026-12-01T10:00:00+08:00",
            "organization_ids": [personas.org_a.pk],
            "minutes": "商定分工",
        },
    )
    assert created.status_code == 201
    listed = client_for(personas.partner_a).get(f"{API}/meetings").json()
    assert [m["title"] for m in listed["items"]] == ["座谈会"]
    assert client_for(personas.partner_b).get(f"{API}/meetings").json()["items"] == []


def test_api_event_create_and_session_conflict(personas: Personas) -> None:
    client = client_for(personas.staff)
    created = _post(
        client,
        f"{API}/events",
        {
            "title_zh": "接口论坛",
            "organizer_id": personas.org_a.pk,
            "venue": "会展中心",
            "starts_at": "2026-12-01T09:00:00+08:00",
            "ends_at": "2026-12-01T17:00:00+08:00",
            "capacity": 100,
        },
    )
    assert created.status_code == 201
    event_id = created.json()["id"]
    session = {
        "title_zh": "开幕",
        "room": "主会场",
        "starts_at": "2026-12-01T09:00:00+08:00",
        "ends_at": "2026-12-01T10:00:00+08:00",
        "speakers": ["陈静"],
    }
    assert _post(client, f"{API}/events/{event_id}/sessions", session).status_code == 201
    clash = _post(
        client, f"{API}/events/{event_id}/sessions", session | {"room": "B", "title_zh": "别的"}
    )
    assert clash.status_code == 409
    assert clash.json()["error"]["code"] == "conflict"
    assert "speakers" in clash.json()["error"]["fields"]
    event = client.get(f"{API}/events/{event_id}").json()
    assert [s["speakers"] for s in event["sessions"]] == [["陈静"]]


def test_api_event_invalid_times(personas: Personas) -> None:
    response = _post(
        client_for(personas.staff),
        f"{API}/events",
        {
            "title_zh": "x",
            "organizer_id": personas.org_a.pk,
            "venue": "v",
            "starts_at": "2026-12-01T17:00:00+08:00",
            "ends_at": "2026-12-01T09:00:00+08:00",
        },
    )
    assert response.status_code == 422
    assert "ends_at" in response.json()["error"]["fields"]


def test_api_registrations_duplicate_and_check_in(personas: Personas) -> None:
    event = EventFactory(organizer=personas.org_a)
    client = client_for(personas.partner_a)
    data = {"name": "王五", "email": "wang@example.org", "consent": True}
    assert _post(client, f"{API}/events/{event.pk}/registrations", data).status_code == 201
    dup = _post(client, f"{API}/events/{event.pk}/registrations", data)
    assert dup.status_code == 409
    assert dup.json()["error"]["fields"] == {"email": ["already registered for this event"]}
    bad = _post(client, f"{API}/events/{event.pk}/registrations", {"name": "x", "email": "no"})
    assert bad.status_code == 422
    code = Registration.objects.get(email="wang@example.org").code
    first = _post(client, f"{API}/events/{event.pk}/check-in", {"code": code})
    again = _post(client, f"{API}/events/{event.pk}/check-in", {"code": code})
    assert first.json()["already_checked_in"] is False
    assert again.json()["already_checked_in"] is True
    listed = client.get(f"{API}/events/{event.pk}/registrations").json()
    assert [r["email"] for r in listed["items"]] == ["wang@example.org"]


def test_api_registrations_hidden_from_other_partners(personas: Personas) -> None:
    reg = RegistrationFactory()
    response = client_for(personas.partner_b).get(f"{API}/events/{reg.event_id}/registrations")
    assert response.status_code == 403


def test_api_outcome_follow_up_and_minutes(personas: Personas) -> None:
    visit = VisitFactory()
    stop = StopFactory(visit=visit)
    client = client_for(personas.staff)
    outcome = _post(
        client,
        f"{API}/visits/{visit.pk}/outcomes",
        {
            "kind": "intention",
            "text": "共同举办论坛",
            "counterpart_id": personas.org_b.pk,
            "stop_id": stop.pk,
        },
    )
    assert outcome.status_code == 201
    assert outcome.json()["counterpart_id"] == personas.org_b.pk
    task = _post(
        client,
        f"{API}/visits/{visit.pk}/follow-ups",
        {"title": "安排回访", "owner_id": personas.staff.pk, "due_date": "2026-12-30"},
    )
    assert task.status_code == 201
    assert task.json()["task_id"] is not None
    minutes = _post(
        client,
        f"{API}/visits/{visit.pk}/stops/{stop.pk}/minutes",
        {"minutes": "座谈纪要"},
        method="put",
    )
    assert minutes.json()["minutes"] == "座谈纪要"


def test_api_outcome_bad_kind_and_follow_up_refused_owner(personas: Personas) -> None:
    visit = VisitFactory()
    client = client_for(personas.staff)
    bad = _post(client, f"{API}/visits/{visit.pk}/outcomes", {"kind": "nonsense", "text": "x"})
    assert bad.status_code == 422
    assert "kind" in bad.json()["error"]["fields"]
    refused = _post(
        client,
        f"{API}/visits/{visit.pk}/follow-ups",
        {"title": "x", "owner_id": personas.partner_b.pk},
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"]["owner"]
    assert (
        _post(client, f"{API}/nothing/1/outcomes", {"kind": "note", "text": "x"}).status_code == 404
    )


def test_linked_projects_and_agreements_are_listed_only_when_visible(personas: Personas) -> None:
    """A park on a visit must not learn, even by id, of another party's project or agreement
    that the visit also served."""
    from luodi.pipeline.models import Agreement
    from tests.pipeline.factories import make_project

    mine = make_project(personas.staff, personas.org_b, title="乙方项目")
    theirs = make_project(personas.staff, personas.org_a, title="甲方机密项目")
    agreement = Agreement.objects.create(project=theirs, kind="license", title="甲方许可")
    visit = VisitFactory(organizer=personas.org_b)
    visit.projects.set([mine, theirs])
    visit.agreements.set([agreement])

    seen = client_for(personas.partner_b).get(f"{API}/visits/{visit.pk}").json()
    assert (seen["project_ids"], seen["agreement_ids"]) == ([mine.pk], [])
    staff = client_for(personas.staff).get(f"{API}/visits/{visit.pk}").json()
    assert sorted(staff["project_ids"]) == sorted([mine.pk, theirs.pk])
    assert staff["agreement_ids"] == [agreement.pk]
