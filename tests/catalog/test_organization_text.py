"""What an organization page shows under its title and as its location."""

from __future__ import annotations

import pytest
from django.utils import translation

from luodi.catalog.models import Organization
from tests.conftest import Personas, client_for
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_location_does_not_repeat_the_region_the_address_starts_with() -> None:
    org = Organization(province="四川省", city="成都市", district="温江区")
    assert org.location == "四川省 成都市 温江区"
    org.address = "四川省成都市温江区"
    assert org.location == "四川省成都市温江区"
    org.address = "四川省成都市温江区海峡两岸科技产业园"
    assert org.location == "四川省成都市温江区海峡两岸科技产业园"
    org.address = "科园南路88号"
    assert org.location == "四川省 成都市 温江区 科园南路88号"
    assert Organization(province="", city="", district="").location == ""


def test_subtitle_is_the_name_in_the_other_language(personas: Personas) -> None:
    org = OrganizationFactory(name_zh="成都医学城", name_en="Chengdu Medical City")
    with translation.override("en"):
        assert org.other_name == "成都医学城"
    with translation.override("zh-hans"):
        assert org.other_name == "Chengdu Medical City"
    only_zh = Organization(name_zh="某园区", name_en="")
    assert only_zh.other_name == ""

    client = client_for(personas.staff)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(f"/catalog/organizations/{org.pk}/").content.decode()
    assert '<p class="muted">成都医学城' in html
