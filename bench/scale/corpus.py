"""Text sources of the synthetic catalog: sentences, titles, diagnosis names and trials from
../shared/data (read at bench time), and the building blocks of names (cities, brands,
suffixes by organization kind, people)."""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Corpus:
    en_sentences: list[str] = field(default_factory=list)  # SciFact abstracts' first sentences
    en_titles: list[str] = field(default_factory=list)  # IP Australia biotech patent titles
    zh_diagnoses: list[str] = field(default_factory=list)  # CHIP-CDN standard diagnosis names
    trials: list[dict[str, str]] = field(default_factory=list)  # ClinicalTrials.gov rows

    def sources(self) -> dict[str, int]:
        return {
            "scifact_sentences": len(self.en_sentences),
            "patent_titles": len(self.en_titles),
            "chip_cdn_names": len(self.zh_diagnoses),
            "ctgov_trials": len(self.trials),
        }


def load_corpus(data: Path) -> Corpus:
    c = Corpus()
    scifact = data / "beir" / "scifact-dev" / "corpus.jsonl"
    if scifact.exists():
        for line in scifact.open(encoding="utf-8"):
            text = json.loads(line)["text"]
            first = re.split(r"(?<=[a-z0-9)])\. ", text, maxsplit=1)[0].strip()
            if 40 <= len(first) <= 300:
                c.en_sentences.append(first.rstrip("."))
    patents = data / "patents" / "ip-australia-biotech-applications.csv"
    if patents.exists():
        with patents.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                title = (row.get("TITLE") or "").strip()
                if title:
                    c.en_titles.append(title.capitalize() if title.isupper() else title)
    cdn = data / "beir" / "chip-cdn-dev" / "corpus.jsonl"
    if cdn.exists():
        for line in cdn.open(encoding="utf-8"):
            name = json.loads(line)["text"].strip().strip('"').strip()
            if 2 <= len(name) <= 16:
                c.zh_diagnoses.append(name)
    ctgov = data / "ctgov" / "ctg-studies-recent-2025-05.csv"
    if ctgov.exists():
        with ctgov.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                c.trials.append(
                    {
                        "title": row.get("Study Title", ""),
                        "summary": (row.get("Brief Summary") or "")[:500],
                        "conditions": row.get("Conditions", ""),
                        "interventions": row.get("Interventions", ""),
                        "phase": row.get("Phases", ""),
                        "status": row.get("Study Status", ""),
                    }
                )
    return c


CITIES = [
    ("成都", "Chengdu", "四川省"),
    ("重庆", "Chongqing", "重庆市"),
    ("上海", "Shanghai", "上海市"),
    ("北京", "Beijing", "北京市"),
    ("苏州", "Suzhou", "江苏省"),
    ("杭州", "Hangzhou", "浙江省"),
    ("武汉", "Wuhan", "湖北省"),
    ("广州", "Guangzhou", "广东省"),
    ("深圳", "Shenzhen", "广东省"),
    ("西安", "Xi'an", "陕西省"),
    ("南京", "Nanjing", "江苏省"),
    ("天津", "Tianjin", "天津市"),
    ("长沙", "Changsha", "湖南省"),
    ("绵阳", "Mianyang", "四川省"),
    ("德阳", "Deyang", "四川省"),
    ("泸州", "Luzhou", "四川省"),
    ("宜宾", "Yibin", "四川省"),
    ("昆明", "Kunming", "云南省"),
    ("合肥", "Hefei", "安徽省"),
    ("厦门", "Xiamen", "福建省"),
]


DISTRICTS = ["温江区", "双流区", "高新区", "天府新区", "新都区", "郫都区", "龙泉驿区", "武侯区"]


BRAND = [
    ("康", "Kang"), ("华", "Hua"), ("瑞", "Rui"), ("恒", "Heng"), ("泰", "Tai"), ("达", "Da"),
    ("科", "Ke"), ("诺", "Nuo"), ("信", "Xin"), ("海", "Hai"), ("天", "Tian"), ("和", "He"),
    ("安", "An"), ("源", "Yuan"), ("博", "Bo"), ("正", "Zheng"), ("汇", "Hui"), ("联", "Lian"),
    ("百", "Bai"), ("济", "Ji"), ("生", "Sheng"), ("普", "Pu"), ("明", "Ming"), ("德", "De"),
    ("宏", "Hong"), ("嘉", "Jia"), ("丰", "Feng"), ("君", "Jun"), ("迈", "Mai"), ("思", "Si"),
    ("睿", "Rui"), ("晨", "Chen"), ("星", "Xing"), ("智", "Zhi"), ("微", "Wei"), ("创", "Chuang"),
    ("新", "Xin"), ("远", "Yuan"), ("致", "Zhi"), ("锐", "Rui"),
]  # fmt: skip


