"""Pages: join through the session page, the agenda shows the meetings; plain form posts
(no htmx, as in a messaging app's browser) redirect; htmx gets the row."""

from __future__ import annotations

import pytest

from luodi.partnering import domain
from luodi.partnering.models import Meeting, Participant
from tests.conftest import Personas, client_for
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.partnering.helpers import setup

pytestmark = pytest.mark.django_db


def test_join_through_the_page(personas: Personas) -> None:
    s = setup(personas)
    newcomer = UserFactory(username="newcomer")
    org = OrganizationFactory()
    MembershipFactory(user=newcomer, organization=org)
    client = client_for(newcomer)
    page = client.get(f"/partnering/{s.session.pk}/")
    assert 'data-testid="join"' in page.content.decode()
    done = client.post(f"/partnering/{s.session.pk}/", {"organization": org.pk})
    assert done.status_code == 302
    assert Participant.objects.filter(user=newcomer, organization=org).count() == 1


def test_accept_without_htmx_redirects_and_with_htmx_renders_the_row(personas: Personas) -> None:
    s = setup(personas)
    m = domain.propose(actor=personas.partner_a, a=s.a, b=s.b)
    client = client_for(personas.partner_b)
    agenda = client.get(f"/partnering/{s.session.pk}/agenda/").content.decode()
    assert f'data-testid="meeting-{m.pk}"' in agenda
    row = client.post(
        f"/partnering/meetings/{m.pk}/accept/",
        {"starts_at": m.starts_at.isoformat(), "version": m.version},
        HTTP_HX_REQUEST="true",
    )
    assert row.status_code == 200
    assert 'data-state="booked"' in row.content.decode()

    n = domain.propose(actor=personas.partner_a, a=s.a, b=s.c)
    plain = client_for(s.c.user).post(
        f"/partnering/meetings/{n.pk}/accept/", {"starts_at": n.starts_at.isoformat()}
    )
    assert plain.status_code == 302 and plain["Location"].endswith("/agenda/")
    assert Meeting.objects.get(pk=n.pk).state == "booked"


def test_taken_slot_shows_the_message_in_the_row(personas: Personas) -> None:
    s = setup(personas)
    m = domain.propose(actor=personas.partner_a, a=s.a, b=s.b)
    domain.schedule(actor=personas.staff, a=s.b, b=s.c, starts_at=m.starts_at)
    row = client_for(personas.partner_b).post(
        f"/partnering/meetings/{m.pk}/accept/",
        {"starts_at": m.starts_at.isoformat()},
        HTTP_HX_REQUEST="true",
    )
    assert 'data-testid="meeting-error"' in row.content.decode()
    assert Meeting.objects.get(pk=m.pk).state == "pending"


def test_organiser_proposes_and_schedules(personas: Personas) -> None:
    s = setup(personas)
    client = client_for(s.organiser)
    bad = client.post(f"/partnering/{s.session.pk}/manage/", {"a": s.a.pk, "b": s.a.pk})
    assert bad.status_code == 400 and Meeting.objects.count() == 0
    ok = client.post(f"/partnering/{s.session.pk}/manage/", {"a": s.a.pk, "b": s.b.pk})
    assert ok.status_code == 302
    assert Meeting.objects.get().state == "booked"


def test_event_link_tag(personas: Personas, rf) -> None:  # type: ignore[no-untyped-def]
    from django.template import Context, Template

    s = setup(personas)
    request = rf.get("/")
    request.user = personas.partner_a
    html = Template("{% load partnering_tags %}{% partnering_link event %}").render(
        Context({"request": request, "event": s.event})
    )
    assert f"/partnering/{s.session.pk}/" in html


def test_held_meeting_becomes_a_match_record_on_the_page(personas: Personas) -> None:
    from luodi.catalog.choices import ReviewStatus
    from tests.factories import AchievementFactory

    s = setup(personas, days=-1)
    achievement = AchievementFactory(owner=personas.org_a, status=ReviewStatus.PUBLISHED)
    m = domain.schedule(actor=personas.staff, a=s.a, b=s.b)
    client = client_for(personas.partner_a)
    client.post(f"/partnering/meetings/{m.pk}/outcome/", {"held": "1", "outcome": "follow_up"})
    agenda = client.get(f"/partnering/{s.session.pk}/agenda/").content.decode()
    assert 'data-testid="to-match"' in agenda and 'data-testid="to-project"' not in agenda
    bad = client.post(f"/partnering/meetings/{m.pk}/follow-up/match/", {"achievement": "x"})
    assert bad.status_code == 302 and Meeting.objects.get(pk=m.pk).match_record_id is None
    refused = client.post(
        f"/partnering/meetings/{m.pk}/follow-up/project/", {"achievement": achievement.pk}
    )
    assert refused.status_code == 403
    client.post(f"/partnering/meetings/{m.pk}/follow-up/match/", {"achievement": achievement.pk})
    assert Meeting.objects.get(pk=m.pk).match_record is not None
