"""Fictional companies (by sector), investors and CRO/CDMOs the demo loader creates."""

from __future__ import annotations

from dataclasses import dataclass

from luodi.catalog.choices import ChainSegment as S
from luodi.catalog.choices import CompanyNeed as N
from luodi.catalog.choices import Stage

# Fictional brand prefixes (zh, en).
PREFIXES = [
    ("蓉芯", "Rongxin"),
    ("锦瑞", "Jinrui"),
    ("蜀康", "Shukang"),
    ("天府源", "Tianfuyuan"),
    ("青城", "Qingcheng"),
    ("峨眉", "Emei"),
    ("岷江", "Minjiang"),
    ("浣花", "Huanhua"),
    ("芙蓉", "Furong"),
    ("金沙", "Jinsha"),
    ("望江", "Wangjiang"),
    ("熊猫", "Panda"),
    ("巴蜀", "Bashu"),
    ("玉垒", "Yulei"),
    ("西岭", "Xiling"),
    ("龙泉", "Longquan"),
    ("银杏", "Ginkgo"),
    ("杜鹃", "Azalea"),
    ("竹韵", "Zhuyun"),
    ("都江", "Dujiang"),
    ("川越", "Chuanyue"),
    ("锦宸", "Jinchen"),
    ("雪域", "Xueyu"),
    ("初源", "Chuyuan"),
    ("博睿", "Borui"),
    ("瀚海", "Hanhai"),
    ("澜清", "Lanqing"),
    ("星禾", "Xinghe"),
    ("曜辰", "Yaochen"),
    ("禾元", "Heyuan"),
    ("翎羽", "Lingyu"),
    ("远航", "Yuanhang"),
    ("明德", "Mingde"),
    ("知行", "Zhixing"),
    ("晟联", "Shenglian"),
    ("汇智", "Huizhi"),
    ("川禾", "Chuanhe"),
    ("蓉和", "Ronghe"),
    ("锦医", "Jinyi"),
    ("青羊", "Qingyang"),
    ("桐华", "Tonghua"),
    ("栖云", "Qiyun"),
    ("岳川", "Yuechuan"),
    ("宁川", "Ningchuan"),
]


@dataclass
class Sector:
    tech: list[str]
    zh: str
    en: str
    products_zh: list[str]
    areas: list[str]
    park: str
    count: int = 2


