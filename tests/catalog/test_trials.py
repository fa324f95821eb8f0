from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from luodi.catalog.models import Trial, TrialSite
from tests.conftest import Personas, client_for
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def _trial(n: int) -> Trial:
    trial = Trial.objects.create(
        registry_id=f"NCT0000000{n}",
        title=f"Trial {n} of 瑞德西韦",
        conditions="COVID-19",
        phase="Phase 2",
    )
    for _ in range(2):
        TrialSite.objects.create(
            trial=trial,
            organization=OrganizationFactory(kind="hospital"),
            location="Hospital, Wuhan, China",
        )
    return trial


def test_trial_list_filters_and_links_to_site_ranking(personas: Personas) -> None:
    trial = _trial(1)
    _trial(2).__class__.objects.filter(registry_id="NCT00000002").update(conditions="Asthma")
    client = client_for(personas.partner_a)
    response = client.get("/catalog/trials/", {"q": "COVID-19"})
    assert [t.registry_id for t in response.context["page"]] == ["NCT00000001"]
    detail = client.get(f"/catalog/trials/{trial.pk}/").content.decode()
    assert f"/matchmaking/trial/{trial.pk}/" in detail
    assert "Hospital, Wuhan, China" in detail


def test_trial_list_query_count_is_constant(personas: Personas) -> None:
    client = client_for(personas.staff)
    _trial(1)
    with CaptureQueriesContext(connection) as one:
        client.get("/catalog/trials/")
    _trial(2)
    _trial(3)
    with CaptureQueriesContext(connection) as three:
        client.get("/catalog/trials/")
    assert len(one) == len(three)


def test_trials_need_sign_in_and_unknown_trial_is_404(personas: Personas) -> None:
    assert Client().get("/catalog/trials/").status_code == 302
    assert client_for(personas.viewer).get("/catalog/trials/999/").status_code == 404
