"""Blind review: a reviewer never learns who wrote the abstract — not on the page, not
through the API — while organisers and the submitter always do; an open review shows them."""

from __future__ import annotations

import pytest

from luodi.conferences import domain
from luodi.conferences.models import Abstract, Conference
from tests.conferences.factories import abstract, conference, room
from tests.conftest import Personas, client_for
from tests.engagements.factories import at
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

AUTHOR, AFFILIATION, EMAIL = "欧阳知远", "锦江虚构研究院", "author@example.org"


def _reviewed(personas: Personas, *, blind: bool) -> tuple[Conference, Abstract, object]:
    conf = conference(personas.staff, blind_review=blind)
    a = abstract(conf, "盲审摘要", presenter=AUTHOR)
    a.authors.filter(presenting=True).update(affiliation=AFFILIATION)
    reviewer = UserFactory(username="blindrev")
    domain.assign_reviewer(actor=personas.staff, abstract=a, reviewer=reviewer)
    return conf, a, reviewer


def _leaks(text: str) -> bool:
    return any(secret in text for secret in (AUTHOR, AFFILIATION, EMAIL))


def test_reviewer_of_a_blind_conference_sees_no_author(personas: Personas) -> None:
    _, a, reviewer = _reviewed(personas, blind=True)
    client = client_for(reviewer)
    page = client.get(f"/conferences/abstracts/{a.pk}/")
    assert page.status_code == 200
    assert "盲审摘要" in page.content.decode() and 'data-testid="authors-withheld"' in (
        page.content.decode()
    )
    assert not _leaks(page.content.decode())
    api = client.get(f"/api/conferences/abstracts/{a.pk}")
    assert api.status_code == 200 and api.json()["authors"] == []
    assert api.json()["authors_withheld"] is True
    listing = client.get(f"/api/conferences/{a.conference_id}/abstracts")
    assert listing.status_code == 200 and not _leaks(listing.content.decode())


def test_organisers_always_see_the_authors(personas: Personas) -> None:
    _, a, _ = _reviewed(personas, blind=True)
    page = client_for(personas.staff).get(f"/conferences/abstracts/{a.pk}/").content.decode()
    assert AUTHOR in page and AFFILIATION in page
    api = client_for(personas.staff).get(f"/api/conferences/abstracts/{a.pk}").json()
    assert api["authors"][0]["name"] == AUTHOR and api["authors_withheld"] is False


def test_an_open_review_shows_the_reviewer_the_authors(personas: Personas) -> None:
    _, a, reviewer = _reviewed(personas, blind=False)
    page = client_for(reviewer).get(f"/conferences/abstracts/{a.pk}/").content.decode()
    assert AUTHOR in page and AFFILIATION in page
    assert EMAIL not in page  # the contact email stays the organisers'


def test_once_in_the_public_programme_the_authors_are_no_secret(personas: Personas) -> None:
    conf, a, reviewer = _reviewed(personas, blind=True)
    r = room(personas.staff, conf)
    a = domain.decide(actor=personas.staff, abstract=a, decision="oral")
    domain.place(actor=personas.staff, abstract=a, room=r, starts_at=at(30, 10))
    page = client_for(reviewer).get(f"/conferences/abstracts/{a.pk}/").content.decode()
    assert AUTHOR in page
