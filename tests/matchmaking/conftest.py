"""A small matchmaking ecosystem around the personas: one drug achievement of org A, companies,
investors, parks (one that can host, one that cannot), clinical centers and a clinical need.
Indexes live in a per-test VAR_DIR and use the fast HashingEncoder."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from luodi.catalog.models import ClinicalCenterProfile, CompanyProfile, Organization
from luodi.retrieval import indexing
from tests.catalog_api.factories import ParkProfileFactory
from tests.conftest import Personas
from tests.factories import (
    AchievementFactory,
    CarrierFactory,
    ClinicalNeedFactory,
    MembershipFactory,
    OrganizationFactory,
    TermFactory,
    UserFactory,
)

SECRET = "绝密靶点QZ-77"


@pytest.fixture(autouse=True)
def _matchmaking_settings(settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"  # published index generations
    settings.MATCHMAKING_ENCODER = "hashing"


@dataclass
class Eco:
    oncology: Any
    small_molecule: Any
    devices: Any
    achievement: Any
    onco_co: Organization
    device_co: Organization
    early_vc: Organization
    late_fund: Organization
    lab_park: Organization
    gmp_park: Organization
    west_china: Organization
    eye_hospital: Organization
    need: Any


def _org(kind: str, zh: str, en: str, desc: str = "", **kw: Any) -> Organization:
    return OrganizationFactory(
        kind=kind, name_zh=zh, name_en=en, description_zh=desc, status="published", **kw
    )


def _company(zh: str, en: str, desc: str, sectors: list[Any], **profile: Any) -> Organization:
    org = _org("company", zh, en, desc)
    p = CompanyProfile.objects.create(organization=org, **profile)
    p.sectors.set(sectors)
    org.focus_areas.set(sectors)
    return org


def _investor(zh: str, en: str, sectors: list[Any], **profile: Any) -> Organization:
    org = _org("investor", zh, en, "生物医药风险投资")
    p = CompanyProfile.objects.create(organization=org, stage="fund", **profile)
    p.sectors.set(sectors)
    return org


def _hospital(
    zh: str, en: str, specialties: list[Any], province: str = "四川省", **profile: Any
) -> Organization:
    org = _org("hospital", zh, en, "三级甲等医院，药物临床试验机构", province=province)
    c = ClinicalCenterProfile.objects.create(organization=org, **profile)
    c.specialties.set(specialties)
    return org


@pytest.fixture
def eco(personas: Personas) -> Eco:
    oncology = TermFactory(scheme="area", code="II", label_zh="肿瘤", label_en="Neoplasms")
    small = TermFactory(
        scheme="tech", code="small_molecule", label_zh="小分子药物", label_en="Small molecules"
    )
    devices = TermFactory(
        scheme="tech", code="devices", label_zh="医疗器械", label_en="Medical devices"
    )
    onc_spec = TermFactory(
        scheme="specialty", code="oncology", label_zh="肿瘤科", label_en="Oncology"
    )
    eye_spec = TermFactory(
        scheme="specialty", code="ophthalmology", label_zh="眼科", label_en="Ophthalmology"
    )
    personas.org_a.kind = "institute"
    personas.org_a.save(update_fields=["kind"])
    a = AchievementFactory(
        owner=personas.org_a,
        title_zh="KRAS G12C 抑制剂",
        title_en="KRAS G12C inhibitor",
        summary_zh="用于非小细胞肺癌的口服小分子KRAS抑制剂，临床前。",
        summary_en="Oral small-molecule KRAS inhibitor for lung cancer, preclinical.",
        kind="drug",
        stage="preclinical",
        transfer_modes=["license"],
        needs=["licensee"],
        carrier_needs=["wet_lab"],
        space_needed_m2=300,
    )
    a.therapeutic_areas.set([oncology])
    a.technology_fields.set([small])
    onco_co = _company(
        "蓉城肿瘤药业",
        "Rongcheng Oncology Pharma",
        "小分子抗肿瘤药物研发，KRAS 靶点",
        [oncology, small],
        needs=["licensing"],
    )
    device_co = _company(
        "锦江器械", "Jinjiang Devices", "骨科植入器械生产", [devices], needs=["space"]
    )
    early = _investor(
        "天使创投",
        "Angel Ventures",
        [small],
        ticket_min_wan=300,
        ticket_max_wan=2000,
        stage_focus=["discovery", "preclinical"],
    )
    late = _investor(
        "后期产业基金",
        "Late Stage Fund",
        [small],
        ticket_min_wan=5000,
        ticket_max_wan=30000,
        stage_focus=["phase3", "nda"],
    )
    lab_park = ParkProfileFactory(
        organization=_org("park", "科创园", "Science Park", "小分子药物研发园区"),
        industry_focus=[oncology, small],
    ).organization
    CarrierFactory(
        park=lab_park,
        name="A栋湿实验室",
        carrier_type="wet_lab",
        area_total_m2=2000,
        area_available_m2=800,
        ready_date=date(2025, 1, 1),
    )
    gmp_park = ParkProfileFactory(
        organization=_org("park", "制造园", "Manufacturing Park", "生物药生产基地"), services=[]
    ).organization
    CarrierFactory(
        park=gmp_park,
        name="GMP厂房",
        carrier_type="gmp",
        area_total_m2=6000,
        area_available_m2=5000,
    )
    west = _hospital(
        "华西医院",
        "West China Hospital",
        [onc_spec],
        phase1_unit=True,
        annual_trials=600,
        province="四川省",
    )
    eye = _hospital("眼科医院", "Eye Hospital", [eye_spec], annual_trials=40, province="北京市")
    need = ClinicalNeedFactory(
        title_zh="肺癌早筛",
        problem="肺癌早期筛查手段不足，需要KRAS检测。",
        organization=west,
        status="published",
        specialty=onc_spec,
    )
    indexing.rebuild_all()
    return Eco(
        oncology,
        small,
        devices,
        a,
        onco_co,
        device_co,
        early,
        late,
        lab_park,
        gmp_park,
        west,
        eye,
        need,
    )


@pytest.fixture
def member_of() -> Any:
    """A partner user who belongs to `org`."""

    def make(org: Organization, username: str) -> Any:
        user = UserFactory(username=username, role="partner")
        MembershipFactory(user=user, organization=org)
        return user

    return make
