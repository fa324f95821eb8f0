"""Universities and institutes (real names), government agencies (real names, demo text), and
fictional companies, CRO/CDMOs and investors, all with their profiles and people."""

from __future__ import annotations

import random

from luodi.catalog.choices import CompanyNeed as N
from luodi.catalog.choices import OrganizationKind as K
from luodi.catalog.demo_data.common import Loader
from luodi.catalog.demo_data.companies import (
    CRO_SEGMENTS,
    CROS,
    INSTITUTE_SEGMENTS,
    INVESTOR_SEGMENTS,
    INVESTORS,
    PREFIXES,
    SECTOR_SEGMENTS,
    SECTORS,
    STAGES,
)
from luodi.catalog.demo_data.parks import PARKS
from luodi.catalog.demo_data.people import People
from luodi.catalog.models import CompanyProfile, Organization

# (zh, en, province, city, district, lat, lon, tech fields, note zh, note en)
INSTITUTES = [
    (
        "四川大学",
        "Sichuan University",
        "四川省",
        "成都市",
        "武侯区",
        30.630,
        104.083,
        [
            "small_molecule",
            "antibody",
            "cell_gene_therapy",
            "biomaterials",
            "regenerative",
            "ivd",
            "vaccine",
        ],
        "综合性研究型大学，生物治疗、生物材料与药学学科见长",
        "Comprehensive research university strong in biotherapy, biomaterials and pharmacy",
    ),
    (
        "电子科技大学",
        "University of Electronic Science and Technology of China",
        "四川省",
        "成都市",
        "高新区",
        30.752,
        103.929,
        [
            "medical_electronics",
            "medical_imaging",
            "ai_medical",
            "health_data",
            "rehab_devices",
            "surgical_robotics",
        ],
        "电子信息学科优势突出，医工交叉方向活跃",
        "Leading in electronics and information; active in medical engineering",
    ),
    (
        "西南交通大学",
        "Southwest Jiaotong University",
        "四川省",
        "成都市",
        "郫都区",
        30.767,
        103.985,
        ["biomaterials", "implants", "regenerative", "rehab_devices", "surgical_robotics"],
        "材料与机械学科见长，生物材料与植入器械研究基础扎实",
        "Strong in materials and mechanical engineering, with biomaterials and implants research",
    ),
    (
        "成都中医药大学",
        "Chengdu University of Traditional Chinese Medicine",
        "四川省",
        "成都市",
        "温江区",
        30.695,
        103.815,
        ["tcm", "drug_delivery", "ai_medical"],
        "中医药特色高校，中药资源与中药新药研究见长",
        "A TCM university strong in herbal resources and new TCM drug research",
    ),
    (
        "西南医科大学",
        "Southwest Medical University",
        "四川省",
        "泸州市",
        "江阳区",
        28.870,
        105.430,
        ["small_molecule", "tcm", "ivd"],
        "医学院校，药学与中西医结合研究",
        "Medical university with pharmacy and integrative-medicine research",
    ),
    (
        "成都医学院",
        "Chengdu Medical College",
        "四川省",
        "成都市",
        "新都区",
        30.830,
        104.160,
        ["ivd", "small_molecule", "health_data"],
        "医学院校，检验医学与药学研究",
        "Medical college with laboratory-medicine and pharmacy research",
    ),
    (
        "中国科学院成都生物研究所",
        "Chengdu Institute of Biology, Chinese Academy of Sciences",
        "四川省",
        "成都市",
        "武侯区",
        30.627,
        104.072,
        ["synthetic_bio", "small_molecule", "tcm"],
        "中国科学院研究所，天然产物与应用微生物研究",
        "CAS institute for natural products and applied microbiology",
    ),
    (
        "中国药科大学",
        "China Pharmaceutical University",
        "江苏省",
        "南京市",
        "江宁区",
        31.900,
        118.910,
        ["small_molecule", "biologics", "drug_delivery", "nucleic_acid"],
        "药学特色高校，新药发现与制剂研究",
        "Pharmacy university for drug discovery and formulation",
    ),
]

RESEARCH_TITLES = [
    ("教授", "Professor"),
    ("研究员", "Research professor"),
    ("副教授", "Associate professor"),
    ("副研究员", "Associate research professor"),
    ("博士后", "Postdoctoral fellow"),
]

GOVERNMENT = [
    ("成都市投资促进局", "Chengdu Investment Promotion Bureau", "负责全市投资促进与重大项目招引"),
    (
        "成都市科学技术局",
        "Chengdu Municipal Bureau of Science and Technology",
        "负责科技成果转化与科技企业培育相关工作",
    ),
    (
        "四川省药品监督管理局",
        "Sichuan Medical Products Administration",
        "负责全省药品、医疗器械监督管理",
    ),
]


def _park_en(name: str) -> str:
    return next(p.en for p in PARKS if p.zh == name)


def _park(ld: Loader, name: str) -> tuple[str, float, float]:
    p = next(p for p in PARKS if p.zh == name)
    return p.district, p.lat, p.lon


