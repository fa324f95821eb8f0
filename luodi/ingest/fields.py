"""What each import kind accepts: fields, their types, and header synonyms (zh and en).

Besides the synonyms listed here, a header matches a field by its key (`name_zh`) and by the
model field's label in English or Chinese, so an export re-imports as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from luodi.catalog.choices import (
    AchievementKind,
    AchievementNeed,
    CarrierType,
    ChainSegment,
    Disclosure,
    OrganizationKind,
    Stage,
    TransferMode,
)

ORGANIZATIONS, PEOPLE, ACHIEVEMENTS, NEEDS = "organizations", "people", "achievements", "needs"

KIND_LABELS: dict[str, Promise] = {
    ORGANIZATIONS: _("Organizations"),
    PEOPLE: _("People"),
    ACHIEVEMENTS: _("Achievements"),
    NEEDS: _("Clinical needs"),
}


@dataclass(frozen=True)
class Spec:
    key: str
    label: Promise
    # text longtext list int float decimal date bool email url choice choices term terms org
    # person people (a person of the row's organization, by email or name: the writer's)
    kind: str
    synonyms: tuple[str, ...] = ()
    choices: type[models.TextChoices] | None = None
    schemes: tuple[str, ...] = ()
    max_length: int | None = None
    # For a kind registered by another app (`register_kind`): turns a cell's text into
    # (value, None) or (None, reason), instead of the built-in cleaning of `kind`.
    parse: Callable[[str], tuple[Any, str | None]] | None = None
    # Only the system's own imports (the demo loader, the CLI without --user) may map it:
    # the `is_demo` flag marks demo records, and nobody's upload may claim or clear it.
    system_only: bool = False


def demo_flag() -> Spec:
    """The `is_demo` column of the demo's data files (demo/): the rows are demo records.
    A demo row never rewrites a real record (one not flagged), nor writes into a real
    organization's own records (its profile, carriers, clinical needs)."""
    return Spec("is_demo", _("demo data"), "bool", system_only=True)


AREA, TECH, SPECIALTY = "area", "tech", "specialty"

