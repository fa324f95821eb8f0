"""Who sees what: participants see only their own meetings and the published offers; others
get 404s; organisers see everything of their session."""

from __future__ import annotations

import pytest

from luodi.partnering import domain, rules
from tests.conftest import Personas, client_for
from tests.factories import UserFactory
from tests.partnering.helpers import setup

pytestmark = pytest.mark.django_db


def test_participants_see_only_their_own_meetings(personas: Personas) -> None:
    s = setup(personas)
    ab = domain.propose(actor=personas.partner_a, a=s.a, b=s.b)
    bc = domain.propose(actor=personas.partner_b, a=s.b, b=s.c)

    assert list(rules.meetings_visible_to(personas.partner_a)) == [ab]
    assert set(rules.meetings_visible_to(personas.partner_b)) == {ab, bc}
    assert set(rules.meetings_visible_to(s.organiser)) == {ab, bc}
    assert list(rules.meetings_visible_to(personas.viewer)) == []

    api = client_for(personas.partner_a)
    assert api.get(f"/api/partnering/meetings/{bc.pk}").status_code == 404
    assert api.get(f"/api/partnering/meetings/{ab.pk}").status_code == 200
    listed = api.get(f"/api/partnering/sessions/{s.session.pk}/meetings").json()
    assert [m["id"] for m in listed] == [ab.pk]


def test_unpublished_participants_are_hidden_from_others(personas: Personas) -> None:
    s = setup(personas)
    s.c.is_published = False
    s.c.save(update_fields=["is_published"])
    seen = set(rules.participants_visible_to(personas.partner_a).filter(session=s.session))
    assert seen == {s.a, s.b}
    outsider = UserFactory(username="outsider")
    assert list(rules.participants_visible_to(outsider)) == []
    page = client_for(personas.partner_a).get(f"/partnering/{s.session.pk}/")
    assert page.status_code == 200
    assert s.c.organization.name_zh not in page.content.decode()


def test_others_cannot_act_on_a_meeting(personas: Personas) -> None:
    s = setup(personas)
    ab = domain.propose(actor=personas.partner_a, a=s.a, b=s.b)
    c_user = s.c.user
    response = client_for(c_user).post(f"/partnering/meetings/{ab.pk}/accept/")
    assert response.status_code == 404
    response = client_for(c_user).post(
        f"/api/partnering/meetings/{ab.pk}/accept", {}, content_type="application/json"
    )
    assert response.status_code == 404
    ab.refresh_from_db()
    assert (ab.state, ab.b_accepted) == ("pending", False)


def test_agenda_and_organiser_pages_are_404_for_others(personas: Personas) -> None:
    s = setup(personas)
    outsider = client_for(personas.viewer)
    assert outsider.get(f"/partnering/{s.session.pk}/agenda/").status_code == 404
    assert (
        client_for(personas.partner_a).get(f"/partnering/{s.session.pk}/manage/").status_code == 404
    )
    assert client_for(s.organiser).get(f"/partnering/{s.session.pk}/manage/").status_code == 200


def test_feed_token_is_signed(personas: Personas) -> None:
    s = setup(personas)
    domain.schedule(actor=personas.staff, a=s.a, b=s.b)
    from luodi.partnering.agenda import feed_token

    anon = client_for(None)
    good = anon.get(f"/partnering/feed/{feed_token(s.a)}.ics")
    assert good.status_code == 200
    body = good.content.decode()
    assert ("BEGIN:VEVENT" in body and "Org B" in body) or "乙机构" in body
    assert anon.get(f"/partnering/feed/{s.a.pk}.ics").status_code == 404
