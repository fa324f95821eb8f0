"""Fictional people: names are combined from common surnames and given names, every one flagged
`is_demo`, with an address under demo.luodi.invalid and a fictional phone number."""

from __future__ import annotations

from bench.scale.demo_gen.common import Loader
from luodi.catalog.models import Organization, Person

SURNAMES = [
    ("王", "Wang"),
    ("李", "Li"),
    ("张", "Zhang"),
    ("刘", "Liu"),
    ("陈", "Chen"),
    ("杨", "Yang"),
    ("赵", "Zhao"),
    ("黄", "Huang"),
    ("周", "Zhou"),
    ("吴", "Wu"),
    ("徐", "Xu"),
    ("孙", "Sun"),
    ("胡", "Hu"),
    ("朱", "Zhu"),
    ("高", "Gao"),
    ("林", "Lin"),
    ("何", "He"),
    ("郭", "Guo"),
    ("马", "Ma"),
    ("罗", "Luo"),
    ("梁", "Liang"),
    ("宋", "Song"),
    ("郑", "Zheng"),
    ("谢", "Xie"),
    ("韩", "Han"),
    ("唐", "Tang"),
    ("冯", "Feng"),
    ("董", "Dong"),
    ("程", "Cheng"),
    ("曹", "Cao"),
    ("袁", "Yuan"),
    ("邓", "Deng"),
    ("傅", "Fu"),
    ("沈", "Shen"),
    ("曾", "Zeng"),
    ("彭", "Peng"),
    ("苏", "Su"),
    ("卢", "Lu"),
    ("蒋", "Jiang"),
    ("蔡", "Cai"),
    ("丁", "Ding"),
    ("魏", "Wei"),
    ("叶", "Ye"),
    ("余", "Yu"),
    ("潘", "Pan"),
    ("杜", "Du"),
    ("戴", "Dai"),
    ("夏", "Xia"),
    ("钟", "Zhong"),
    ("田", "Tian"),
    ("任", "Ren"),
    ("范", "Fan"),
    ("方", "Fang"),
    ("姚", "Yao"),
    ("谭", "Tan"),
    ("廖", "Liao"),
    ("邹", "Zou"),
    ("熊", "Xiong"),
    ("雷", "Lei"),
    ("文", "Wen"),
    ("龚", "Gong"),
]
GIVEN = [
    ("晓峰", "Xiaofeng"),
    ("雨桐", "Yutong"),
    ("思远", "Siyuan"),
    ("明轩", "Mingxuan"),
    ("嘉怡", "Jiayi"),
    ("浩然", "Haoran"),
    ("欣怡", "Xinyi"),
    ("俊杰", "Junjie"),
    ("子涵", "Zihan"),
    ("宇航", "Yuhang"),
    ("诗涵", "Shihan"),
    ("志强", "Zhiqiang"),
    ("丽娟", "Lijuan"),
    ("建国", "Jianguo"),
    ("海燕", "Haiyan"),
    ("文博", "Wenbo"),
    ("静怡", "Jingyi"),
    ("天佑", "Tianyou"),
    ("若曦", "Ruoxi"),
    ("一鸣", "Yiming"),
    ("婉清", "Wanqing"),
    ("泽宇", "Zeyu"),
    ("佳琪", "Jiaqi"),
    ("立新", "Lixin"),
    ("春梅", "Chunmei"),
    ("国栋", "Guodong"),
    ("慧敏", "Huimin"),
    ("振华", "Zhenhua"),
    ("雪莲", "Xuelian"),
    ("承泽", "Chengze"),
    ("雅琴", "Yaqin"),
    ("德明", "Deming"),
    ("秋实", "Qiushi"),
    ("鹏程", "Pengcheng"),
    ("晓梅", "Xiaomei"),
    ("书瑶", "Shuyao"),
    ("永康", "Yongkang"),
    ("蓉蓉", "Rongrong"),
    ("锦程", "Jincheng"),
    ("安琪", "Anqi"),
    ("建平", "Jianping"),
    ("玉洁", "Yujie"),
    ("卫东", "Weidong"),
    ("梦瑶", "Mengyao"),
    ("知远", "Zhiyuan"),
    ("清扬", "Qingyang"),
    ("红霞", "Hongxia"),
    ("少华", "Shaohua"),
    ("家豪", "Jiahao"),
    ("若楠", "Ruonan"),
    ("景行", "Jingxing"),
    ("小川", "Xiaochuan"),
    ("翠屏", "Cuiping"),
    ("正阳", "Zhengyang"),
    ("心怡", "Xinyi"),
    ("博文", "Bowen"),
    ("岷生", "Minsheng"),
    ("宁远", "Ningyuan"),
    ("秀英", "Xiuying"),
]


class People:
    """Hands out fictional people in a fixed order, so every load yields the same names."""

    def __init__(self, ld: Loader) -> None:
        self.ld = ld
        self.count = 0
        self.by_org: dict[int, list[Person]] = {}

    def make(self, org: Organization, title_zh: str, title_en: str, expertise: str = "") -> Person:
        i = self.count
        self.count += 1
        sur_zh, sur_en = SURNAMES[(i * 7) % len(SURNAMES)]
        giv_zh, giv_en = GIVEN[(i * 11 + i // len(GIVEN)) % len(GIVEN)]
        email = f"{giv_en.lower()}.{sur_en.lower()}{i:03d}@demo.luodi.invalid"
        person = self.ld.upsert(
            Person,
            {"email": email},
            {
                "name_zh": f"{sur_zh}{giv_zh}",
                "name_en": f"{sur_en} {giv_en}",
                "organization": org,
                "title": f"{title_zh} / {title_en}"[:120],
                "phone": f"+86 28 5550 {1000 + i:04d}",
                "consent_to_contact": i % 4 != 3,
                "expertise": expertise,
                "is_demo": True,
            },
        )
        self.by_org.setdefault(org.pk, []).append(person)
        return person

    def of(self, org: Organization) -> list[Person]:
        return self.by_org.get(org.pk, [])
