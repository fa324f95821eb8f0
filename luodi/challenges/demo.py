"""Demo challenge: Chengdu Medical City (a real park, the demo park user's organization)
posts a running public challenge with fictional content — a wearable for post-operative
monitoring of patients sent home early — open for another month, with two proposals: one
from the demo hospital user for West China Hospital (linking one of its demo achievements),
moved to finalist with the park's scores; one from a fictional applicant without an
account. Dates are set from today; every record carries the demo flag; everything goes
through the domain. A second run adds nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Protocol

from django.utils import timezone

from luodi.accounts.models import User
from luodi.catalog.models import Achievement, Organization
from luodi.challenges import domain, proposals
from luodi.challenges.choices import ChallengeStatus, Stage, Visibility
from luodi.challenges.models import Challenge

POSTER = "成都医学城"
APPLICANT_ORG = "四川大学华西医院"
TITLE_ZH = "术后早期出院患者居家监测可穿戴方案"


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


def load(out: Writer) -> None:
    if Challenge.objects.filter(is_demo=True).exists():
        return
    poster = Organization.objects.filter(name_zh=POSTER).first()
    hospital = Organization.objects.filter(name_zh=APPLICANT_ORG).first()
    park_user = (
        User.objects.filter(is_active=True, memberships__organization=poster).order_by("pk").first()
    )
    applicant = (
        User.objects.filter(is_active=True, memberships__organization=hospital)
        .order_by("pk")
        .first()
    )
    if poster is None or hospital is None or park_user is None or applicant is None:
        out.write("  challenges demo skipped: the demo park or hospital user is missing\n")
        return
    today = timezone.localdate()
    challenge = domain.save_challenge(
        actor=park_user,
        challenge=None,
        values={
            "poster": poster,
            "title_zh": TITLE_ZH,
            "title_en": "Wearable home monitoring after early discharge",
            "problem_zh": (
                "园区企业希望联合临床团队开发一款可穿戴设备，在患者术后提前出院后持续监测"
                "心率、血氧和体温，发现异常时提醒随访护士。需兼顾佩戴舒适与数据合规。"
            ),
            "problem_en": (
                "Companies in the park want to develop, with a clinical team, a wearable that "
                "keeps monitoring heart rate, oxygen saturation and temperature after patients "
                "go home early from surgery, and alerts the follow-up nurse on anomalies."
            ),
            "budget_min_fen": 50_000_000,
            "budget_max_fen": 200_000_000,
            "timeline": "6 个月完成样机，12 个月完成临床验证。",
            "eligibility": "高校、医院或企业团队；需具备可穿戴或医疗器械研发经验。",
            "ip_terms": "背景知识产权归原权利人；项目产生的知识产权由双方按合同约定共有。",
            "deadline": today + timedelta(days=30),
            "visibility": Visibility.PUBLIC,
        },
        is_demo=True,
    )
    domain.set_status(actor=park_user, challenge=challenge, status=ChallengeStatus.OPEN)
    achievement = Achievement.objects.filter(owner=hospital, is_demo=True).order_by("pk").first()
    first = proposals.submit(
        challenge=challenge,
        values={
            # The demo user's display name carries a marker; the proposal names the person.
            "applicant_name": "陈静",
            "title": "基于柔性贴片的术后居家监测",
            "summary": "以柔性心电贴片为基础，增加血氧与体温通道，数据经手机上传随访平台。",
            "approach": "假设：连续监测可提前 24 小时发现术后并发症。方法：贴片 + 边缘算法预警。",
            "readiness": 4,
            "plan": "第 3 个月：样机；第 6 个月：院内试用 30 例；第 12 个月：多中心验证。",
            "team": "心内科与护理团队各 3 人，工程师 4 人。",
            "budget_ask_fen": 150_000_000,
        },
        actor=applicant,
        organization=hospital,
        achievements=[achievement] if achievement else [],
        is_demo=True,
        alert=False,
    )
    proposals.submit(
        challenge=challenge,
        values={
            "applicant_name": "吴一凡",
            "applicant_email": "wu.yifan.demo@example.org",
            "applicant_organization": "某高校生物医学工程学院",
            "title": "低功耗无线体温与血氧戒指",
            "summary": "指环形态，续航 7 天，适合老年患者长期佩戴。",
            "approach": "以反射式血氧与热敏电阻为核心，低功耗蓝牙传输。",
            "readiness": 3,
            "plan": "第 4 个月完成原理样机，第 9 个月完成小样本验证。",
        },
        actor=None,
        is_demo=True,
        alert=False,
    )
    for stage in (Stage.ASSESS, Stage.FINALIST):
        proposals.score(
            actor=park_user, proposal=first, value=4, comment="方案完整，团队临床经验充足。"
        )
        proposals.move(actor=park_user, proposal=first, to=stage, note="")
    out.write("  challenges demo: 1 open challenge with 2 proposals (1 finalist)\n")