SECTORS = [
    Sector(
        ["small_molecule"],
        "医药科技",
        "Pharmaceutical Technology",
        ["小分子靶向抗肿瘤候选药物", "口服小分子代谢病候选药物"],
        ["II", "IV"],
        "天府生命科技园",
        3,
    ),
    Sector(
        ["antibody", "biologics"],
        "生物医药",
        "Biopharma",
        ["ADC与双特异性抗体平台", "全人源抗体发现平台"],
        ["II", "XII"],
        "成都天府国际生物城",
        3,
    ),
    Sector(
        ["cell_gene_therapy", "biologics"],
        "细胞生物",
        "Cell Therapeutics",
        ["自体CAR-T细胞疗法", "AAV基因治疗载体平台"],
        ["C81-C96", "VI"],
        "成都天府国际生物城",
    ),
    Sector(
        ["nucleic_acid", "biologics"],
        "核酸药物",
        "RNA Therapeutics",
        ["siRNA降脂药物", "LNP递送平台"],
        ["IX", "B15-B19"],
        "成都天府国际生物城",
    ),
    Sector(
        ["vaccine", "biologics"],
        "疫苗",
        "Vaccines",
        ["mRNA呼吸道病毒疫苗", "重组蛋白带状疱疹疫苗"],
        ["I"],
        "成都天府国际生物城",
    ),
    Sector(
        ["radiopharma"],
        "核药科技",
        "Radiopharma",
        ["PSMA靶向放射性配体", "核素标记与配送服务"],
        ["II"],
        "成都前沿医学中心",
    ),
    Sector(
        ["tcm"],
        "中医药",
        "TCM Pharma",
        ["川芎配方颗粒", "经典名方复方制剂"],
        ["IX", "VI"],
        "天府中药城",
        3,
    ),
    Sector(
        ["medical_imaging", "devices"],
        "医学影像",
        "Medical Imaging",
        ["便携式低场磁共振", "光子计数CT探测器"],
        ["VI", "II"],
        "成都医学城",
    ),
    Sector(
        ["ivd", "devices"],
        "诊断技术",
        "Diagnostics",
        ["甲基化肿瘤早筛试剂盒", "化学发光POCT平台"],
        ["II", "I"],
        "成都天府国际生物城",
        3,
    ),
    Sector(
        ["surgical_robotics", "devices"],
        "医疗机器人",
        "Medical Robotics",
        ["骨科手术导航机器人", "血管介入手术机器人"],
        ["XIII", "IX"],
        "成都未来医学城",
    ),
    Sector(
        ["implants", "devices"],
        "医疗器械",
        "Medical Devices",
        ["可降解冠脉支架", "结构性心脏病介入器械"],
        ["IX"],
        "成都医学城",
        3,
    ),
    Sector(
        ["medical_electronics", "devices"],
        "医疗电子",
        "Medical Electronics",
        ["可穿戴心电监测贴", "闭环神经调控刺激器"],
        ["IX", "VI"],
        "菁蓉镇",
    ),
    Sector(
        ["rehab_devices", "devices"],
        "康复科技",
        "Rehabilitation Technology",
        ["上肢康复外骨骼", "智能步态训练系统"],
        ["VI", "XIII"],
        "成都未来医学城",
    ),
    Sector(
        ["ophthalmic_devices", "devices"],
        "眼科医疗",
        "Ophthalmic Technology",
        ["可调焦人工晶状体", "角膜塑形镜"],
        ["VII"],
        "成都医学城",
    ),
    Sector(
        ["dental", "devices"],
        "口腔医疗",
        "Dental Technology",
        ["表面改性种植体", "数字化正畸系统"],
        ["K00-K14"],
        "环华西国际智慧医谷",
    ),
    Sector(
        ["biomaterials", "regenerative"],
        "生物材料",
        "Biomaterials",
        ["可注射水凝胶", "仿生骨修复材料"],
        ["XIII", "XIX"],
        "菁蓉镇",
    ),
    Sector(
        ["ai_medical", "digital_health"],
        "智能医疗",
        "AI Healthcare",
        ["肺结节CT辅助诊断软件", "病理切片AI分析"],
        ["II", "X"],
        "环华西国际智慧医谷",
        3,
    ),
    Sector(
        ["telemedicine", "health_data"],
        "数字健康",
        "Digital Health",
        ["慢病管理数字疗法", "远程监护平台"],
        ["IV", "IX"],
        "环华西国际智慧医谷",
    ),
    Sector(
        ["synthetic_bio"],
        "合成生物",
        "Synthetic Biology",
        ["微生物发酵生产稀有人参皂苷", "酶法合成药物中间体"],
        ["IV"],
        "成都医学城",
    ),
    Sector(
        ["drug_delivery", "pharma"],
        "药物制剂",
        "Drug Delivery",
        ["长效微球注射剂", "吸入制剂平台"],
        ["X", "V"],
        "成都医学城",
    ),
]

STAGES = [  # (stage, employees range, needs)
    ("seed", (5, 20), [N.CAPITAL, N.SPACE]),
    ("angel", (10, 40), [N.CAPITAL, N.SPACE, N.LICENSING]),
    ("series_a", (30, 120), [N.CAPITAL, N.CLINICAL, N.SPACE]),
    ("series_b", (80, 300), [N.CLINICAL, N.CAPITAL, N.LICENSING]),
    ("series_c", (200, 600), [N.CLINICAL, N.LICENSING, N.SPACE]),
    ("pre_ipo", (300, 900), [N.LICENSING, N.CLINICAL]),
    ("listed", (800, 3000), [N.LICENSING, N.CLINICAL]),
]

