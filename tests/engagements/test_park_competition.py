"""Parks compete for the same projects (招商): on a visit, a member of one park sees its own
stop in full and the other stops only as name, time and place — never another park's fit
score, terms (rent subsidy, grants) or minutes, nor the outcomes and follow-ups recorded at
its stop. Staff and the visiting side (organizer, delegation, visiting company) see all.
(#16 item 3, engagements part)"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

import pytest
from django.test import Client

from luodi.accounts.models import Role, User
from luodi.catalog.models import Organization
from luodi.engagements import rules
from luodi.engagements.models import FollowUp, Meeting, Outcome, Visit, VisitStop
from tests.conftest import Personas, client_for
from tests.engagements.factories import MeetingFactory, StopFactory, VisitFactory
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

# What a park must never see of another: its fit score, terms and minutes, and the outcomes,
# follow-ups and hosts recorded at its stop. Each marker is unique to one park.
SECRETS = ("FIT", "SUBSIDY", "GRANT", "MINUTES", "HOSTS", "OUTCOME", "FOLLOWUP", "MEETING")


def marker(kind: str, park: str) -> str:
    return f"{kind}-{park}-7Q"


@dataclass
class Tour:
    visit: Visit
    park_a: Organization
    park_b: Organization
    stop_a: VisitStop
    stop_b: VisitStop
    member_a: User
    member_b: User
    company_member: User
    outsider: User  # a member of a third park, not on this visit


def _stop(visit: Visit, park: Organization, name: str, position: int, at: time) -> VisitStop:
    stop: VisitStop = StopFactory(
        visit=visit,
        organization=park,
        position=position,
        arrive_at=at,
        window_start=at,
        duration_min=60,
        place=f"{name}园区 PLACE-{name}",
        hosts=marker("HOSTS", name),
        fit_summary=(
            f"match score 0.9{position} {marker('FIT', name)}\n"
            f"· rent subsidy 50% {marker('SUBSIDY', name)}\n"
            f"· grants up to 3000 {marker('GRANT', name)}"
        ),
        minutes=f"座谈入驻政策 {marker('MINUTES', name)}",
    )
    return stop


def build_tour(personas: Personas) -> Tour:
    """A staff-organized visit taking a company to two competing parks, with minutes, an
    outcome, a follow-up and a meeting at each."""
    park_a = OrganizationFactory(kind="park", name_zh="甲园区", name_en="Park A")
    park_b = OrganizationFactory(kind="park", name_zh="乙园区", name_en="Park B")
    company = OrganizationFactory(kind="company", name_zh="考察企业", name_en="Visiting Co")
    center = OrganizationFactory(kind="association", name_zh="创新中心", name_en="Center")
    visit: Visit = VisitFactory(
        title_zh="两园区考察",
        title_en="Two-park tour",
        organizer=center,
        company=company,
        purpose="为项目选址 PURPOSE-OPEN",
        summary=f"与乙园区达成意向 {marker('SUMMARY', 'ALL')}",
    )
    visit.organizations.set([center, company])
    stop_a = _stop(visit, park_a, "A", 0, time(9, 30))
    stop_b = _stop(visit, park_b, "B", 1, time(14, 0))
    for stop, name, park in ((stop_a, "A", park_a), (stop_b, "B", park_b)):
        Outcome.objects.create(
            visit=visit, kind="intention", stop=stop, counterpart=park, text=marker("OUTCOME", name)
        )
        FollowUp.objects.create(visit=visit, stop=stop, title=marker("FOLLOWUP", name))
        meeting: Meeting = MeetingFactory(
            title=marker("MEETING", name), visit=visit, minutes=marker("MEETING", name) + " m"
        )
        meeting.organizations.set([center, park])

    def member(org: Organization, username: str) -> User:
        user: User = UserFactory(username=username, role=Role.PARTNER)
        MembershipFactory(user=user, organization=org)
        return user

    third: Organization = OrganizationFactory(kind="park", name_zh="丙园区")
    return Tour(
        visit=visit,
        park_a=park_a,
        park_b=park_b,
        stop_a=stop_a,
        stop_b=stop_b,
        member_a=member(park_a, "park_a_member"),
        member_b=member(park_b, "park_b_member"),
        company_member=member(company, "company_member"),
        outsider=member(third, "park_c_member"),
    )


@pytest.fixture
def tour(personas: Personas) -> Tour:
    return build_tour(personas)


def _text(client: Client, url: str, lang: str = "zh-hans") -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def _outputs(client: Client, visit: Visit) -> dict[str, str]:
    """Every way a visit comes out: page, briefing pack, its calendar file, the API."""
    pk = visit.pk
    return {
        "page": _text(client, f"/engagements/visits/{pk}/"),
        "page-en": _text(client, f"/engagements/visits/{pk}/", "en"),
        "briefing": _text(client, f"/engagements/visits/{pk}/briefing/"),
        "ics": _text(client, f"/engagements/visits/{pk}/visit.ics"),
        "api": _text(client, f"/api/engagements/visits/{pk}"),
        "api-list": _text(client, "/api/engagements/visits"),
        "calendar": _text(client, f"/engagements/?view=list&date={visit.date.isoformat()}"),
    }


def _unfold(ics_text: str) -> str:
    return re.sub(r"\r?\n[ \t]", "", ics_text)


def _leaks(outputs: dict[str, str], park: str) -> list[tuple[str, str]]:
    return [
        (where, kind)
        for where, text in outputs.items()
        for kind in SECRETS
        if marker(kind, park) in (_unfold(text) if where == "ics" else text)
    ]


@pytest.mark.parametrize(("me", "other"), [("A", "B"), ("B", "A")])
def test_a_park_member_sees_no_other_parks_fit_terms_or_minutes(
    tour: Tour, me: str, other: str
) -> None:
    user = tour.member_a if me == "A" else tour.member_b
    outputs = _outputs(client_for(user), tour.visit)
    assert _leaks(outputs, other) == []
    # Its own stop in full: fit, terms, minutes, hosts, and what was agreed there.
    for kind in ("FIT", "SUBSIDY", "GRANT", "MINUTES", "HOSTS", "OUTCOME", "FOLLOWUP"):
        assert marker(kind, me) in outputs["page"], kind
    for kind in ("FIT", "SUBSIDY", "GRANT", "HOSTS"):
        assert marker(kind, me) in outputs["briefing"], kind
    assert marker("MINUTES", me) in outputs["api"]
    # The other stop stays on the itinerary by name, time and place.
    for where in ("page", "briefing", "api"):
        assert f"PLACE-{other}" in outputs[where], where
    assert ("14:00" if other == "B" else "09:30") in outputs["briefing"]
    # The visit summary concerns every park: the visiting side's, not a park's.
    assert all(marker("SUMMARY", "ALL") not in text for text in outputs.values())
    assert "PURPOSE-OPEN" in outputs["page"]


def test_withheld_details_say_why_in_both_languages(tour: Tour) -> None:
    client = client_for(tour.member_a)
    zh = _text(client, f"/engagements/visits/{tour.visit.pk}/")
    en = _text(client, f"/engagements/visits/{tour.visit.pk}/", "en")
    briefing = _text(client, f"/engagements/visits/{tour.visit.pk}/briefing/")
    assert "Withheld: visible to staff and to this park only." in en
    assert "已隐去：仅工作人员和该园区可见。" in zh
    assert "已隐去：仅工作人员和该园区可见。" in briefing
    api = client.get(f"/api/engagements/visits/{tour.visit.pk}").json()
    withheld = {s["organization_id"]: s["withheld"] for s in api["stops"]}
    assert withheld == {tour.park_a.pk: False, tour.park_b.pk: True}
    other = next(s for s in api["stops"] if s["withheld"])
    assert (other["fit_summary"], other["minutes"], other["hosts"]) == ("", "", "")


@pytest.mark.parametrize("who", ["staff", "company"])
def test_staff_and_the_visiting_company_see_every_park(
    tour: Tour, personas: Personas, who: str
) -> None:
    user = personas.staff if who == "staff" else tour.company_member
    outputs = _outputs(client_for(user), tour.visit)
    for park in ("A", "B"):
        for kind in ("FIT", "SUBSIDY", "GRANT", "MINUTES", "HOSTS", "OUTCOME", "FOLLOWUP"):
            assert marker(kind, park) in outputs["page"], (park, kind)
        for kind in ("FIT", "SUBSIDY", "GRANT"):
            assert marker(kind, park) in outputs["briefing"], (park, kind)
            assert marker(kind, park) in _unfold(outputs["ics"]), (park, kind)
        assert marker("MINUTES", park) in outputs["api"]
    assert marker("SUMMARY", "ALL") in outputs["page"]
    assert "Withheld" not in outputs["page-en"]
    if who == "staff":  # the company takes part in neither meeting
        assert marker("MEETING", "A") in outputs["page"]
        assert marker("MEETING", "B") in outputs["page"]


def test_a_park_member_of_both_parks_sees_both(tour: Tour) -> None:
    MembershipFactory(user=tour.member_a, organization=tour.park_b)
    page = _text(client_for(tour.member_a), f"/engagements/visits/{tour.visit.pk}/")
    assert marker("FIT", "B") in page and marker("FIT", "A") in page


def test_a_park_in_the_delegation_is_still_a_competitor(tour: Tour) -> None:
    """Being on the visiting side does not open the other parks to a park."""
    tour.visit.organizations.add(tour.park_a)
    outputs = _outputs(client_for(tour.member_a), tour.visit)
    assert _leaks(outputs, "B") == []


def test_a_park_organizing_the_visit_cannot_read_or_write_another_parks_minutes(
    tour: Tour,
) -> None:
    Visit.objects.filter(pk=tour.visit.pk).update(organizer=tour.park_a)
    client = client_for(tour.member_a)
    pk, b = tour.visit.pk, tour.stop_b.pk
    assert client.get(f"/engagements/visits/{pk}/stops/{b}/minutes/").status_code == 403
    post = client.post(f"/engagements/visits/{pk}/stops/{b}/minutes/", {"minutes": "x"})
    assert post.status_code == 403
    api = client.put(
        f"/api/engagements/visits/{pk}/stops/{b}/minutes",
        {"minutes": "x"},
        content_type="application/json",
    )
    assert api.status_code == 403
    tour.stop_b.refresh_from_db()
    assert tour.stop_b.minutes.endswith(marker("MINUTES", "B"))
    # Its own stop's minutes it records and reads back.
    own = client.put(
        f"/api/engagements/visits/{pk}/stops/{tour.stop_a.pk}/minutes",
        {"minutes": "新纪要"},
        content_type="application/json",
    )
    assert own.status_code == 200 and own.json()["minutes"] == "新纪要"
    page = _text(client, f"/engagements/visits/{pk}/")
    assert _leaks({"page": page}, "B") == []


def test_a_park_not_on_the_visit_gets_not_found(tour: Tour) -> None:
    client = client_for(tour.outsider)
    pk = tour.visit.pk
    for url in (
        f"/engagements/visits/{pk}/",
        f"/engagements/visits/{pk}/briefing/",
        f"/engagements/visits/{pk}/visit.ics",
        f"/api/engagements/visits/{pk}",
    ):
        assert client.get(url).status_code == 404, url


def test_disclosure_policy(tour: Tour, personas: Personas) -> None:
    """The policy itself, as the views ask it."""
    stops = [tour.stop_a, tour.stop_b]
    for user, opened in (
        (personas.staff, {tour.stop_a.pk, tour.stop_b.pk}),
        (tour.company_member, {tour.stop_a.pk, tour.stop_b.pk}),
        (tour.member_a, {tour.stop_a.pk}),
        (tour.member_b, {tour.stop_b.pk}),
    ):
        shown = rules.shown_stops(rules.visit_disclosure(user, tour.visit), stops)
        assert {s.pk for s in shown if not s.withheld} == opened, user
        for s in shown:
            if s.withheld:
                assert (s.fit_summary, s.minutes, s.hosts) == ("", "", "")
                assert s.label and s.arrive_at is not None


def test_the_demo_park_persona_sees_no_other_parks_on_the_demo_visit() -> None:
    """The issue's own case: `park` (a member of 成都医学城) on the demo inspection visit."""
    import io

    from django.utils.html import escape

    from luodi.engagements import demo

    UserFactory(username="staff", role=Role.STAFF)
    demo.load(io.StringIO())
    medical_city = Organization.objects.get(name_zh="成都医学城")
    park = UserFactory(username="park", role=Role.PARTNER)
    MembershipFactory(user=park, organization=medical_city)
    visit = Visit.objects.get(title_zh=demo.VISIT_TITLE)
    own = visit.stops.get(organization=medical_city)
    others = list(visit.stops.exclude(organization=medical_city))
    assert len(others) == 2 and all(s.minutes and s.hosts and s.fit_summary for s in others)
    client = client_for(park)
    outputs = _outputs(client, visit)
    outputs["briefing-en"] = _text(client, f"/engagements/visits/{visit.pk}/briefing/", "en")
    for where, text in outputs.items():
        text = _unfold(text) if where == "ics" else text
        for stop in others:
            # Without a match index every demo park scores alike: a summary equal to the
            # park's own says nothing about the other park.
            fit = stop.fit_summary if stop.fit_summary != own.fit_summary else ""
            for secret in filter(None, (stop.minutes[:12], stop.hosts, fit)):
                assert escape(secret) not in text and secret not in text, (where, secret)
    assert escape(own.minutes[:12]) in outputs["page"]
    assert escape(own.fit_summary.splitlines()[0]) in outputs["briefing"]
