"""The catalog demo is data (demo/catalog/*.csv) loaded through the importer (#23): the same
ecosystem as the Python literals it replaced (tests/catalog_demo/snapshot.py compares every
row), and the importer's `is_demo` column is the system's alone."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest

from luodi.accounts.models import Role
from luodi.catalog.models import (
    Achievement,
    Carrier,
    ClinicalCenterProfile,
    ClinicalNeed,
    CompanyProfile,
    Organization,
    ParkProfile,
    Person,
)
from luodi.ingest import domain, tables
from luodi.ingest.demo import DEMO_DIR, DemoDataError, load_catalog
from luodi.ingest.forms import MappingForm
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# What the Python loader created on an empty database (tests/catalog_demo/snapshot.py).
COUNTS = {
    "Achievement": 163,
    "Carrier": 35,
    "ClinicalCenterProfile": 30,
    "ClinicalNeed": 43,
    "CompanyProfile": 65,
    "Organization": 116,
    "ParkProfile": 10,
    "Person": 241,
}


def _codes(qs) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(f"{t.scheme}:{t.code}" for t in qs.all())


def test_demo_loads_the_same_rows_through_the_importer() -> None:
    assert load_catalog(io.StringIO()) == COUNTS
    models = (
        Achievement,
        Carrier,
        ClinicalCenterProfile,
        ClinicalNeed,
        CompanyProfile,
        Organization,
        ParkProfile,
        Person,
    )
    assert {m.__name__: m.objects.count() for m in models} == COUNTS

    park = Organization.objects.get(name_zh="成都医学城")
    assert (park.kind, park.latitude, park.longitude, park.is_demo) == (
        "park",
        30.715,
        103.835,
        True,
    )
    assert "tech:tcm" in _codes(park.focus_areas)  # the technology field, not the specialty
    carrier = Carrier.objects.get(park__name_zh="成都天府国际生物城", name="公共P2实验平台")
    assert (carrier.carrier_type, carrier.area_total_m2, carrier.area_available_m2) == (
        "p2_lab",
        1200,
        240,
    )
    assert (carrier.rent_min, carrier.rent_max) == (Decimal("3.00"), Decimal("4.00"))
    assert carrier.ready_date.isoformat() == "2026-04-01"
    assert carrier.certifications == ["生物安全二级备案"]

    center = ClinicalCenterProfile.objects.get(organization__name_zh="四川大学华西医院")
    assert (center.beds, center.annual_trials, center.ethics_turnaround_days) == (4300, 620, 10)
    assert center.phase1_unit and center.specialties.count() == 20
    assert center.notable_investigators.startswith("吴小川（麻醉科主任医师）")

    drug = Achievement.objects.get(title_zh="靶向KRAS G12D的小分子抑制剂治疗胰腺癌")
    assert (drug.owner.name_zh, drug.stage, drug.amount_sought_wan) == (
        "西南医科大学",
        "preclinical",
        200,
    )
    assert sorted(p.email for p in drug.inventors.all()) == [
        "jincheng.luo116@demo.luodi.invalid",
        "jingyi.yang114@demo.luodi.invalid",
        "zhenhua.hu115@demo.luodi.invalid",
    ]
    assert _codes(drug.technology_fields) == ["tech:small_molecule"]
    assert drug.therapeutic_areas.count() == 2
    assert (drug.carrier_needs, drug.is_demo) == (["wet_lab"], True)

    # Primary keys follow the files' order (ties in rankings are broken by them).
    first = Person.objects.order_by("pk").values_list("email", flat=True)[:2]
    assert list(first) == [
        "xiaofeng.wang000@demo.luodi.invalid",
        "zhiqiang.huang001@demo.luodi.invalid",
    ]
    need = ClinicalNeed.objects.select_related("clinician").order_by("pk").first()
    assert need is not None and need.clinician.organization_id == need.organization_id


def test_demo_files_are_not_in_the_package() -> None:
    import luodi

    assert DEMO_DIR.is_dir()
    assert Path(luodi.__file__).parent not in DEMO_DIR.parents


def test_missing_demo_files_are_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DemoDataError, match="source repository"):
        load_catalog(io.StringIO(), directory=tmp_path / "nowhere")
    assert not Organization.objects.exists()


def test_a_bad_demo_row_names_its_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "organizations.csv").write_text(
        "name_zh,name_en,kind,is_demo\n甲医院,Hospital A,hospital,true\n乙,B,no such kind,true\n",
        encoding="utf-8",
    )
    with pytest.raises(DemoDataError, match=r"organizations.csv: line 3: "):
        load_catalog(io.StringIO(), directory=tmp_path)


UPLOAD = "name_zh,name_en,kind,is_demo\n甲医院,Hospital A,hospital,true\n"


def test_a_users_upload_cannot_set_the_demo_flag() -> None:
    staff = UserFactory(role=Role.STAFF)
    table = tables.read_table("orgs.csv", UPLOAD.encode())
    # Not suggested to a person, nor offered in the mapping form …
    assert tables.suggest_mapping("organizations", table) == ["name_zh", "name_en", "kind", ""]
    form = MappingForm(kind="organizations", headers=table.headers, mapping=["", "", "", ""])
    assert "is_demo" not in {key for key, _label in form.fields["col_3"].choices}
    # … and refused when asked for anyway (the API, the CLI with --user).
    with pytest.raises(ValueError, match="is_demo"):
        domain.import_table(
            actor=staff,
            kind="organizations",
            table=table,
            mapping=["name_zh", "name_en", "kind", "is_demo"],
        )
    summary = domain.import_table(
        actor=staff, kind="organizations", table=table, mapping=["name_zh", "name_en", "kind", ""]
    )
    assert summary.created == 1
    assert Organization.objects.get(name_zh="甲医院").is_demo is False
    # The system's own import may set it.
    assert tables.suggest_mapping("organizations", table, system=True)[3] == "is_demo"


def test_a_demo_row_leaves_a_real_record_alone() -> None:
    real = Organization.objects.create(name_zh="甲医院", name_en="Real A", kind="hospital")
    table = tables.read_table("orgs.csv", UPLOAD.encode())
    mapping = tables.suggest_mapping("organizations", table, system=True)
    summary = domain.import_table(
        actor=None, system=True, kind="organizations", table=table, mapping=mapping
    )
    assert summary.by_kind == {"organization": {"unchanged": 1}}
    real.refresh_from_db()
    assert (real.name_en, real.is_demo) == ("Real A", False)