# (zh, en, kind note zh, ticket min, max (10k CNY), stage focus, sectors)
INVESTORS = [
    (
        "锦江生命科学创投",
        "Jinjiang Life Science Ventures",
        "早期生物医药风险投资",
        500,
        3000,
        [Stage.PRECLINICAL, Stage.IND_FILED, Stage.PHASE1],
        ["biologics", "small_molecule"],
    ),
    (
        "天府医疗健康产业基金",
        "Tianfu Healthcare Industry Fund",
        "政府引导型产业基金",
        2000,
        20000,
        [Stage.PHASE1, Stage.PHASE2, Stage.PHASE3, Stage.DEVICE_TRIAL, Stage.REGISTRATION],
        ["pharma", "devices"],
    ),
    (
        "蓉城天使投资",
        "Rongcheng Angel Investment",
        "天使投资",
        50,
        500,
        [Stage.DISCOVERY, Stage.CONCEPT, Stage.PROTOTYPE, Stage.TRL3, Stage.TRL4],
        ["digital_health", "medical_electronics", "biomaterials"],
    ),
    (
        "西岭医疗器械基金",
        "Xiling MedTech Fund",
        "医疗器械专项基金",
        1000,
        8000,
        [Stage.PROTOTYPE, Stage.TYPE_TESTING, Stage.DEVICE_TRIAL],
        ["devices", "implants"],
    ),
    (
        "望江科创种子基金",
        "Wangjiang Sci-Tech Seed Fund",
        "高校成果转化种子基金",
        100,
        1000,
        [Stage.TRL3, Stage.TRL4, Stage.TRL5, Stage.PRECLINICAL, Stage.PROTOTYPE],
        ["biomaterials", "ivd", "small_molecule"],
    ),
    (
        "银杏数字健康基金",
        "Ginkgo Digital Health Fund",
        "数字健康专项基金",
        300,
        3000,
        [Stage.TRL5, Stage.TRL6, Stage.TRL7, Stage.TRL8],
        ["ai_medical", "telemedicine"],
    ),
    (
        "熊猫生物成长基金",
        "Panda Bio Growth Fund",
        "成长期生物医药基金",
        5000,
        30000,
        [Stage.PHASE2, Stage.PHASE3, Stage.NDA],
        ["biologics", "antibody"],
    ),
    (
        "岷江中医药产业基金",
        "Minjiang TCM Industry Fund",
        "中医药产业基金",
        500,
        5000,
        [Stage.PRECLINICAL, Stage.IND_FILED, Stage.PHASE2, Stage.TRL6],
        ["tcm"],
    ),
    (
        "温江医学城产业引导基金",
        "Wenjiang Medical City Guidance Fund",
        "区级产业引导基金",
        1000,
        10000,
        [Stage.IND_FILED, Stage.PHASE1, Stage.TYPE_TESTING, Stage.DEVICE_TRIAL],
        ["pharma", "devices", "tcm"],
    ),
    (
        "初源细胞与基因治疗基金",
        "Chuyuan Cell & Gene Therapy Fund",
        "细胞与基因治疗专项基金",
        1000,
        8000,
        [Stage.PRECLINICAL, Stage.IND_FILED, Stage.PHASE1],
        ["cell_gene_therapy"],
    ),
    (
        "巴蜀医疗并购基金",
        "Bashu Healthcare M&A Fund",
        "并购基金",
        10000,
        50000,
        [Stage.NDA, Stage.MARKETED, Stage.REGISTRATION, Stage.DEVICE_MARKETED],
        ["pharma", "devices"],
    ),
    (
        "金沙天使汇",
        "Jinsha Angel Club",
        "天使投资人联盟",
        30,
        300,
        [Stage.DISCOVERY, Stage.CONCEPT, Stage.TRL2, Stage.TRL3],
        ["digital_health", "ivd"],
    ),
    (
        "星禾核药与影像基金",
        "Xinghe Radiopharma & Imaging Fund",
        "专项基金",
        2000,
        15000,
        [Stage.PRECLINICAL, Stage.PHASE1, Stage.TYPE_TESTING],
        ["radiopharma", "medical_imaging"],
    ),
]