FIELDS: dict[str, list[Spec]] = {
    ORGANIZATIONS: [
        Spec(
            "name_zh",
            _("name (Chinese)"),
            "text",
            ("中文名称", "中文名", "机构中文名称", "名称中文", "chinese name"),
            max_length=200,
        ),
        Spec(
            "name_en",
            _("name (English)"),
            "text",
            ("英文名称", "英文名", "机构英文名称", "名称英文", "english name"),
            max_length=200,
        ),
        Spec("aliases", _("aliases"), "list", ("别名", "简称", "曾用名", "alias", "also known as")),
        Spec(
            "kind",
            _("kind"),
            "choice",
            ("类型", "机构类型", "类别", "type", "organization type", "category"),
            choices=OrganizationKind,
        ),
        Spec("province", _("province"), "text", ("省份", "省", "state"), max_length=40),
        Spec("city", _("city"), "text", ("城市", "市"), max_length=40),
        Spec("district", _("district"), "text", ("区县", "区"), max_length=40),
        Spec("address", _("address"), "text", ("地址", "详细地址"), max_length=255),
        Spec("latitude", _("latitude"), "float", ("纬度", "lat")),
        Spec("longitude", _("longitude"), "float", ("经度", "lon", "lng")),
        Spec("website", _("website"), "url", ("网站", "官网", "网址", "url", "homepage")),
        Spec("description_zh", _("description (Chinese)"), "longtext", ("中文简介", "中文描述")),
        Spec(
            "description_en",
            _("description (English)"),
            "longtext",
            ("英文简介", "英文描述", "english description"),
        ),
        Spec(
            "focus_areas",
            _("focus areas"),
            "terms",
            ("关注领域", "重点领域", "领域", "focus", "areas"),
            # A hospital's focus is its specialties; a name of several schemes means the
            # first scheme's term.
            schemes=(AREA, TECH, SPECIALTY),
        ),
        Spec(
            "chain_segments",
            _("industry-chain segments"),
            "choices",
            ("产业链环节", "产业链", "环节", "chain segment", "chain segments", "segments"),
            choices=ChainSegment,
        ),
        demo_flag(),
    ],
    PEOPLE: [
        Spec("name_zh", _("name (Chinese)"), "text", ("中文姓名", "中文名"), max_length=80),
        Spec(
            "name_en",
            _("name (English)"),
            "text",
            ("英文姓名", "英文名", "english name"),
            max_length=120,
        ),
        Spec(
            "organization",
            _("organization"),
            "org",
            (
                "机构",
                "单位",
                "所属机构",
                "工作单位",
                "organisation",
                "affiliation",
                "employer",
                "institution",
            ),
        ),
        Spec(
            "title",
            _("title / position"),
            "text",
            ("职务", "职称", "职位", "title", "position", "job title"),
            max_length=120,
        ),
        Spec("email", _("email"), "email", ("邮箱", "电子邮件", "电子邮箱", "e-mail", "mail")),
        Spec(
            "phone",
            _("phone"),
            "text",
            ("电话", "手机", "联系电话", "mobile", "telephone", "tel"),
            max_length=40,
        ),
        Spec(
            "expertise",
            _("expertise"),
            "longtext",
            ("专长", "研究方向", "专业领域", "research interests"),
        ),
        Spec(
            "consent_to_contact",
            _("consents to be contacted"),
            "bool",
            ("同意联系", "consent", "consent to contact", "contactable"),
        ),
        demo_flag(),
    ],
    ACHIEVEMENTS: [
        Spec(
            "title_zh",
            _("title (Chinese)"),
            "text",
            ("中文名称", "中文标题", "成果中文名称"),
            max_length=255,
        ),
        Spec(
            "title_en",
            _("title (English)"),
            "text",
            ("英文名称", "英文标题", "english title"),
            max_length=255,
        ),
        Spec("summary_zh", _("summary (Chinese)"), "longtext", ("中文简介", "中文摘要")),
        Spec("dossier_zh", _("dossier (Chinese)"), "longtext", ("中文资料包",)),
        Spec("dossier_en", _("dossier (English)"), "longtext", ("英文资料包",)),
        Spec(
            "summary_en",
            _("summary (English)"),
            "longtext",
            ("英文简介", "英文摘要", "english summary", "abstract"),
        ),
        Spec(
            "kind",
            _("type"),
            "choice",
            ("类型", "成果类型", "类别", "kind", "category"),
            choices=AchievementKind,
        ),
        Spec(
            "owner",
            _("owner"),
            "org",
            (
                "所有方",
                "权利人",
                "所属机构",
                "单位",
                "机构",
                "成果单位",
                "organization",
                "holder",
                "assignee",
            ),
        ),
        Spec(
            "stage",
            _("development stage"),
            "choice",
            ("阶段", "研发阶段", "开发阶段", "stage", "phase"),
            choices=Stage,
        ),
        Spec(
            "therapeutic_areas",
            _("therapeutic areas"),
            "terms",
            ("治疗领域", "疾病领域", "适应症领域", "therapeutic area", "disease area"),
            schemes=(AREA,),
        ),
        Spec(
            "technology_fields",
            _("technology fields"),
            "terms",
            ("技术领域", "technology field", "technology"),
            schemes=(TECH,),
        ),
        Spec(
            "patent_numbers",
            _("patent numbers"),
            "text",
            ("专利号", "专利", "patents", "patent no", "patent number"),
            max_length=255,
        ),
        Spec(
            "ip_status", _("IP status"), "text", ("知识产权状态", "知识产权", "ip"), max_length=160
        ),
        Spec(
            "transfer_modes",
            _("transfer modes sought"),
            "choices",
            ("转化方式", "transfer modes", "transfer mode"),
            choices=TransferMode,
        ),
        Spec(
            "inventors",
            _("inventors"),
            "people",
            ("发明人", "完成人", "inventor"),
        ),
        Spec("needs", _("needs"), "choices", ("需求",), choices=AchievementNeed),
        Spec(
            "carrier_needs",
            _("carrier requirements"),
            "choices",
            ("载体需求", "carrier needs"),
            choices=CarrierType,
        ),
        Spec(
            "space_needed_m2",
            _("space needed (m²)"),
            "int",
            ("所需面积", "面积", "space needed", "space"),
        ),
        Spec(
            "amount_sought_wan",
            _("investment sought (10k CNY)"),
            "int",
            (
                "融资需求",
                "拟融资金额",
                "融资金额",
                "投资需求",
                "amount sought",
                "investment sought",
            ),
        ),
        Spec(
            "disclosure",
            _("disclosure tier"),
            "choice",
            ("公开等级", "公开级别", "disclosure"),
            choices=Disclosure,
        ),
        demo_flag(),
    ],
    NEEDS: [
        Spec("title_zh", _("title (Chinese)"), "text", ("中文名称", "中文标题"), max_length=255),
        Spec(
            "title_en",
            _("title (English)"),
            "text",
            ("英文名称", "英文标题", "english title"),
            max_length=255,
        ),
        Spec(
            "problem",
            _("problem"),
            "longtext",
            ("问题", "临床问题", "需求描述", "问题描述", "description"),
        ),
        Spec("current_practice", _("current practice"), "longtext", ("现有做法", "当前做法")),
        Spec(
            "desired_solution",
            _("desired solution"),
            "longtext",
            ("期望方案", "期望解决方案", "解决方案"),
        ),
        Spec("constraints", _("constraints"), "longtext", ("限制", "约束", "限制条件")),
        Spec(
            "specialty",
            _("specialty"),
            "term",
            ("专科", "科室", "专业", "department"),
            schemes=(SPECIALTY,),
        ),
        Spec(
            "organization",
            _("hospital / organization"),
            "org",
            ("医院", "机构", "单位", "hospital", "organisation"),
        ),
        Spec("clinician", _("clinician"), "person", ("临床医生", "提出人", "医生", "doctor")),
        demo_flag(),
    ],
}

