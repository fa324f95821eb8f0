"""The default template, following the criteria of Chinese achievement evaluation (科技成果
评价, GB/T 22900-2022 and the 科技成果评价 practice): technology readiness (TRL 1–9), novelty
(创新度), advancement (先进度), application prospects and market, intellectual property, team
and conditions for transfer. Staff copy and edit it; assessments snapshot it when opened."""

from __future__ import annotations

from typing import Any

from django.db import migrations

CRITERIA: list[dict[str, Any]] = [
    {
        "code": "trl",
        "label_zh": "技术成熟度",
        "label_en": "Technology readiness (TRL)",
        "description_zh": "按技术就绪水平 1–9 级评定：1 基本原理，4 实验室验证，6 原型/样机在相关环境中验证，7 中试或临床验证，9 实际应用。",
        "description_en": "Technology readiness level 1–9: 1 basic principles, 4 validated in "
        "the laboratory, 6 prototype demonstrated, 7 pilot or clinical validation, 9 proven in use.",
        "weight": 25,
        "scale_min": 1,
        "scale_max": 9,
    },
    {
        "code": "novelty",
        "label_zh": "创新度",
        "label_en": "Novelty",
        "description_zh": "1 一般改进；2 较明显改进；3 国内首创；4 国际上少见；5 国际首创。",
        "description_en": "1 routine improvement; 2 clear improvement; 3 first in China; "
        "4 rare internationally; 5 first in the world.",
        "weight": 20,
        "scale_min": 1,
        "scale_max": 5,
    },
    {
        "code": "advancement",
        "label_zh": "先进度",
        "label_en": "Advancement",
        "description_zh": "与国内外同类技术比较：1 一般；2 国内先进；3 国内领先；4 国际先进；5 国际领先。",
        "description_en": "Against comparable technology: 1 ordinary; 2 advanced in China; "
        "3 leading in China; 4 internationally advanced; 5 internationally leading.",
        "weight": 20,
        "scale_min": 1,
        "scale_max": 5,
    },
    {
        "code": "market",
        "label_zh": "应用前景与市场",
        "label_en": "Application prospects and market",
        "description_zh": "临床需求、市场规模、支付方与竞争格局；1 不明确，5 需求迫切且市场广阔。",
        "description_en": "Clinical need, market size, payers and competition; 1 unclear, "
        "5 urgent need and a large market.",
        "weight": 15,
        "scale_min": 1,
        "scale_max": 5,
    },
    {
        "code": "ip",
        "label_zh": "知识产权",
        "label_en": "Intellectual property",
        "description_zh": "专利布局、权属清晰度与自由实施空间；1 无保护或权属不清，5 核心专利已授权且布局完整。",
        "description_en": "Patent coverage, clear ownership, freedom to operate; 1 unprotected "
        "or unclear, 5 core patents granted with full coverage.",
        "weight": 10,
        "scale_min": 1,
        "scale_max": 5,
    },
    {
        "code": "team",
        "label_zh": "团队与转化条件",
        "label_en": "Team and conditions for transfer",
        "description_zh": "研发团队、转化意愿、资金与合作基础；1 薄弱，5 完备。",
        "description_en": "Team, willingness to transfer, funding and partners; 1 weak, 5 complete.",
        "weight": 10,
        "scale_min": 1,
        "scale_max": 5,
    },
]


def seed(apps: Any, schema_editor: Any) -> None:
    Template = apps.get_model("assessments", "Template")
    Criterion = apps.get_model("assessments", "TemplateCriterion")
    if Template.objects.filter(is_default=True).exists():
        return
    template = Template.objects.create(
        name_zh="科技成果评价（默认）",
        name_en="Achievement evaluation (default)",
        description="技术成熟度、创新度、先进度、应用前景、知识产权、团队。",
        is_default=True,
    )
    for i, row in enumerate(CRITERIA):
        Criterion.objects.create(template=template, position=i, **row)


def unseed(apps: Any, schema_editor: Any) -> None:
    apps.get_model("assessments", "Template").objects.filter(is_default=True).delete()


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
