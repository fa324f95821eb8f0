"""Reading the catalog through the API: lists, details, filters, pagination, query counts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from luodi.accounts import domain as accounts_domain
from tests.catalog_api.factories import ParkProfileFactory, TrialFactory, TrialSiteFactory
from tests.catalog_api.helpers import API, Api, error_fields, ids
from tests.conftest import Personas
from tests.factories import (
    AchievementFactory,
    CarrierFactory,
    ClinicalNeedFactory,
    OrganizationFactory,
    PersonFactory,
    TermFactory,
)

pytestmark = pytest.mark.django_db


def _trial() -> Any:
    trial = TrialFactory(sponsor=OrganizationFactory())
    TrialSiteFactory(trial=trial)
    TrialSiteFactory(trial=trial)
    return trial


def _organization() -> Any:
    org = ParkProfileFactory(industry_focus=[TermFactory()]).organization
    org.focus_areas.set([TermFactory()])
    return org


def _achievement() -> Any:
    item = AchievementFactory()
    item.therapeutic_areas.set([TermFactory()])
    item.technology_fields.set([TermFactory(scheme="tech")])
    return item


MAKERS: dict[str, Callable[[], Any]] = {
    "organizations": _organization,
    "achievements": _achievement,
    "needs": lambda: ClinicalNeedFactory(
        specialty=TermFactory(scheme="specialty"), clinician=PersonFactory(status="published")
    ),
    "people": lambda: PersonFactory(status="published"),
    "carriers": CarrierFactory,
    "terms": TermFactory,
    "trials": _trial,
}


@pytest.mark.parametrize("slug", list(MAKERS))
def test_without_credentials_is_401(db: None, slug: str) -> None:
    response = Client().get(f"{API}/{slug}")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_bearer_token_works(personas: Personas) -> None:
    _token, raw = accounts_domain.create_api_token(actor=personas.partner_a, name="script")
    AchievementFactory()
    response = Client().get(f"{API}/achievements", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert response.json()["count"] == 1


@pytest.mark.parametrize("slug", list(MAKERS))
def test_list_and_detail(personas: Personas, slug: str) -> None:
    obj = MAKERS[slug]()
    api = Api(personas.partner_b)
    listing = api.get(f"/{slug}")
    assert obj.pk in ids(listing)
    detail = api.get(f"/{slug}/{obj.pk}")
    assert detail.status_code == 200
    assert detail.json()["id"] == obj.pk
    assert api.get(f"/{slug}/999999").status_code == 404


@pytest.mark.parametrize("slug", list(MAKERS))
def test_list_query_count_does_not_grow_with_rows(personas: Personas, slug: str) -> None:
    for user in (personas.staff, personas.partner_b):
        api = Api(user)
        api.get(f"/{slug}")  # warm-up: session, content types
    MAKERS[slug]()
    counts = {}
    for user in (personas.staff, personas.partner_b):
        with CaptureQueriesContext(connection) as one:
            assert Api(user).get(f"/{slug}").status_code == 200
        counts[user.pk] = len(one)
    MAKERS[slug]()
    MAKERS[slug]()
    for user in (personas.staff, personas.partner_b):
        with CaptureQueriesContext(connection) as three:
            response = Api(user).get(f"/{slug}")
            assert response.status_code == 200
        assert len(response.json()["items"]) >= 3
        assert len(three) == counts[user.pk], [q["sql"] for q in three.captured_queries]


def test_organization_nests_profiles(personas: Personas) -> None:
    park = _organization()
    body = Api(personas.partner_b).get(f"/organizations/{park.pk}").json()
    assert body["park"]["rent_subsidy_pct"] == 50
    assert body["park"]["services"] == ["cro", "platform"]
    assert len(body["park"]["industry_focus"]) == 1
    assert len(body["focus_areas"]) == 1
    assert body["clinical_center"] is None
    assert body["company"] is None


def test_filters_mirror_the_web_list(personas: Personas) -> None:
    area = TermFactory()
    drug = AchievementFactory(kind="drug", title_en="Kinase inhibitor")
    drug.therapeutic_areas.set([area])
    device = AchievementFactory(kind="device", stage="prototype", title_en="Stent")
    gone = AchievementFactory(kind="drug", archived_at=timezone.now(), owner=personas.org_a)
    api = Api(personas.partner_a)
    assert set(ids(api.get("/achievements"))) == {drug.pk, device.pk}
    assert ids(api.get("/achievements", kind="device")) == [device.pk]
    assert ids(api.get("/achievements", q="kinase")) == [drug.pk]
    assert ids(api.get("/achievements", area=area.pk)) == [drug.pk]
    assert gone.pk in ids(api.get("/achievements", show_archived="true"))


def test_invalid_filter_is_422(personas: Personas) -> None:
    api = Api(personas.partner_a)
    assert "kind" in error_fields(api.get("/achievements", kind="spaceship"))
    assert "area" in error_fields(api.get("/achievements", area=999999))
    assert "min_available" in error_fields(api.get("/carriers", min_available="lots"))


def test_limit_offset_pagination(personas: Personas) -> None:
    made = {OrganizationFactory(name_zh=f"机构{i}").pk for i in range(5)}
    api = Api(personas.staff)
    first = api.get("/organizations", limit=2).json()
    rest = api.get("/organizations", limit=10, offset=2).json()
    assert first["count"] == rest["count"] == len(made) + 2  # + the personas' two
    seen = [i["id"] for i in first["items"] + rest["items"]]
    assert len(seen) == len(set(seen)) == first["count"]


def test_terms_filter_by_scheme_and_q(personas: Personas) -> None:
    area = TermFactory(scheme="area", label_en="Oncology", code="C00-D49")
    TermFactory(scheme="tech", label_en="Oncology imaging")
    api = Api(personas.viewer)
    assert ids(api.get("/terms", scheme="area", q="oncol")) == [area.pk]
    assert len(ids(api.get("/terms", q="oncology"))) == 2
    assert "scheme" in error_fields(api.get("/terms", scheme="nope"))


def test_trial_lists_sites(personas: Personas) -> None:
    trial = _trial()
    other = TrialFactory(conditions="Diabetes")
    api = Api(personas.viewer)
    body = api.get(f"/trials/{trial.pk}").json()
    assert body["registry_id"] == trial.registry_id
    assert body["sponsor"]["id"] == trial.sponsor_id
    assert len(body["sites"]) == 2
    assert body["sites"][0]["location"] == "West China Hospital, Chengdu"
    assert ids(api.get("/trials", q="diabetes")) == [other.pk]
    site = trial.site_links.first().organization_id
    assert ids(api.get("/trials", site=site)) == [trial.pk]


def test_teaser_list_query_count_does_not_grow_with_rows(personas: Personas) -> None:
    api = Api(personas.partner_b)
    api.get("/achievements")
    AchievementFactory(disclosure="teaser")
    with CaptureQueriesContext(connection) as one:
        api.get("/achievements")
    AchievementFactory(disclosure="teaser")
    AchievementFactory(disclosure="teaser")
    with CaptureQueriesContext(connection) as three:
        api.get("/achievements")
    assert len(three) == len(one)