# Generic headers of a bilingual pair: the column's script decides (zh field, en field).
_NAME = (
    "名称",
    "机构名称",
    "机构",
    "单位名称",
    "name",
    "organization",
    "organization name",
    "organisation",
    "org name",
)
_DESCRIPTION = ("简介", "描述", "介绍", "description", "about", "profile")
BILINGUAL: dict[str, dict[tuple[str, str], tuple[str, ...]]] = {
    ORGANIZATIONS: {
        ("name_zh", "name_en"): _NAME,
        ("description_zh", "description_en"): _DESCRIPTION,
    },
    PEOPLE: {("name_zh", "name_en"): ("姓名", "名字", "name", "full name")},
    ACHIEVEMENTS: {
        ("title_zh", "title_en"): (
            "名称",
            "成果名称",
            "标题",
            "项目名称",
            "title",
            "name",
            "achievement",
        ),
        ("summary_zh", "summary_en"): ("简介", "摘要", "成果简介", "summary", "description"),
    },
    NEEDS: {("title_zh", "title_en"): ("名称", "需求名称", "标题", "title", "name", "need")},
}

# Each group: at least one of these fields must be mapped, and filled in every row.
REQUIRED_GROUPS: dict[str, list[tuple[str, ...]]] = {
    ORGANIZATIONS: [("name_zh", "name_en"), ("kind",)],
    PEOPLE: [("name_zh", "name_en")],
    ACHIEVEMENTS: [("title_zh", "title_en"), ("kind",), ("stage",)],
    NEEDS: [("title_zh", "title_en"), ("problem",)],
}