# (zh, en, park, tech, products zh)
CROS = [
    (
        "蓉研临床研究",
        "Rongyan Clinical Research",
        "环华西国际智慧医谷",
        ["services"],
        "I–IV期临床试验监查、数据管理与统计分析",
    ),
    (
        "锦城药物安全评价中心",
        "Jincheng Drug Safety Evaluation Center",
        "成都医学城",
        ["services", "small_molecule"],
        "GLP毒理、药代与安全药理研究",
    ),
    (
        "天府生物制剂CDMO",
        "Tianfu Biologics CDMO",
        "成都天府国际生物城",
        ["services", "antibody"],
        "抗体与重组蛋白工艺开发及临床样品生产",
    ),
    (
        "温江细胞与基因治疗CDMO",
        "Wenjiang Cell & Gene Therapy CDMO",
        "成都医学城",
        ["services", "cell_gene_therapy"],
        "病毒载体与细胞产品GMP生产",
    ),
    (
        "蜀康器械注册检测服务",
        "Shukang Device Regulatory & Testing Services",
        "天府生命科技园",
        ["services", "devices"],
        "医疗器械注册申报、型式检验与临床评价咨询",
    ),
    (
        "岷江化学合成CRO",
        "Minjiang Chemistry CRO",
        "天府生命科技园",
        ["services", "small_molecule"],
        "药物化学合成、工艺研究与原料药小试",
    ),
]

# Industry-chain segments (ChainSegment codes) the demo stores on each organization, so the
# industry layout shows stored segments (several per organization) beside derived ones.
_D, _CRO, _MFG, _DIST, _SVC = (
    S.DISCOVERY.value,
    S.CRO.value,
    S.CDMO.value,
    S.DISTRIBUTION.value,
    S.SERVICES.value,
)
CRO_SEGMENTS: dict[str, list[str]] = {
    "Rongyan Clinical Research": [_CRO],
    "Jincheng Drug Safety Evaluation Center": [_CRO],
    "Tianfu Biologics CDMO": [_CRO, _MFG],  # process development and clinical supply
    "Wenjiang Cell & Gene Therapy CDMO": [_MFG],
    "Shukang Device Regulatory & Testing Services": [_CRO, _SVC],
    "Minjiang Chemistry CRO": [_CRO, _MFG],  # synthesis plus small-scale API batches
}
SECTOR_SEGMENTS: dict[str, list[str]] = {
    "Pharmaceutical Technology": [_D],
    "Biopharma": [_D],
    "Cell Therapeutics": [_D, _MFG],  # CAR-T is made in-house
    "RNA Therapeutics": [_D],
    "Vaccines": [_D, _MFG],
    "Radiopharma": [_D, _MFG, _DIST],  # labelling and delivery of short-lived isotopes
    "TCM Pharma": [_MFG, _DIST],
    "Medical Imaging": [_D, _MFG],
    "Diagnostics": [_D, _MFG],
    "Medical Devices": [_D, _MFG],
    "Ophthalmic Technology": [_D, _MFG],
    "Dental Technology": [_D, _MFG],
    "AI Healthcare": [_D, _SVC],
    "Digital Health": [_SVC],
    "Synthetic Biology": [_MFG],
    "Drug Delivery": [_D, _MFG],
    # Robotics, electronics, rehabilitation and biomaterials are left to the derivation.
}
INVESTOR_SEGMENTS = [_SVC]
INSTITUTE_SEGMENTS = [_D]
