"""Import kinds for an organization's profile: park profiles, a park's carriers (载体),
clinical-center profiles and company / investor profiles. Registered like the kinds of other
apps (`fields.register_kind`, `writers.register`, `rules.register_kind`, from the ingest app's
ready()); staff import them, as they edit the profiles.

A row names its organization (the park of a carrier); a profile is matched by organization,
a carrier by park and name, so a re-import updates them. The organization must be of the
profile's kind. A demo row (`is_demo`, system imports only) writes only demo organizations'
profiles: a real organization's are not the demo's to write.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from luodi.catalog.choices import CarrierType, CompanyNeed, OrganizationKind, ParkService, Stage
from luodi.catalog.models import (
    Carrier,
    ClinicalCenterProfile,
    CompanyProfile,
    Organization,
    ParkProfile,
)
from luodi.ingest import fields, writers
from luodi.ingest import rules as ingest_rules
from luodi.ingest.fields import AREA, SPECIALTY, TECH, Spec, demo_flag
from luodi.ingest.summary import Summary

PARK_PROFILES, CARRIERS = "park_profiles", "carriers"
CLINICAL_CENTERS, COMPANY_PROFILES = "clinical_centers", "company_profiles"

_ORG = ("机构", "单位", "名称", "机构名称", "organization", "organisation", "name")


def _org(label: Any = None, synonyms: tuple[str, ...] = _ORG) -> Spec:
    return Spec("organization", label or gettext_lazy("organization"), "org", synonyms)


SPECS: dict[str, list[Spec]] = {
    PARK_PROFILES: [
        _org(gettext_lazy("park"), ("园区", "园区名称", "park", *_ORG)),
        Spec("policy_text_zh", gettext_lazy("policies (Chinese)"), "longtext", ("中文政策",)),
        Spec("policy_text_en", gettext_lazy("policies (English)"), "longtext", ("英文政策",)),
        Spec("rent_subsidy_pct", gettext_lazy("rent subsidy %"), "int", ("租金补贴比例",)),
        Spec("subsidy_years", gettext_lazy("subsidy years"), "int", ("补贴年限",)),
        Spec("max_grant_wan", gettext_lazy("maximum grant (10k CNY)"), "int", ("最高奖补",)),
        Spec(
            "services",
            gettext_lazy("services"),
            "choices",
            ("服务", "园区服务"),
            choices=ParkService,
        ),
        Spec(
            "industry_focus",
            gettext_lazy("industry focus"),
            "terms",
            ("产业方向", "重点产业"),
            schemes=(AREA, TECH),
        ),
        demo_flag(),
    ],
    CARRIERS: [
        Spec("park", gettext_lazy("park"), "org", ("园区", "所属园区")),
        Spec("name", gettext_lazy("name"), "text", ("名称", "载体名称"), max_length=200),
        Spec(
            "carrier_type",
            gettext_lazy("type"),
            "choice",
            ("类型", "载体类型", "kind"),
            choices=CarrierType,
        ),
        Spec("area_total_m2", gettext_lazy("total area (m²)"), "int", ("总面积",)),
        Spec("area_available_m2", gettext_lazy("available area (m²)"), "int", ("可用面积",)),
        Spec("rent_min", gettext_lazy("rent from (CNY/m²/day)"), "decimal", ("租金下限",)),
        Spec("rent_max", gettext_lazy("rent to (CNY/m²/day)"), "decimal", ("租金上限",)),
        Spec("ready_date", gettext_lazy("ready date"), "date", ("交付日期", "可入驻日期")),
        Spec("certifications", gettext_lazy("certifications"), "list", ("资质", "认证")),
        Spec("description", gettext_lazy("description"), "longtext", ("简介", "描述")),
        demo_flag(),
    ],
    CLINICAL_CENTERS: [
        _org(gettext_lazy("hospital / organization"), ("医院", "hospital", *_ORG)),
        Spec("grade", gettext_lazy("hospital grade"), "text", ("等级", "医院等级"), max_length=16),
        Spec("phase1_unit", gettext_lazy("phase I unit"), "bool", ("I期病房", "一期病房")),
        Spec("beds", gettext_lazy("beds"), "int", ("床位", "床位数")),
        Spec("annual_trials", gettext_lazy("trials per year"), "int", ("年试验数",)),
        Spec(
            "ethics_turnaround_days",
            gettext_lazy("ethics review turnaround (days)"),
            "int",
            ("伦理审查周期",),
        ),
        Spec(
            "notable_investigators",
            gettext_lazy("notable investigators"),
            "longtext",
            ("主要研究者",),
        ),
        Spec(
            "specialties",
            gettext_lazy("NMPA-filed trial specialties"),
            "terms",
            ("专业", "备案专业"),
            schemes=(SPECIALTY,),
        ),
        demo_flag(),
    ],
    COMPANY_PROFILES: [
        _org(),
        Spec("stage", gettext_lazy("company stage"), "text", ("发展阶段",), max_length=32),
        Spec("employees", gettext_lazy("employees"), "int", ("员工数", "人数")),
        Spec("products", gettext_lazy("products"), "longtext", ("产品", "主要产品")),
        Spec("needs", gettext_lazy("needs"), "choices", ("需求",), choices=CompanyNeed),
        Spec("sectors", gettext_lazy("sectors"), "terms", ("领域", "行业"), schemes=(AREA, TECH)),
        Spec("ticket_min_wan", gettext_lazy("ticket from (10k CNY)"), "int", ("单笔下限",)),
        Spec("ticket_max_wan", gettext_lazy("ticket to (10k CNY)"), "int", ("单笔上限",)),
        Spec("stage_focus", gettext_lazy("stage focus"), "choices", ("投资阶段",), choices=Stage),
        demo_flag(),
    ],
}
REQUIRED: dict[str, list[tuple[str, ...]]] = {
    PARK_PROFILES: [("organization",)],
    CARRIERS: [("park",), ("name",), ("carrier_type",), ("area_total_m2",)],
    CLINICAL_CENTERS: [("organization",)],
    COMPANY_PROFILES: [("organization",)],
}
# kind → (profile model, the kinds of organization that have one, its links to terms)
PROFILES: dict[str, tuple[type[models.Model], tuple[str, ...], str]] = {
    PARK_PROFILES: (ParkProfile, (OrganizationKind.PARK,), "industry_focus"),
    CLINICAL_CENTERS: (ClinicalCenterProfile, (OrganizationKind.HOSPITAL,), "specialties"),
    COMPANY_PROFILES: (
        CompanyProfile,
        (OrganizationKind.COMPANY, OrganizationKind.INVESTOR, OrganizationKind.CRO),
        "sectors",
    ),
}
LABELS = {
    PARK_PROFILES: gettext_lazy("Park profiles"),
    CARRIERS: gettext_lazy("Carriers"),
    CLINICAL_CENTERS: gettext_lazy("Clinical centers"),
    COMPANY_PROFILES: gettext_lazy("Company and investor profiles"),
}


def _organization(org_id: int, kinds: tuple[str, ...]) -> Organization:
    org = Organization.objects.get(pk=org_id)
    if org.kind not in kinds:
        raise writers.RowRejected(
            _("“%(name)s” is not an organization of this kind") % {"name": str(org)}
        )
    return org


def _scalars(kind: str, values: dict[str, Any]) -> list[str]:
    """The row's fields written as they are (not the organization, links or the flag)."""
    skip = {"organization", "park", "is_demo", "name"}
    return [s.key for s in SPECS[kind] if s.kind not in ("terms",) and s.key not in skip]


