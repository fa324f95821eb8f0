"""The profile kinds (park profiles, carriers, clinical centers, company profiles) and the
fields the demo needed (coordinates, inventors, a need's clinician), through staff uploads."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from luodi.accounts.models import Role
from luodi.catalog.models import Carrier, ClinicalCenterProfile, Organization, Person, Term
from luodi.ingest import domain, tables
from luodi.ingest.rules import kinds_for
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _import(actor, kind: str, text: str):  # type: ignore[no-untyped-def]
    table = tables.read_table("rows.csv", text.encode())
    mapping = tables.suggest_mapping(kind, table)
    return domain.import_table(actor=actor, kind=kind, table=table, mapping=mapping)


def test_staff_import_carriers_with_bad_rows_reported_by_line() -> None:
    staff = UserFactory(role=Role.STAFF)
    OrganizationFactory(name_zh="甲园区", kind="park")
    OrganizationFactory(name_zh="乙医院", kind="hospital")
    summary = _import(
        staff,
        "carriers",
        "园区,载体名称,载体类型,总面积,可用面积,租金下限,交付日期,资质\n"
        "甲园区,一号楼,湿实验室,1000,200,1.20,2026-01-01,消防验收；通风柜\n"
        "甲园区,二号楼,wet_lab,abc,0,,,\n"
        "乙医院,三号楼,office,100,0,,,\n"
        "甲园区,四号楼,office,100,0,1.0,2026-13-01,\n",
    )
    assert [(e.line, bool(e.reason)) for e in summary.errors] == [
        (3, True),
        (4, True),
        (5, True),
    ]
    carrier = Carrier.objects.get()
    assert (carrier.name, carrier.carrier_type, carrier.area_total_m2) == (
        "一号楼",
        "wet_lab",
        1000,
    )
    assert (carrier.rent_min, carrier.ready_date.isoformat()) == (Decimal("1.20"), "2026-01-01")
    assert carrier.certifications == ["消防验收", "通风柜"]
    # A second import updates rather than duplicates.
    again = _import(
        staff,
        "carriers",
        "park,name,carrier_type,area_total_m2,area_available_m2\n甲园区,一号楼,wet_lab,1000,100\n",
    )
    assert again.by_kind == {"carriers": {"updated": 1}}
    assert Carrier.objects.get().area_available_m2 == 100


def test_clinical_center_profile_and_specialty_names() -> None:
    staff = UserFactory(role=Role.STAFF)
    hospital = OrganizationFactory(name_zh="乙医院", kind="hospital")
    Term.objects.create(scheme="specialty", code="tcm", label_zh="中医科", label_en="TCM")
    Term.objects.create(scheme="tech", code="tcm", label_zh="中医药现代化", label_en="TCM mod")
    summary = _import(
        staff,
        "clinical_centers",
        "医院,医院等级,床位,I期病房,备案专业\n乙医院,三级甲等,1200,是,中医科\n",
    )
    assert summary.created == 1, summary.as_dict()
    center = ClinicalCenterProfile.objects.get(organization=hospital)
    assert (center.grade, center.beds, center.phase1_unit) == ("三级甲等", 1200, True)
    assert [t.scheme for t in center.specialties.all()] == ["specialty"]
    # In focus areas a name of several schemes means the technology field, as before.
    _import(staff, "organizations", "name_zh,kind,focus_areas,latitude\n乙医院,hospital,tcm,30.5\n")
    hospital.refresh_from_db()
    assert [t.scheme for t in hospital.focus_areas.all()] == ["tech"]
    assert hospital.latitude == 30.5


def test_inventors_and_clinician_must_be_of_the_rows_organization() -> None:
    staff = UserFactory(role=Role.STAFF)
    mine = OrganizationFactory(name_zh="甲医院", kind="hospital")
    other = OrganizationFactory(name_zh="丙大学", kind="institute")
    Person.objects.create(name_zh="张三", organization=mine, email="zhang@example.org")
    Person.objects.create(name_zh="李四", organization=other, email="li@example.org")
    summary = _import(
        staff,
        "needs",
        "医院,中文标题,问题,临床医生\n甲医院,需求一,问题一,zhang@example.org\n甲医院,需求二,问题二,li@example.org\n",
    )
    assert [e.line for e in summary.errors] == [3]
    assert Organization.objects.get(pk=mine.pk).clinical_needs.get().clinician.name_zh == "张三"


def test_profile_kinds_are_staff_only() -> None:
    org = OrganizationFactory(name_zh="甲园区", kind="park")
    partner = UserFactory(role=Role.PARTNER)
    MembershipFactory(user=partner, organization=org)
    assert "carriers" not in kinds_for(partner)
    assert "carriers" in kinds_for(UserFactory(role=Role.STAFF))
    with pytest.raises(PermissionDenied):
        _import(
            partner, "carriers", "park,name,carrier_type,area_total_m2\n甲园区,一号楼,office,10\n"
        )