# Chinese words people write in spreadsheets, beyond the choices' translated labels.
SYNONYMS_ZH: dict[str, dict[str, str]] = {
    "OrganizationKind": {
        "园区": "park",
        "产业园": "park",
        "产业园区": "park",
        "医院": "hospital",
        "临床试验机构": "hospital",
        "临床中心": "hospital",
        "企业": "company",
        "公司": "company",
        "高校": "institute",
        "大学": "institute",
        "科研院所": "institute",
        "研究所": "institute",
        "研究院": "institute",
        "投资机构": "investor",
        "基金": "investor",
        "投资": "investor",
        "政府": "government",
        "政府部门": "government",
        "管委会": "government",
        "协会": "association",
        "学会": "association",
        "CRO": "cro",
        "CDMO": "cro",
        "hospital": "hospital",
        "university": "institute",
        "institute": "institute",
        "park": "park",
        "government": "government",
    },
    "ChainSegment": {
        "研发": "discovery",
        "药物发现": "discovery",
        "创新研发": "discovery",
        "合同研究": "cro",
        "临床前研究": "cro",
        "CMO": "cdmo",
        "生产": "cdmo",
        "制造": "cdmo",
        "生产制造": "cdmo",
        "委托生产": "cdmo",
        "临床": "clinical",
        "临床研究": "clinical",
        "临床试验": "clinical",
        "流通": "distribution",
        "医药流通": "distribution",
        "商业流通": "distribution",
        "配送": "distribution",
        "服务": "services",
        "产业服务": "services",
        "投融资": "services",
    },
    "AchievementKind": {
        "专利": "patent",
        "药物": "drug",
        "候选药物": "drug",
        "新药": "drug",
        "医疗器械": "device",
        "器械": "device",
        "诊断": "diagnostic",
        "体外诊断": "diagnostic",
        "软件": "software",
        "数字医疗": "software",
        "方法": "method",
        "材料": "material",
        "device": "device",
        "drug": "drug",
    },
    "Stage": {
        "药物发现": "discovery",
        "发现": "discovery",
        "临床前": "preclinical",
        "IND申报": "ind_filed",
        "已申报IND": "ind_filed",
        "I期": "phase1",
        "I期临床": "phase1",
        "一期": "phase1",
        "II期": "phase2",
        "II期临床": "phase2",
        "二期": "phase2",
        "III期": "phase3",
        "III期临床": "phase3",
        "三期": "phase3",
        "上市申请": "nda",
        "NDA": "nda",
        "已上市": "marketed",
        "上市": "marketed",
        "概念": "concept",
        "原型": "prototype",
        "样机": "prototype",
        "型式检验": "type_testing",
        "注册": "registration",
        "注册申报": "registration",
    },
    "Disclosure": {
        "公开": "public",
        "摘要公开": "teaser",
        "仅摘要": "teaser",
        "保密": "confidential",
    },
    "TransferMode": {
        "转让": "assignment",
        "许可": "license",
        "作价入股": "equity",
        "入股": "equity",
        "合作开发": "codevelopment",
    },
    "AchievementNeed": {
        "被许可方": "licensee",
        "受让方": "licensee",
        "融资": "investment",
        "投资": "investment",
        "临床合作": "clinical",
        "落地空间": "space",
        "场地": "space",
    },
}


def register_kind(
    key: str,
    *,
    label: Promise,
    specs: list[Spec],
    required: list[tuple[str, ...]],
    bilingual: dict[tuple[str, str], tuple[str, ...]] | None = None,
) -> None:
    """Add an import kind owned by another app (called from its AppConfig.ready(), so the
    ingest app never imports it): its fields, label and required columns. The app also
    registers the kind's writer (`writers.register`) and who may import it
    (`rules.register_kind`). Registering the same key again replaces it (tests, reloads)."""
    KIND_LABELS[key] = label
    FIELDS[key] = specs
    BILINGUAL[key] = bilingual or {}
    REQUIRED_GROUPS[key] = required
