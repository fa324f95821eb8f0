"""Industrial parks around Chengdu: real park names, districts and approximate coordinates;
carriers, policies and incentives are illustrative."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from luodi.catalog.choices import CarrierType as C
from luodi.catalog.choices import OrganizationKind, ParkService
from luodi.catalog.demo_data.common import Loader
from luodi.catalog.models import Carrier, ParkProfile

S = ParkService

# (name, type, total m², available m², rent from, rent to (CNY/m²/day), ready, certifications)
CarrierRow = tuple[str, str, int, int, str, str, date | None, list[str]]


@dataclass
class Park:
    zh: str
    en: str
    district: str
    lat: float
    lon: float
    about_zh: str
    about_en: str
    tech: list[str]
    areas: list[str]
    rent_subsidy_pct: int
    subsidy_years: int
    max_grant_wan: int
    services: list[str]
    policy_zh: str
    policy_en: str
    carriers: list[CarrierRow] = field(default_factory=list)


POLICY_NOTE_ZH = "以上为示例政策，实际以园区发布为准"
POLICY_NOTE_EN = "Illustrative incentives; the park's published policy prevails"

PARKS: list[Park] = [
    Park(
        "成都医学城",
        "Chengdu Medical City",
        "温江区",
        30.715,
        103.835,
        "位于温江区的生物医药产业功能区，聚焦创新药、高端医疗器械和医学服务，毗邻成都中医药大学温江校区。",
        "Biomedical industry zone in Wenjiang District focused on innovative drugs, high-end "
        "devices and medical services, next to the Wenjiang campus of CDUTCM.",
        ["pharma", "biologics", "devices", "implants", "tcm"],
        ["II", "IX"],
        50,
        3,
        3000,
        [S.CRO, S.CDMO, S.PLATFORM, S.FINANCE, S.TALENT],
        "入驻企业前三年租金补贴50%；取得I类新药临床批件最高奖励1000万元；三类医疗器械首次注册奖励最高500万元；"
        "设备投资按15%给予补助",
        "50% rent subsidy for three years; up to CNY 10 m for a first-in-class IND approval; up to "
        "CNY 5 m for a first class III device registration; 15% subsidy on equipment investment",
        [
            (
                "三医创新中心A栋 湿实验室",
                C.WET_LAB,
                3200,
                860,
                "1.20",
                "1.60",
                date(2026, 1, 1),
                ["消防验收", "通风柜预装"],
            ),
            ("医学城孵化器 工位", C.INCUBATOR, 1500, 420, "0.60", "0.90", date(2025, 6, 1), []),
            (
                "生物药GMP标准厂房 3号楼",
                C.GMP,
                12000,
                4800,
                "1.00",
                "1.30",
                date(2027, 3, 1),
                ["GMP设计", "洁净C级/D级"],
            ),
            (
                "医疗器械洁净车间 5号楼",
                C.CLEANROOM,
                6000,
                0,
                "1.10",
                "1.40",
                date(2025, 9, 1),
                ["十万级洁净", "ISO 13485支持"],
            ),
            (
                "SPF级动物房",
                C.ANIMAL,
                2000,
                350,
                "2.00",
                "2.60",
                date(2026, 6, 1),
                ["AAALAC申请中"],
            ),
        ],
    ),
    Park(
        "成都天府国际生物城",
        "Tianfu International Bio-Town",
        "双流区",
        30.405,
        104.013,
        "由成都高新区与双流区共建的生物产业新城，聚焦生物技术药物、高端医疗器械、精准医学和智慧健康。",
        "A bio-industry new town co-developed by Chengdu Hi-tech Zone and Shuangliu District, "
        "focused on biologics, high-end devices, precision medicine and smart health.",
        ["biologics", "antibody", "cell_gene_therapy", "vaccine", "ivd", "ai_medical"],
        ["II", "I"],
        60,
        3,
        5000,
        [S.CRO, S.CDMO, S.BONDED, S.PLATFORM, S.FINANCE, S.TALENT],
        "研发用房租金“三免两减半”；生物药产业化项目按固定资产投资给予最高5000万元补助；"
        "细胞与基因治疗项目可使用公共P2平台；人才公寓优先配租",
        "Rent waived for three years and halved for two; up to CNY 50 m for biologics "
        "manufacturing investments; shared P2 platform for cell and gene therapy projects; "
        "priority access to talent apartments",
        [
            (
                "生物城孵化园 1期 湿实验室",
                C.WET_LAB,
                8000,
                2100,
                "1.30",
                "1.80",
                date(2025, 3, 1),
                ["消防验收", "纯水系统"],
            ),
            (
                "公共P2实验平台",
                C.P2_LAB,
                1200,
                240,
                "3.00",
                "4.00",
                date(2026, 4, 1),
                ["生物安全二级备案"],
            ),
            (
                "抗体药物GMP产业化基地",
                C.GMP,
                20000,
                9000,
                "1.10",
                "1.50",
                date(2027, 6, 1),
                ["GMP设计", "2000L生物反应器位"],
            ),
            (
                "细胞治疗GMP车间",
                C.GMP,
                3000,
                0,
                "2.50",
                "3.20",
                date(2025, 12, 1),
                ["洁净B级", "细胞制备"],
            ),
            (
                "保税冷链仓库",
                C.WAREHOUSE,
                5000,
                1800,
                "0.80",
                "1.00",
                date(2026, 1, 1),
                ["2-8℃冷链", "保税监管"],
            ),
        ],
    ),
    Park(
        "天府生命科技园",
        "Tianfu Life Science Park",
        "高新区",
        30.566,
        104.046,
        "成都高新区南部园区的生命科学专业园，集聚创新药研发、CRO和医疗器械研发企业。",
        "A life-science park in the southern area of Chengdu Hi-tech Zone, home to drug R&D, "
        "CROs and device developers.",
        ["small_molecule", "services", "devices", "ai_medical"],
        ["II", "IX"],
        30,
        2,
        1000,
        [S.CRO, S.PLATFORM, S.FINANCE],
        "研发用房租金补贴30%（两年）；首次获得IND批件奖励200万元；承接MAH委托生产项目给予配套支持",
        "30% rent subsidy for two years; CNY 2 m for a first IND approval; support for MAH "
        "contract-manufacturing projects",
        [
            ("B区 研发办公", C.OFFICE, 4000, 1200, "1.50", "2.20", date(2024, 9, 1), []),
            (
                "C区 化学合成实验室",
                C.WET_LAB,
                2500,
                300,
                "1.60",
                "2.00",
                date(2025, 5, 1),
                ["防爆通风", "危化品库"],
            ),
            (
                "D区 器械研发洁净间",
                C.CLEANROOM,
                800,
                0,
                "1.80",
                "2.40",
                date(2024, 12, 1),
                ["万级洁净"],
            ),
        ],
    ),
    Park(
        "成都前沿医学中心",
        "Chengdu Frontier Medical Center",
        "双流区",
        30.415,
        104.025,
        "位于天府国际生物城的医学创新平台，推动临床研究、转化医学与产业协同。",
        "A medical innovation platform inside Tianfu International Bio-Town linking clinical "
        "research, translational medicine and industry.",
        ["cell_gene_therapy", "radiopharma", "medical_imaging"],
        ["II", "VI"],
        40,
        3,
        2000,
        [S.PLATFORM, S.CRO, S.TALENT],
        "转化医学项目提供三年租金补贴40%；医院-企业联合研发项目最高资助2000万元",
        "40% rent subsidy for translational projects for three years; up to CNY 20 m for joint "
        "hospital–company R&D projects",
        [
            (
                "转化医学研究楼 实验室",
                C.WET_LAB,
                3000,
                900,
                "1.40",
                "1.80",
                date(2026, 9, 1),
                ["消防验收"],
            ),
            (
                "放射性药物GMP车间",
                C.GMP,
                1800,
                1800,
                "2.80",
                "3.50",
                date(2027, 9, 1),
                ["辐射安全许可（规划）"],
            ),
            ("临床研究办公区", C.OFFICE, 2000, 600, "1.20", "1.50", date(2025, 10, 1), []),
        ],
    ),
    Park(
        "成都未来医学城",
        "Chengdu Future Medical City",
        "东部新区",
        30.370,
        104.450,
        "位于成都东部新区的医学与健康产业新城，规划医疗服务、医学研究与高端医疗器械制造。",
        "A medical and health new town in Chengdu's Eastern New Area planning medical services, "
        "research and high-end device manufacturing.",
        ["devices", "medical_imaging", "surgical_robotics", "rehab_devices"],
        ["IX", "XIII"],
        70,
        3,
        2000,
        [S.PLATFORM, S.FINANCE, S.TALENT],
        "首批入驻项目租金“五免”（前两年全免、后三年减半）；医疗器械产业化项目给予最高2000万元设备补助",
        "Rent free for two years then halved for three for first-wave projects; up to CNY 20 m "
        "equipment subsidy for device manufacturing",
        [
            (
                "医疗器械标准厂房 一期",
                C.CLEANROOM,
                15000,
                12000,
                "0.70",
                "0.90",
                date(2027, 12, 1),
                ["十万级洁净（可定制）"],
            ),
            ("综合仓储中心", C.WAREHOUSE, 8000, 8000, "0.40", "0.60", date(2027, 6, 1), []),
            ("企业总部办公", C.OFFICE, 6000, 3500, "0.90", "1.20", date(2026, 12, 1), []),
            (
                "机器人测试验证车间",
                C.CLEANROOM,
                2500,
                2500,
                "0.80",
                "1.00",
                date(2028, 3, 1),
                ["EMC测试场地（规划）"],
            ),
        ],
    ),
    Park(
        "天府中药城",
        "Tianfu TCM City",
        "彭州市",
        30.975,
        103.955,
        "彭州市的中医药产业园区，依托川芎等道地药材，发展中药材精深加工、中药新药与大健康产品。",
        "A TCM industry park in Pengzhou built on authentic Sichuan herbs such as Chuanxiong, "
        "developing herb processing, new TCM drugs and health products.",
        ["tcm", "drug_delivery"],
        ["IX", "VI"],
        50,
        3,
        800,
        [S.PLATFORM, S.FINANCE],
        "中药饮片与配方颗粒生产项目租金补贴50%；中药新药获批临床奖励最高300万元",
        "50% rent subsidy for decoction-piece and granule production; up to CNY 3 m for a new "
        "TCM drug entering clinical trials",
        [
            (
                "中药提取GMP车间",
                C.GMP,
                9000,
                2600,
                "0.60",
                "0.80",
                date(2025, 7, 1),
                ["GMP（中药提取）"],
            ),
            (
                "药材阴凉仓储库",
                C.WAREHOUSE,
                6000,
                1500,
                "0.35",
                "0.50",
                date(2024, 6, 1),
                ["阴凉库20℃以下"],
            ),
            ("质量检测实验室", C.WET_LAB, 900, 0, "1.00", "1.20", date(2024, 10, 1), ["CMA"]),
        ],
    ),
    Park(
        "环华西国际智慧医谷",
        "West China International Smart Medical Valley",
        "武侯区",
        30.640,
        104.055,
        "环绕四川大学华西医院的医学创新街区，聚焦数字医疗、医学人工智能和临床研究服务。",
        "A medical-innovation district around West China Hospital focused on digital health, "
        "medical AI and clinical research services.",
        ["ai_medical", "health_data", "telemedicine", "services"],
        ["Telemedicine", "Clinical Trials as Topic", "II"],
        40,
        2,
        500,
        [S.CRO, S.PLATFORM, S.FINANCE],
        "数字医疗企业办公租金补贴40%；取得二类医疗器械软件注册证奖励100万元",
        "40% office rent subsidy for digital-health companies; CNY 1 m for a class II software "
        "device registration",
        [
            ("医谷创新中心 办公", C.OFFICE, 5000, 1600, "2.00", "2.80", date(2024, 3, 1), []),
            ("联合办公工位", C.INCUBATOR, 600, 80, "1.20", "1.50", date(2024, 3, 1), []),
            ("临床研究协调中心", C.OFFICE, 800, 0, "2.20", "2.60", date(2025, 1, 1), []),
        ],
    ),
    Park(
        "菁蓉镇",
        "Jingrong Town",
        "郫都区",
        30.805,
        103.925,
        "郫都区的双创小镇，靠近电子科技大学与西南交通大学，适合早期医工交叉团队孵化。",
        "An innovation town in Pidu District near UESTC and Southwest Jiaotong University, suited "
        "to incubating early medical-engineering teams.",
        ["medical_electronics", "biomaterials", "ai_medical", "rehab_devices"],
        ["XIII", "VI"],
        80,
        2,
        300,
        [S.PLATFORM, S.FINANCE, S.TALENT],
        "孵化工位两年免租；种子项目最高资助300万元；对接高校概念验证中心",
        "Incubator seats free for two years; up to CNY 3 m for seed projects; access to the "
        "universities' proof-of-concept centres",
        [
            ("众创空间 工位", C.INCUBATOR, 2000, 700, "0.30", "0.50", date(2024, 5, 1), []),
            (
                "医工交叉样机实验室",
                C.WET_LAB,
                1200,
                500,
                "0.80",
                "1.10",
                date(2026, 2, 1),
                ["电子测试台"],
            ),
            ("小试洁净间", C.CLEANROOM, 400, 120, "1.20", "1.50", date(2026, 8, 1), ["万级洁净"]),
        ],
    ),
    Park(
        "成都国际铁路港经济技术开发区",
        "Chengdu International Railway Port Economic Development Zone",
        "青白江区",
        30.800,
        104.235,
        "青白江区的国家级经开区，依托中欧班列和综合保税区，发展医疗器械与药品进口分拨、冷链物流。",
        "A national economic development zone in Qingbaijiang built on the China–Europe railway "
        "and its bonded zone: import distribution and cold-chain logistics for devices and drugs.",
        ["devices", "ivd"],
        ["Equipment and Supplies", "Clinical Laboratory Techniques"],
        30,
        2,
        500,
        [S.BONDED, S.FINANCE],
        "进口医疗器械分拨中心项目仓储租金补贴30%；冷链物流设备投资补助最高500万元",
        "30% warehouse rent subsidy for imported-device distribution centres; up to CNY 5 m for "
        "cold-chain equipment",
        [
            (
                "保税物流仓 2号库",
                C.WAREHOUSE,
                20000,
                6500,
                "0.45",
                "0.60",
                date(2025, 4, 1),
                ["保税监管", "2-8℃冷链分区"],
            ),
            ("医疗器械分拨中心", C.WAREHOUSE, 10000, 0, "0.50", "0.65", date(2024, 11, 1), ["GSP"]),
            ("港区综合办公", C.OFFICE, 3000, 1200, "0.80", "1.00", date(2025, 1, 1), []),
        ],
    ),
    Park(
        "成都高新综合保税区",
        "Chengdu Hi-tech Comprehensive Bonded Zone",
        "高新区",
        30.735,
        103.965,
        "成都高新区的综合保税区，适合研发用进口试剂、设备的保税研发与维修检测业务。",
        "The comprehensive bonded zone of Chengdu Hi-tech Zone, suited to bonded R&D with "
        "imported reagents and equipment and to repair and testing services.",
        ["medical_electronics", "medical_imaging", "ivd"],
        ["Diagnostic Equipment", "Clinical Laboratory Techniques"],
        20,
        2,
        300,
        [S.BONDED, S.PLATFORM],
        "保税研发用房租金补贴20%；进口研发试剂通关便利化",
        "20% rent subsidy for bonded R&D space; faster customs clearance for imported reagents",
        [
            (
                "保税研发楼 实验室",
                C.WET_LAB,
                2400,
                640,
                "1.00",
                "1.30",
                date(2025, 8, 1),
                ["保税监管"],
            ),
            (
                "保税维修检测车间",
                C.CLEANROOM,
                3000,
                1000,
                "0.90",
                "1.10",
                date(2026, 5, 1),
                ["万级洁净", "保税监管"],
            ),
            (
                "P2实验室（保税）",
                C.P2_LAB,
                500,
                0,
                "2.50",
                "3.00",
                date(2025, 2, 1),
                ["生物安全二级备案"],
            ),
        ],
    ),
]


def load_parks(ld: Loader) -> None:
    for p in PARKS:
        org = ld.org(
            p.zh,
            p.en,
            OrganizationKind.PARK,
            district=p.district,
            address=f"四川省成都市{p.district}",
            latitude=p.lat,
            longitude=p.lon,
            description_zh=p.about_zh + "载体与政策信息为示例",
            description_en=p.about_en + " Carriers and incentives are illustrative.",
        )
        ld.m2m(org, "focus_areas", ld.tech(p.tech) + ld.areas(p.areas))
        profile = ld.upsert(
            ParkProfile,
            {"organization": org},
            {
                "policy_text_zh": f"{p.policy_zh}。{POLICY_NOTE_ZH}",
                "policy_text_en": f"{p.policy_en}. {POLICY_NOTE_EN}.",
                "rent_subsidy_pct": p.rent_subsidy_pct,
                "subsidy_years": p.subsidy_years,
                "max_grant_wan": p.max_grant_wan,
                "services": [str(s) for s in p.services],
            },
        )
        ld.m2m(profile, "industry_focus", ld.tech(p.tech) + ld.areas(p.areas))
        for name, kind, total, avail, rmin, rmax, ready, certs in p.carriers:
            ld.upsert(
                Carrier,
                {"park": org, "name": name},
                {
                    "carrier_type": kind,
                    "area_total_m2": total,
                    "area_available_m2": avail,
                    "rent_min": Decimal(rmin),
                    "rent_max": Decimal(rmax),
                    "ready_date": ready,
                    "certifications": certs,
                    "description": f"{p.zh}{name}，面积与租金为示例 / "
                    f"{p.en}: {name}; illustrative area and rent",
                },
            )