def write_profile(kind: str) -> writers.Writer:
    model, kinds, link = PROFILES[kind]

    def write(values: dict[str, Any], line: int, ctx: writers.Context, summary: Summary) -> str:
        org_id = ctx.own_org(values.get("organization"))
        if writers.in_file_duplicate((kind, org_id), line, str(org_id), ctx, summary):
            return "duplicate"
        org = _organization(org_id, kinds)
        if values.get("is_demo") and not org.is_demo:
            return "unchanged"  # a real organization's profile is not the demo's to write
        profile = model._default_manager.filter(organization_id=org_id).first()
        created = profile is None
        if profile is None:
            profile = model(organization_id=org_id)
        changed = writers.apply_values(profile, values, _scalars(kind, values))
        links = writers.asked_links(profile, link, values.get(link))
        return writers.outcome(created, writers.save_row(profile, changed, created, ctx, links))

    return write


def write_carrier(values: dict[str, Any], line: int, ctx: writers.Context, summary: Summary) -> str:
    park_id = ctx.own_org(values.get("park"))
    name = values["name"]
    if writers.in_file_duplicate((CARRIERS, park_id, name), line, name, ctx, summary):
        return "duplicate"
    park = _organization(park_id, (OrganizationKind.PARK,))
    if values.get("is_demo") and not park.is_demo:
        return "unchanged"  # a real park's carriers are not the demo's to write
    carrier = Carrier.objects.filter(park_id=park_id, name=name).first()
    created = carrier is None
    if carrier is None:
        carrier = Carrier(park_id=park_id, name=name)
    changed = writers.apply_values(carrier, values, _scalars(CARRIERS, values))
    return writers.outcome(created, writers.save_row(carrier, changed, created, ctx))


def register() -> None:
    for kind, specs in SPECS.items():
        fields.register_kind(kind, label=LABELS[kind], specs=specs, required=REQUIRED[kind])
        write = write_carrier if kind == CARRIERS else write_profile(kind)
        writers.register(kind, write, kind, LABELS[kind])
        ingest_rules.register_kind(kind, ingest_rules.may_import_profiles)
