"""Hospitals / clinical centers: real names, addresses and approximate coordinates.

Specialties follow the hospitals' ranked strengths in the Fudan University Hospital Management
Institute rankings 2019–2021 (../shared/data/hospitals: top-10 or nominated departments);
for hospitals absent from those rankings they are illustrative. Beds, trials per year, ethics
turnaround and investigators are illustrative; investigators are fictional demo people.
"""

from __future__ import annotations

from luodi.catalog.choices import OrganizationKind
from luodi.catalog.demo_data.common import Loader
from luodi.catalog.demo_data.hospitals_sichuan import SICHUAN_HOSPITALS, Hospital
from luodi.catalog.demo_data.people import People
from luodi.catalog.models import ClinicalCenterProfile, Person

NATIONAL_HOSPITALS: list[Hospital] = [
    # National leaders (Fudan rankings).
    Hospital(
        "中国医学科学院北京协和医院",
        "Peking Union Medical College Hospital",
        "北京市",
        "北京市",
        "东城区",
        "帅府园1号",
        39.913,
        116.417,
        [
            "pathology",
            "radiology",
            "rheumatology",
            "obgyn",
            "general_surgery",
            "neurology",
            "nuclear_medicine",
            "emergency",
            "critical_care",
            "allergy",
            "endocrinology",
            "gastroenterology",
            "phase1",
        ],
        True,
        2000,
        700,
        14,
    ),
    Hospital(
        "上海交通大学医学院附属瑞金医院",
        "Ruijin Hospital, Shanghai Jiao Tong University School of Medicine",
        "上海市",
        "上海市",
        "黄浦区",
        "瑞金二路197号",
        31.212,
        121.468,
        [
            "endocrinology",
            "burns",
            "hematology",
            "radiology",
            "infectious",
            "respiratory",
            "general_surgery",
            "critical_care",
            "rheumatology",
            "phase1",
        ],
        True,
        2100,
        650,
        10,
    ),
    Hospital(
        "中国人民解放军总医院",
        "Chinese PLA General Hospital",
        "北京市",
        "北京市",
        "海淀区",
        "复兴路28号",
        39.907,
        116.280,
        [
            "radiology",
            "urology",
            "orthopedics",
            "nephrology",
            "geriatrics",
            "ent",
            "anesthesiology",
            "endocrinology",
            "burns",
            "phase1",
        ],
        True,
        4000,
        500,
        14,
    ),
    Hospital(
        "中山大学附属第一医院",
        "The First Affiliated Hospital, Sun Yat-sen University",
        "广东省",
        "广州市",
        "越秀区",
        "中山二路58号",
        23.130,
        113.293,
        [
            "critical_care",
            "ent",
            "reproductive",
            "neurology",
            "radiology",
            "general_surgery",
            "nephrology",
            "gastroenterology",
            "phase1",
        ],
        True,
        3000,
        550,
        10,
    ),
    Hospital(
        "复旦大学附属中山医院",
        "Zhongshan Hospital, Fudan University",
        "上海市",
        "上海市",
        "徐汇区",
        "枫林路180号",
        31.198,
        121.457,
        [
            "general_surgery",
            "cardiology",
            "cardiac_surgery",
            "nuclear_medicine",
            "radiology",
            "respiratory",
            "thoracic_surgery",
            "device_trials",
            "phase1",
        ],
        True,
        2000,
        600,
        10,
    ),
    Hospital(
        "华中科技大学同济医学院附属同济医院",
        "Tongji Hospital, Tongji Medical College, HUST",
        "湖北省",
        "武汉市",
        "硚口区",
        "解放大道1095号",
        30.583,
        114.262,
        [
            "obgyn",
            "urology",
            "geriatrics",
            "general_surgery",
            "rehabilitation",
            "allergy",
            "respiratory",
            "infectious",
            "phase1",
        ],
        True,
        5000,
        480,
        12,
    ),
    Hospital(
        "中南大学湘雅医院",
        "Xiangya Hospital, Central South University",
        "湖南省",
        "长沙市",
        "开福区",
        "湘雅路87号",
        28.216,
        112.985,
        [
            "dermatology",
            "neurology",
            "geriatrics",
            "pathology",
            "neurosurgery",
            "critical_care",
            "ent",
            "burns",
            "phase1",
        ],
        True,
        3500,
        420,
        14,
    ),
    Hospital(
        "浙江大学医学院附属第二医院",
        "The Second Affiliated Hospital, Zhejiang University School of Medicine",
        "浙江省",
        "杭州市",
        "上城区",
        "解放路88号",
        30.257,
        120.174,
        [
            "ophthalmology",
            "emergency",
            "cardiology",
            "neurosurgery",
            "burns",
            "radiology",
            "phase1",
        ],
        True,
        3200,
        450,
        10,
    ),
    Hospital(
        "复旦大学附属华山医院",
        "Huashan Hospital, Fudan University",
        "上海市",
        "上海市",
        "静安区",
        "乌鲁木齐中路12号",
        31.217,
        121.443,
        [
            "infectious",
            "dermatology",
            "rehabilitation",
            "neurosurgery",
            "neurology",
            "radiology",
            "tuberculosis",
            "nephrology",
            "phase1",
        ],
        True,
        1900,
        520,
        10,
    ),
    Hospital(
        "北京大学第一医院",
        "Peking University First Hospital",
        "北京市",
        "北京市",
        "西城区",
        "西什库大街8号",
        39.929,
        116.376,
        [
            "nephrology",
            "urology",
            "dermatology",
            "pediatrics",
            "infectious",
            "rheumatology",
            "cardiology",
            "clinical_pharmacy",
            "phase1",
        ],
        True,
        1800,
        400,
        14,
    ),
    Hospital(
        "中国医学科学院肿瘤医院",
        "Cancer Hospital, Chinese Academy of Medical Sciences",
        "北京市",
        "北京市",
        "朝阳区",
        "潘家园南里17号",
        39.873,
        116.456,
        ["oncology", "thoracic_surgery", "pathology", "urology", "phase1"],
        True,
        1800,
        650,
        10,
    ),
    Hospital(
        "复旦大学附属肿瘤医院",
        "Fudan University Shanghai Cancer Center",
        "上海市",
        "上海市",
        "徐汇区",
        "东安路270号",
        31.194,
        121.455,
        ["pathology", "oncology", "thoracic_surgery", "obgyn", "phase1"],
        True,
        1400,
        600,
        10,
    ),
    Hospital(
        "中国医学科学院阜外医院",
        "Fuwai Hospital, Chinese Academy of Medical Sciences",
        "北京市",
        "北京市",
        "西城区",
        "北礼士路167号",
        39.932,
        116.348,
        ["cardiology", "cardiac_surgery", "radiology", "device_trials", "phase1"],
        True,
        1300,
        450,
        10,
    ),
    Hospital(
        "首都医科大学附属北京天坛医院",
        "Beijing Tiantan Hospital, Capital Medical University",
        "北京市",
        "北京市",
        "丰台区",
        "南四环西路119号",
        39.836,
        116.290,
        ["neurosurgery", "neurology", "radiology", "clinical_pharmacy", "phase1"],
        True,
        1650,
        380,
        12,
    ),
    Hospital(
        "北京大学第六医院",
        "Peking University Sixth Hospital",
        "北京市",
        "北京市",
        "海淀区",
        "花园北路51号",
        39.980,
        116.366,
        ["psychiatry"],
        False,
        300,
        80,
        14,
    ),
]
HOSPITALS = SICHUAN_HOSPITALS + NATIONAL_HOSPITALS