def load_orgs(ld: Loader, people: People) -> None:
    rng = random.Random(20261125)
    for zh, en, prov, city, dist, lat, lon, tech, note_zh, note_en in INSTITUTES:
        org = ld.org(
            zh,
            en,
            K.INSTITUTE,
            province=prov,
            city=city,
            district=dist,
            latitude=lat,
            longitude=lon,
            chain_segments=list(INSTITUTE_SEGMENTS),
            description_zh=f"{note_zh}；平台上的成果与人员为虚构示例",
            description_en=(
                f"{note_en}; its achievements and people on this platform are illustrative."
            ),
        )
        ld.m2m(org, "focus_areas", ld.tech(tech))
        for i in range(5):
            tzh, ten = RESEARCH_TITLES[i]
            field = ld.term("tech", tech[i % len(tech)])
            people.make(
                org, f"{tzh}（{field.label_zh}）", f"{ten}, {field.label_en}", field.label_zh
            )
    for zh, en, note in GOVERNMENT:
        org = ld.org(
            zh,
            en,
            K.GOVERNMENT,
            district="",
            description_zh=f"{note}；本平台中的描述、联系人与活动为虚构示例",
            description_en=(
                "Public body; its description, contacts and "
                "activities on this platform are illustrative."
            ),
        )
        people.make(org, "项目专员", "Project officer", "产业政策与项目服务")
    for i, (zh, en, park, tech, products) in enumerate(CROS):
        dist, lat, lon = _park(ld, park)
        org = ld.org(
            zh,
            en,
            K.CRO,
            district=dist,
            latitude=lat + 0.002 * (i % 3),
            longitude=lon - 0.002 * (i % 2),
            chain_segments=list(CRO_SEGMENTS.get(en, [])),
            description_zh=f"虚构的CRO/CDMO，位于{park}，提供{products}",
            description_en=f"A fictional CRO/CDMO in {_park_en(park)}.",
        )
        ld.m2m(org, "focus_areas", ld.tech(tech))
        profile = ld.upsert(
            CompanyProfile,
            {"organization": org},
            {
                "stage": "series_b",
                "employees": 120 + 40 * i,
                "products": products,
                "needs": [N.SPACE.value] if i % 2 else [],
            },
        )
        ld.m2m(profile, "sectors", ld.tech(tech))
        people.make(org, "业务发展总监", "Business development director", products)
    for zh, en, note, tmin, tmax, focus, tech in INVESTORS:
        org = ld.org(
            zh,
            en,
            K.INVESTOR,
            district="高新区",
            chain_segments=list(INVESTOR_SEGMENTS),
            description_zh=f"虚构的{note}，单笔投资{tmin}–{tmax}万元",
            description_en=f"A fictional investor; tickets CNY {tmin // 100}–{tmax // 100} m.",
        )
        ld.m2m(org, "focus_areas", ld.tech(tech))
        profile = ld.upsert(
            CompanyProfile,
            {"organization": org},
            {
                "stage": "fund",
                "products": note,
                "needs": [],
                "ticket_min_wan": tmin,
                "ticket_max_wan": tmax,
                "stage_focus": [str(s) for s in focus],
            },
        )
        ld.m2m(profile, "sectors", ld.tech(tech))
        people.make(org, "投资合伙人", "Investment partner", note)
    n = 0
    for sector in SECTORS:
        for k in range(sector.count):
            pzh, pen = PREFIXES[n % len(PREFIXES)]
            n += 1
            stage, (emin, emax), needs = STAGES[rng.randrange(len(STAGES))]
            dist, lat, lon = _park(ld, sector.park)
            product = sector.products_zh[k % len(sector.products_zh)]
            org = ld.org(
                f"{pzh}{sector.zh}",
                f"{pen} {sector.en}",
                K.COMPANY,
                district=dist,
                address=f"{sector.park}（示例地址）",
                latitude=round(lat + rng.uniform(-0.01, 0.01), 5),
                longitude=round(lon + rng.uniform(-0.01, 0.01), 5),
                chain_segments=list(SECTOR_SEGMENTS.get(sector.en, [])),
                description_zh=f"虚构企业，位于{sector.park}，主要产品：{product}",
                description_en=f"A fictional {sector.en} company in {_park_en(sector.park)}.",
            )
            ld.m2m(org, "focus_areas", ld.tech(sector.tech) + ld.areas(sector.areas))
            profile = ld.upsert(
                CompanyProfile,
                {"organization": org},
                {
                    "stage": stage,
                    "employees": rng.randint(emin, emax),
                    "products": "；".join(
                        sector.products_zh[k % 2 :] + sector.products_zh[: k % 2]
                    ),
                    "needs": [str(x) for x in needs],
                },
            )
            ld.m2m(profile, "sectors", ld.tech(sector.tech) + ld.areas(sector.areas))
            people.make(org, "首席执行官", "Chief executive officer", product)
            if n % 2 == 0:
                people.make(org, "首席技术官", "Chief technology officer", product)


def owners_by_tech(ld: Loader) -> dict[str, list[Organization]]:
    """tech code → institutes, hospitals and companies working in that field."""
    out: dict[str, list[Organization]] = {}
    kinds = [K.INSTITUTE, K.COMPANY]
    for org in (
        Organization.objects.filter(kind__in=kinds, is_demo=True)
        .prefetch_related("focus_areas")
        .order_by("pk")
    ):
        for term in org.focus_areas.all():
            if term.scheme == "tech":
                out.setdefault(term.code, []).append(org)
    return out
