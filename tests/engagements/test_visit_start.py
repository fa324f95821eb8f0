"""A visit starts from a place staff know, chosen from the map's organizations, instead of
typed coordinates (field test #18 item 8); typed coordinates still work for anywhere else."""

from __future__ import annotations

import pytest

from luodi.engagements.models import Visit
from tests.conftest import Personas, client_for
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def _post(personas: Personas, **extra: object) -> object:
    return client_for(personas.staff).post(
        "/engagements/visits/new/",
        {
            "title_zh": "医学城考察",
            "date": "2026-12-01",
            "start_time": "08:30",
            "organizer": personas.org_a.pk,
            **extra,
        },
    )


def test_the_start_point_is_chosen_from_the_organizations_on_the_map(
    personas: Personas,
) -> None:
    office = OrganizationFactory(
        kind="association", name_zh="协会办公室", latitude=30.657, longitude=104.066
    )
    OrganizationFactory(kind="company", name_zh="无坐标公司")  # not on the map: not offered

    form = client_for(personas.staff).get("/engagements/visits/new/").context["form"]
    offered = list(form.fields["start_from"].queryset)
    response = _post(personas, start_from=office.pk)

    assert response.status_code == 302
    assert office in offered and all(o.latitude is not None for o in offered)
    visit = Visit.objects.get()
    assert (visit.start_label, visit.start_latitude, visit.start_longitude) == (
        "协会办公室",
        30.657,
        104.066,
    )


def test_typed_coordinates_still_need_both_numbers(personas: Personas) -> None:
    response = _post(personas, start_label="酒店", start_latitude="30.6")

    assert response.status_code == 400
    assert not Visit.objects.exists()