TITLES = [
    ("主任医师", "Chief physician"),
    ("副主任医师", "Associate chief physician"),
    ("主治医师", "Attending physician"),
]


def load_hospitals(ld: Loader, people: People) -> dict[tuple[str, str], Person]:
    """Create the hospitals; returns {(hospital zh name, specialty code): clinician}."""
    clinicians: dict[tuple[str, str], Person] = {}
    names = {
        code: (t.label_zh, t.label_en)
        for code, t in ((c, ld.term("specialty", c)) for h in HOSPITALS for c in h.specialties)
    }
    for h in HOSPITALS:
        basis_zh = "专业信息依据复旦版医院专科排行榜" if h.ranked else "专业信息为示例"
        basis_en = (
            "specialties follow the Fudan hospital rankings"
            if h.ranked
            else "specialties are illustrative"
        )
        org = ld.org(
            h.zh,
            h.en,
            OrganizationKind.HOSPITAL,
            province=h.province,
            city=h.city,
            district=h.district,
            address=f"{h.province}{h.city if h.city != h.province else ''}{h.district}{h.address}",
            latitude=h.lat,
            longitude=h.lon,
            aliases=list(h.aliases),
            description_zh=(
                f"三级甲等医院，国家药物临床试验机构；{basis_zh}，床位、"
                "年试验数、伦理周期与研究者为虚构示例"
            ),
            description_en=(
                f"Grade-A tertiary hospital and NMPA-filed clinical trial "
                f"institution; {basis_en}; beds, trials per year, ethics "
                "turnaround and investigators are illustrative."
            ),
        )
        clinical = [c for c in h.specialties if c not in {"phase1", "device_trials"}]
        ld.m2m(org, "focus_areas", ld.specialties(clinical[:6]))
        for i, code in enumerate(clinical[:3]):
            zh, en = names[code]
            tzh, ten = TITLES[i % len(TITLES)]
            clinicians[(h.zh, code)] = people.make(
                org, f"{zh}{tzh}", f"{ten}, {en}", f"{zh}临床研究与医工转化"
            )
        notable = "；".join(f"{p.name_zh}（{p.title.split(' / ')[0]}）" for p in people.of(org)[:3])
        profile = ld.upsert(
            ClinicalCenterProfile,
            {"organization": org},
            {
                "grade": "三级甲等",
                "phase1_unit": h.phase1 or "phase1" in h.specialties,
                "beds": h.beds,
                "annual_trials": h.trials,
                "ethics_turnaround_days": h.ethics_days,
                "notable_investigators": notable,
            },
        )
        codes = list(h.specialties)
        if profile.phase1_unit and "phase1" not in codes:
            codes.append("phase1")
        ld.m2m(profile, "specialties", ld.specialties(codes))
    return clinicians
