from __future__ import annotations

import pytest

from luodi.accounts.models import AuditEntry
from luodi.catalog.models import ParkProfile, Term
from tests.conftest import Personas, client_for
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_staff_creates_and_edits_a_park_profile(personas: Personas) -> None:
    park = OrganizationFactory(kind="park")
    focus = Term.objects.create(scheme="tech", code="bio", label_zh="生物药", label_en="Biologics")
    client = client_for(personas.staff)
    assert (
        client.get(f"/catalog/organizations/{park.pk}/").content.decode().count("edit-profile") == 1
    )
    response = client.post(
        f"/catalog/organizations/{park.pk}/profile/",
        {
            "industry_focus": [focus.pk],
            "policy_text_zh": "前三年租金减半",
            "rent_subsidy_pct": 50,
            "subsidy_years": 3,
            "services": ["cro", "bonded"],
        },
    )
    assert response.status_code == 302
    profile = ParkProfile.objects.get(organization=park)
    assert (profile.rent_subsidy_pct, profile.services) == (50, ["cro", "bonded"])
    assert list(profile.industry_focus.all()) == [focus]
    detail = client.get(f"/catalog/organizations/{park.pk}/").content.decode()
    assert "保税进口" in detail  # the service's label, not its stored code
    client.post(f"/catalog/organizations/{park.pk}/profile/", {"rent_subsidy_pct": 30})
    profile.refresh_from_db()
    assert profile.rent_subsidy_pct == 30
    assert AuditEntry.objects.filter(verb="parkprofile.update").exists()


def test_profile_form_rejects_bad_values_and_saves_nothing(personas: Personas) -> None:
    park = OrganizationFactory(kind="park")
    response = client_for(personas.staff).post(
        f"/catalog/organizations/{park.pk}/profile/", {"rent_subsidy_pct": 150}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["rent_subsidy_pct"]
    assert not ParkProfile.objects.exists()


def test_partner_may_edit_only_own_organizations_profile(personas: Personas) -> None:
    personas.org_a.kind = "company"
    personas.org_a.save(update_fields=["kind"])
    own = client_for(personas.partner_a).post(
        f"/catalog/organizations/{personas.org_a.pk}/profile/", {"employees": 12}
    )
    assert own.status_code == 302
    other = client_for(personas.partner_b).post(
        f"/catalog/organizations/{personas.org_a.pk}/profile/", {"employees": 99}
    )
    assert other.status_code == 403


def test_kinds_without_a_profile_have_no_profile_page(personas: Personas) -> None:
    agency = OrganizationFactory(kind="government")
    response = client_for(personas.staff).get(f"/catalog/organizations/{agency.pk}/profile/")
    assert response.status_code == 404
