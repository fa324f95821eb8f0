"""The partnering API: join, suggestions, request → accept → booked, slot_taken, outcome."""

from __future__ import annotations

import pytest

from luodi.partnering import domain
from luodi.partnering.models import Meeting
from tests.conftest import Personas, client_for
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.partnering.helpers import setup

pytestmark = pytest.mark.django_db


def test_join_prefills_and_refuses_a_foreign_organization(personas: Personas) -> None:
    s = setup(personas)
    newcomer = UserFactory(username="newcomer")
    org = OrganizationFactory(name_zh="新机构", description_zh="专注医学影像")
    MembershipFactory(user=newcomer, organization=org)
    api = client_for(newcomer)
    url = f"/api/partnering/sessions/{s.session.pk}/participants"
    refused = api.post(url, {"organization_id": personas.org_a.pk}, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"]["organization_id"]
    made = api.post(url, {"organization_id": org.pk}, content_type="application/json")
    assert made.status_code == 201
    assert "专注医学影像" in made.json()["offer"]
    again = api.post(url, {"organization_id": org.pk}, content_type="application/json")
    assert again.status_code == 422


def test_request_accept_and_book(personas: Personas) -> None:
    s = setup(personas)
    a, b = client_for(personas.partner_a), client_for(personas.partner_b)
    sugg = a.get(f"/api/partnering/sessions/{s.session.pk}/suggestions").json()
    assert {x["participant"]["id"] for x in sugg} == {s.b.pk, s.c.pk}
    made = a.post(
        f"/api/partnering/sessions/{s.session.pk}/meetings",
        {"participant_id": s.b.pk, "starts_at": s.slots[1].isoformat()},
        content_type="application/json",
    )
    assert made.status_code == 201
    body = made.json()
    assert (body["state"], body["a_accepted"]) == ("pending", True)
    booked = b.post(
        f"/api/partnering/meetings/{body['id']}/accept",
        {"version": body["version"]},
        content_type="application/json",
    )
    assert booked.status_code == 200
    assert (booked.json()["state"], booked.json()["table"]) == ("booked", "T1")


def test_accepting_a_taken_slot_is_a_409(personas: Personas) -> None:
    s = setup(personas)
    m = domain.propose(actor=personas.partner_a, a=s.a, b=s.b)
    domain.schedule(actor=personas.staff, a=s.b, b=s.c, starts_at=m.starts_at)
    answer = client_for(personas.partner_b).post(
        f"/api/partnering/meetings/{m.pk}/accept", {}, content_type="application/json"
    )
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "slot_taken"
    m.refresh_from_db()
    assert m.state == "pending" and not m.b_accepted


def test_stale_version_is_a_409_conflict(personas: Personas) -> None:
    s = setup(personas)
    m = domain.propose(actor=personas.partner_a, a=s.a, b=s.b)
    answer = client_for(personas.partner_b).post(
        f"/api/partnering/meetings/{m.pk}/accept", {"version": 9}, content_type="application/json"
    )
    assert (answer.status_code, answer.json()["error"]["code"]) == (409, "conflict")


def test_schedule_is_for_organisers(personas: Personas) -> None:
    s = setup(personas)
    payload = {"a_id": s.a.pk, "b_id": s.b.pk}
    url = f"/api/partnering/sessions/{s.session.pk}/schedule"
    assert (
        client_for(personas.partner_a)
        .post(url, payload, content_type="application/json")
        .status_code
        == 403
    )
    made = client_for(s.organiser).post(url, payload, content_type="application/json")
    assert made.status_code == 201 and made.json()["state"] == "booked"
    bad = client_for(s.organiser).post(
        url, {"a_id": s.a.pk, "b_id": 999999}, content_type="application/json"
    )
    assert bad.status_code == 422


def test_outcome_validation(personas: Personas) -> None:
    s = setup(personas, days=-1)
    m = domain.schedule(actor=personas.staff, a=s.a, b=s.b)
    api = client_for(personas.partner_a)
    url = f"/api/partnering/meetings/{m.pk}/outcome"
    bad = api.post(url, {"held": False, "no_show_of": s.c.pk}, content_type="application/json")
    assert bad.status_code == 422
    ok = api.post(url, {"held": False, "no_show_of": s.b.pk}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["state"] == "no_show"
    assert Meeting.objects.get(pk=m.pk).no_show_of_id == s.b.pk


def test_availability_round_trip(personas: Personas) -> None:
    s = setup(personas)
    api = client_for(personas.partner_a)
    url = f"/api/partnering/sessions/{s.session.pk}/availability"
    put = api.put(url, {"free": [s.slots[2].isoformat()]}, content_type="application/json")
    assert put.status_code == 200
    assert len(put.json()["free"]) == 1
    refused = client_for(personas.viewer).get(url)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "not_participant")
