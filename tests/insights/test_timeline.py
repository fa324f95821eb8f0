"""An organization's projects, agreements, visits, meetings and events as one timeline on
its page and in the API (field test #18 item 3), each row only for those who may see it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from luodi.pipeline.domain.agreements import create_agreement
from tests.conftest import Personas, client_for
from tests.engagements.factories import EventFactory, MeetingFactory, StopFactory, VisitFactory
from tests.factories import OrganizationFactory
from tests.pipeline.factories import make_project

pytestmark = pytest.mark.django_db


def _history(personas: Personas) -> dict[str, object]:
    """Org A with one of everything; a project of org A that partner B is not part of."""
    park = OrganizationFactory(kind="park", name_zh="天府国际生物城（演示）")
    project = make_project(
        personas.staff, personas.org_a, title="时间线项目MKPROJ", target_park=park
    )
    agreement = create_agreement(
        actor=personas.staff,
        project=project,
        values={"kind": "intention", "title": "合作意向MKAGREE"},
        parties=[personas.org_a, park],
    )
    visit = VisitFactory(title_zh="园区考察MKVISIT", date=date.today() - timedelta(days=3))
    StopFactory(visit=visit, organization=personas.org_a)
    meeting = MeetingFactory(title="座谈MKMEET")
    meeting.organizations.add(personas.org_a)
    event = EventFactory(title_zh="医工融合论坛MKEVENT")
    event.invitees.add(personas.org_a)
    return {"project": project, "agreement": agreement, "visit": visit, "event": event}


def test_staff_see_every_kind_newest_first_in_the_api(personas: Personas) -> None:
    _history(personas)

    response = client_for(personas.staff).get(
        f"/api/insights/organizations/{personas.org_a.pk}/timeline"
    )

    assert response.status_code == 200, response.content
    entries = response.json()["entries"]
    assert {e["kind"] for e in entries} == {"project", "agreement", "visit", "meeting", "event"}
    days = [e["day"] for e in entries]
    assert days == sorted(days, reverse=True)
    assert response.json()["more"] is False


def test_the_page_shows_the_timeline_with_links(personas: Personas) -> None:
    history = _history(personas)

    html = (
        client_for(personas.staff)
        .get(f"/insights/organizations/{personas.org_a.pk}/timeline/")
        .content.decode()
    )

    assert html.count('data-testid="timeline-row"') == 5
    assert f'href="/projects/{history["project"].pk}/"' in html  # type: ignore[attr-defined]
    assert f'href="/engagements/visits/{history["visit"].pk}/"' in html  # type: ignore[attr-defined]
    org_page = client_for(personas.staff).get(f"/catalog/organizations/{personas.org_a.pk}/")
    assert "/timeline/" in org_page.content.decode()


@pytest.mark.parametrize("who", ["partner_b", "viewer"])
def test_others_never_see_rows_they_may_not_open(personas: Personas, who: str) -> None:
    _history(personas)
    user = getattr(personas, who)

    html = (
        client_for(user)
        .get(f"/insights/organizations/{personas.org_a.pk}/timeline/")
        .content.decode()
    )
    api = client_for(user).get(f"/api/insights/organizations/{personas.org_a.pk}/timeline")

    for marker in ("MKPROJ", "MKAGREE"):
        assert marker not in html and marker not in api.content.decode()


def test_an_organization_the_user_may_not_see_is_not_found(personas: Personas) -> None:
    hidden = OrganizationFactory(name_zh="未发布机构", status="draft")

    page = client_for(personas.partner_b).get(f"/insights/organizations/{hidden.pk}/timeline/")
    api = client_for(personas.partner_b).get(f"/api/insights/organizations/{hidden.pk}/timeline")

    assert (page.status_code, api.status_code) == (404, 404)
    assert api.json()["error"]["code"] == "not_found"
