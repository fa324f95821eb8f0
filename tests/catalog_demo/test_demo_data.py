from __future__ import annotations

import csv
import io
import re
from collections import Counter

from luodi.catalog.choices import (
    DEVICE_STAGES,
    DRUG_STAGES,
    TRL_STAGES,
    AchievementKind,
    Disclosure,
    OrganizationKind,
)
from luodi.catalog.models import (
    Achievement,
    Carrier,
    ClinicalCenterProfile,
    ClinicalNeed,
    CompanyProfile,
    Organization,
    ParkProfile,
    Person,
    Term,
)
from luodi.ingest.demo import DEMO_DIR, load, load_catalog

K = OrganizationKind
PATENT_NO = re.compile(r"CN\d{4}1\d{7}\.\d|软著登字 \d{4}SR\d{7}")


def stages_for_kind(kind: str) -> list[str]:
    """The stage path an achievement of this kind moves along."""
    path = {AchievementKind.DRUG: DRUG_STAGES, AchievementKind.DEVICE: DEVICE_STAGES}
    return [str(s) for s in path.get(AchievementKind(kind), TRL_STAGES)]


def test_demo_load_creates_a_consistent_ecosystem(db) -> None:
    out = io.StringIO()
    created = load_catalog(out)
    assert "catalog demo:" in out.getvalue()
    assert Term.objects.filter(source="icd10").exists()  # the taxonomy comes first

    parks = Organization.objects.filter(kind=K.PARK)
    assert parks.count() >= 8
    for park in parks:
        assert ParkProfile.objects.filter(organization=park).exists()
        assert 3 <= park.carriers.count() <= 6
        assert park.latitude and park.longitude
    assert Carrier.objects.filter(area_available_m2=0).exists()
    assert len(set(Carrier.objects.values_list("carrier_type", flat=True))) >= 8

    hospitals = Organization.objects.filter(kind=K.HOSPITAL)
    assert hospitals.count() >= 25
    assert ClinicalCenterProfile.objects.filter(organization__in=hospitals).count() >= 25
    west_china = ClinicalCenterProfile.objects.get(organization__name_zh="四川大学华西医院")
    codes = set(west_china.specialties.values_list("code", flat=True))
    assert {"anesthesiology", "radiology", "phase1"} <= codes
    investigators = Person.objects.filter(organization=west_china.organization, is_demo=True)
    assert any(p.name_zh in west_china.notable_investigators for p in investigators)

    companies = Organization.objects.filter(kind__in=[K.COMPANY, K.INVESTOR, K.CRO])
    assert companies.count() >= 60
    assert CompanyProfile.objects.filter(organization__in=companies).count() == companies.count()
    assert all(o.is_demo for o in companies)
    investors = CompanyProfile.objects.filter(organization__kind=K.INVESTOR)
    assert investors.count() >= 10
    assert all(p.ticket_min_wan and p.ticket_max_wan and p.stage_focus for p in investors)
    assert Organization.objects.filter(kind=K.INSTITUTE, name_zh="四川大学").exists()
    assert 2 <= Organization.objects.filter(kind=K.GOVERNMENT).count() <= 3

    people = Person.objects.all()
    assert people.count() >= 100
    assert all(p.is_demo and p.email.endswith("@demo.luodi.invalid") for p in people)
    assert all(p.name_zh and p.name_en for p in people)
    assert people.values("name_zh").distinct().count() == people.count()

    achievements = Achievement.objects.all()
    assert achievements.count() >= 150
    assert set(achievements.values_list("kind", flat=True)) == set(AchievementKind.values)
    tiers = Counter(achievements.values_list("disclosure", flat=True))
    assert set(tiers) == set(Disclosure.values)
    assert 0.05 <= tiers[Disclosure.CONFIDENTIAL] / achievements.count() <= 0.15
    langs = Counter((bool(a.title_zh), bool(a.title_en)) for a in achievements)
    assert langs[(True, True)] > achievements.count() / 2
    assert langs[(True, False)] and langs[(False, True)]
    for a in achievements.prefetch_related("therapeutic_areas", "technology_fields"):
        assert a.stage in stages_for_kind(a.kind), (a.title, a.kind, a.stage)
        assert a.is_demo
        assert a.summary_zh.endswith("方式寻求转化合作。") or ". Open to " in a.summary_en
        assert a.therapeutic_areas.exists() and a.technology_fields.exists()
        assert ("space" in a.needs) == bool(a.carrier_needs)
        if a.disclosure != Disclosure.PUBLIC:
            assert a.dossier_zh or a.dossier_en
        if a.patent_numbers:
            assert all(PATENT_NO.fullmatch(n) for n in a.patent_numbers.split("；"))

    needs = ClinicalNeed.objects.all()
    assert needs.count() >= 40
    for need in needs.select_related("organization", "clinician", "specialty"):
        assert need.organization.kind == K.HOSPITAL
        assert need.clinician is not None and need.clinician.organization == need.organization
        assert need.specialty is not None and need.specialty.scheme == "specialty"
        assert need.is_demo and need.problem
    assert created["Achievement"] == achievements.count()


