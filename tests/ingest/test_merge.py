from __future__ import annotations

import pytest
from django.utils import timezone

from luodi.accounts.models import AuditEntry, Membership, MembershipRole
from luodi.catalog.models import (
    Achievement,
    Carrier,
    ClinicalNeed,
    CompanyProfile,
    Organization,
    Person,
    Term,
    Trial,
    TrialSite,
)
from luodi.ingest import domain
from luodi.ingest.merge import MergeError
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory


@pytest.fixture
def pair(db: None) -> tuple[Organization, Organization]:
    a = OrganizationFactory(name_zh="成都医学城", name_en="", kind="park", website="")
    b = OrganizationFactory(
        name_zh="成都医学城管委会",
        name_en="Chengdu Medical City",
        aliases=["医学城"],
        kind="park",
        website="https://b.example.org",
    )
    return a, b


def test_merge_keeps_every_link_and_archives_b(pair: tuple[Organization, Organization]) -> None:
    a, b = pair
    area = Term.objects.create(scheme="area", code="X", label_en="X")
    b.focus_areas.add(area)
    achievement = Achievement.objects.create(
        title_zh="成果", kind="drug", owner=b, stage="discovery"
    )
    person = Person.objects.create(name_zh="王五", organization=b)
    need = ClinicalNeed.objects.create(title_zh="需求", problem="p", organization=b)
    carrier = Carrier.objects.create(
        park=b, name="1号楼", carrier_type="office", area_total_m2=10, area_available_m2=5
    )
    shared, only_b = (
        Trial.objects.create(registry_id="NCT00000001", title="t1", sponsor=b),
        (Trial.objects.create(registry_id="NCT00000002", title="t2")),
    )
    TrialSite.objects.create(trial=shared, organization=a, location="A, Chengdu, China")
    TrialSite.objects.create(trial=shared, organization=b, location="B, Chengdu, China")
    TrialSite.objects.create(trial=only_b, organization=b, location="B, Chengdu, China")
    both, b_admin = UserFactory(), UserFactory()
    MembershipFactory(user=both, organization=a)
    MembershipFactory(user=both, organization=b)
    MembershipFactory(user=b_admin, organization=b, role=MembershipRole.ADMIN)
    CompanyProfile.objects.create(organization=b, products="抗体", employees=40)
    CompanyProfile.objects.create(organization=a, products="")

    domain.merge_organizations(actor=None, system=True, target=a, source=b)

    a.refresh_from_db()
    b.refresh_from_db()
    achievement.refresh_from_db()
    person.refresh_from_db()
    need.refresh_from_db()
    carrier.refresh_from_db()
    assert (achievement.owner, person.organization, need.organization, carrier.park) == (a, a, a, a)
    assert Trial.objects.get(registry_id="NCT00000001").sponsor == a
    assert sorted(TrialSite.objects.values_list("trial__registry_id", "organization_id")) == [
        ("NCT00000001", a.pk),
        ("NCT00000002", a.pk),
    ]
    assert sorted(Membership.objects.values_list("user_id", "organization_id", "role")) == [
        (both.pk, a.pk, MembershipRole.MEMBER),
        (b_admin.pk, a.pk, MembershipRole.ADMIN),
    ]
    assert list(a.focus_areas.all()) == [area]
    profile = CompanyProfile.objects.get(organization=a)
    assert (profile.products, profile.employees) == ("抗体", 40)
    assert (a.name_en, a.website) == ("Chengdu Medical City", "https://b.example.org")
    assert a.aliases == ["成都医学城管委会", "医学城"]
    assert b.merged_into == a
    assert b.archived_at is not None
    assert AuditEntry.objects.filter(verb="organization.merge", target_id=str(a.pk)).count() == 1


def test_merge_refuses_self_and_already_merged(pair: tuple[Organization, Organization]) -> None:
    a, b = pair
    with pytest.raises(MergeError):
        domain.merge_organizations(actor=None, system=True, target=a, source=a)
    b.merged_into, b.archived_at = a, timezone.now()
    b.save()
    with pytest.raises(MergeError):
        domain.merge_organizations(actor=None, system=True, target=a, source=b)