SUFFIX = {
    "company": [
        ("生物科技有限公司", "Biotechnology Co., Ltd."),
        ("医疗器械有限公司", "Medical Devices Co., Ltd."),
        ("药业股份有限公司", "Pharmaceutical Co., Ltd."),
        ("医疗科技有限公司", "Medical Technology Co., Ltd."),
        ("基因技术有限公司", "Gene Technology Co., Ltd."),
        ("诊断技术有限公司", "Diagnostics Co., Ltd."),
        ("智能医疗有限公司", "Intelligent Healthcare Co., Ltd."),
    ],
    "cro": [
        ("医药研发服务有限公司", "Pharmaceutical R&D Services Co., Ltd."),
        ("生物医药CDMO有限公司", "Biopharma CDMO Co., Ltd."),
        ("临床研究服务有限公司", "Clinical Research Services Co., Ltd."),
    ],
    "investor": [
        ("创业投资管理有限公司", "Venture Capital Management Co., Ltd."),
        ("股权投资基金", "Equity Investment Fund"),
        ("健康产业基金", "Healthcare Industry Fund"),
        ("资本", "Capital"),
    ],
    "park": [
        ("生物医药产业园", "Biomedical Industrial Park"),
        ("医学城", "Medical City"),
        ("生命科学园", "Life Science Park"),
        ("医疗器械产业园", "Medical Device Industrial Park"),
        ("生物产业孵化器", "Bio-industry Incubator"),
    ],
    "hospital": [
        ("人民医院", "People's Hospital"),
        ("中医医院", "Hospital of Traditional Chinese Medicine"),
        ("妇女儿童医院", "Women and Children's Hospital"),
        ("肿瘤医院", "Cancer Hospital"),
        ("医科大学附属医院", "Affiliated Hospital of Medical University"),
    ],
    "institute": [
        ("生物医学研究院", "Institute of Biomedicine"),
        ("药物研究所", "Institute of Materia Medica"),
        ("大学医学中心", "University Medical Center"),
        ("医学工程研究中心", "Medical Engineering Research Center"),
    ],
    "government": [
        ("卫生健康委员会", "Health Commission"),
        ("科学技术局", "Science and Technology Bureau"),
        ("经济和信息化局", "Bureau of Economy and Information Technology"),
    ],
    "association": [
        ("医药行业协会", "Pharmaceutical Industry Association"),
        ("医疗器械行业协会", "Medical Device Industry Association"),
        ("生物医药产业联盟", "Biomedical Industry Alliance"),
    ],
}


ORG_MIX = [
    ("company", 50),
    ("institute", 17),
    ("investor", 10),
    ("hospital", 8),
    ("cro", 5),
    ("government", 5),
    ("association", 3),
    ("park", 2),
]


PREFIX = [
    ("新型", "Novel"), ("第二代", "Second-generation"), ("高选择性", "Highly selective"),
    ("长效", "Long-acting"), ("基于人工智能的", "AI-assisted"), ("可穿戴", "Wearable"),
    ("低成本", "Low-cost"), ("一体化", "Integrated"), ("快速", "Rapid"),
    ("微创", "Minimally invasive"), ("便携式", "Portable"), ("高通量", "High-throughput"),
]  # fmt: skip


NEED_TOPIC = [
    ("早期筛查", "Early screening"), ("快速诊断", "Rapid diagnosis"),
    ("术后康复", "Post-operative rehabilitation"), ("远程监测", "Remote monitoring"),
    ("精准给药", "Precise drug delivery"), ("微创治疗", "Minimally invasive treatment"),
    ("智能随访", "Intelligent follow-up"), ("床旁检测", "Point-of-care testing"),
]  # fmt: skip


SURNAME = [
    ("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"),
    ("黄", "Huang"), ("赵", "Zhao"), ("吴", "Wu"), ("周", "Zhou"), ("徐", "Xu"), ("孙", "Sun"),
    ("马", "Ma"), ("朱", "Zhu"), ("胡", "Hu"), ("郭", "Guo"), ("何", "He"), ("林", "Lin"),
]  # fmt: skip


GIVEN = [
    ("伟", "Wei"), ("芳", "Fang"), ("娜", "Na"), ("敏", "Min"), ("静", "Jing"), ("丽", "Li"),
    ("强", "Qiang"), ("磊", "Lei"), ("军", "Jun"), ("洋", "Yang"), ("勇", "Yong"), ("艳", "Yan"),
    ("杰", "Jie"), ("涛", "Tao"), ("明", "Ming"), ("超", "Chao"), ("霞", "Xia"), ("平", "Ping"),
]  # fmt: skip


POSITION = [
    ("主任医师", "Chief physician"), ("教授", "Professor"), ("研究员", "Research fellow"),
    ("首席科学家", "Chief scientist"), ("副主任医师", "Associate chief physician"),
    ("投资总监", "Investment director"), ("总经理", "General manager"), ("技术总监", "CTO"),
]  # fmt: skip


def strip_paren(label: str) -> str:
    return re.sub(r"[（(].*?[）)]", "", label).strip()