def test_second_load_creates_nothing(db) -> None:
    load(io.StringIO())
    counts = {
        m.__name__: m.objects.count()
        for m in (Organization, Person, Achievement, ClinicalNeed, Carrier, Term)
    }
    assert load_catalog(io.StringIO()) == {}
    assert counts == {
        m.__name__: m.objects.count()
        for m in (Organization, Person, Achievement, ClinicalNeed, Carrier, Term)
    }


def test_achievement_titles_are_unique() -> None:
    with (DEMO_DIR / "achievements.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 150
    keys = [(r["kind"], r["title_zh"]) for r in rows if r["title_zh"]]
    keys += [(r["kind"], r["title_en"]) for r in rows if r["title_en"]]
    assert len(keys) == len(set(keys))


def test_registered_with_the_demo_loaders(db, monkeypatch) -> None:
    from luodi import demo

    monkeypatch.setattr(demo, "LOADERS", [*demo.LOADERS, load])
    assert demo.load(io.StringIO())
    hospital = Organization.objects.get(name_zh="四川大学华西医院")  # created by the foundation
    assert hospital.clinical_center.grade == "三级甲等"
    assert Organization.objects.filter(name_zh="四川大学华西医院").count() == 1
    assert ParkProfile.objects.filter(organization__name_zh="成都医学城").exists()


def test_loads_without_the_optional_mesh_package(db, monkeypatch) -> None:
    from luodi.catalog import taxonomy

    monkeypatch.setattr(taxonomy, "_mesh_descriptors", dict)
    taxonomy.taxonomy_rows.cache_clear()
    try:
        out = io.StringIO()
        load_catalog(out)
        assert "MeSH skipped" in out.getvalue()
        assert not Term.objects.filter(source="mesh").exists()
        assert Achievement.objects.count() >= 150
        assert not Achievement.objects.filter(therapeutic_areas=None).exists()
    finally:
        taxonomy.taxonomy_rows.cache_clear()


def test_a_real_organization_entered_before_is_left_alone(db) -> None:
    real = Organization.objects.create(
        name_zh="四川大学",
        name_en="Sichuan University",
        kind=K.INSTITUTE,
        description_zh="真实机构的描述",
        is_demo=False,
    )
    load_catalog(io.StringIO())
    real.refresh_from_db()
    assert (real.is_demo, real.description_zh) == (False, "真实机构的描述")
    assert Organization.objects.filter(name_zh="四川大学").count() == 1
    assert not real.focus_areas.exists()
    hospital = Organization.objects.create(name_zh="四川省人民医院", kind=K.HOSPITAL)
    load_catalog(io.StringIO())
    assert not ClinicalCenterProfile.objects.filter(organization=hospital).exists()
    assert real.people.filter(is_demo=True).exists()  # demo researchers may still work there
