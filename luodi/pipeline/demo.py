"""Demo transformation projects: one or more in every stage, with backdated histories,
agreements, obligations, tasks and landing records, built on whatever demo catalog records
exist at load time (nothing is created when there are no achievements). Idempotent: a second
run finds the demo projects and does nothing."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any, Protocol

from django.db.models import Q
from django.utils import timezone, translation

from luodi.accounts.models import Role, User
from luodi.catalog.choices import OrganizationKind
from luodi.catalog.models import Achievement, Carrier, Organization
from luodi.pipeline.choices import AgreementKind, RegistrationCheck, RegistrationStatus
from luodi.pipeline.domain import requests
from luodi.pipeline.domain.agreements import (
    add_obligation,
    create_agreement,
    set_obligation_status,
)
from luodi.pipeline.domain.landing import record_landing
from luodi.pipeline.domain.projects import add_note, create_project, move_project
from luodi.pipeline.domain.registration import move_registration, save_registration
from luodi.pipeline.domain.tasks import complete_task, create_task
from luodi.pipeline.models import Agreement, CompanyRequest, Project
from luodi.pipeline.validators import uscc_check_char


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


# (final stage, path of (stage, days ago, note), reason for paused/lost)
PLANS: list[tuple[str, list[tuple[str, int, str]], str]] = [
    ("lead", [], ""),
    (
        "assessment",
        [("assessment", 12, "技术评估：专利稳定性与市场空间初判 (IP and market check)")],
        "",
    ),
    (
        "matchmaking",
        [("assessment", 60, "完成尽调"), ("matchmaking", 35, "向3家企业与2只基金推介")],
        "",
    ),
    (
        "negotiation",
        [
            ("assessment", 120, ""),
            ("matchmaking", 90, "路演后两家企业有意向"),
            ("negotiation", 40, "许可费与里程碑条款谈判中"),
        ],
        "",
    ),
    (
        "agreement_signed",
        [
            ("assessment", 200, ""),
            ("matchmaking", 170, ""),
            ("negotiation", 120, ""),
            ("agreement_signed", 20, "签署合作意向书"),
        ],
        "",
    ),
    (
        "landed",
        [
            ("assessment", 400, ""),
            ("matchmaking", 360, ""),
            ("negotiation", 300, ""),
            ("agreement_signed", 240, "签署投资协议"),
            ("landed", 90, "公司注册并入驻园区"),
        ],
        "",
    ),
    (
        "in_production",
        [
            ("assessment", 800, ""),
            ("matchmaking", 760, ""),
            ("negotiation", 700, ""),
            ("agreement_signed", 620, ""),
            ("landed", 500, ""),
            ("in_production", 150, "GMP车间投产"),
        ],
        "",
    ),
    (
        "in_trials",
        [
            ("assessment", 700, ""),
            ("matchmaking", 650, ""),
            ("negotiation", 600, ""),
            ("agreement_signed", 540, ""),
            ("landed", 420, ""),
            ("in_trials", 60, "I期临床首例入组"),
        ],
        "",
    ),
    (
        "paused",
        [("assessment", 150, ""), ("matchmaking", 110, ""), ("paused", 30, "")],
        "等待二期临床数据再推进 (waiting for phase II data)",
    ),
    (
        "lost",
        [
            ("assessment", 260, ""),
            ("matchmaking", 220, ""),
            ("negotiation", 160, ""),
            ("lost", 75, ""),
        ],
        "估值分歧，企业转投外省园区 (valuation gap)",
    ),
    # More landed ones, so that the follow-through after landing has a portfolio to show:
    # one landed eight months ago whose construction never started (stalled), one producing
    # for two months, one that landed a month ago.
    (
        "landed",
        [
            ("assessment", 520, ""),
            ("matchmaking", 480, ""),
            ("negotiation", 420, ""),
            ("agreement_signed", 330, "签署投资协议"),
            ("landed", 240, "注册完成，租用园区标准厂房"),
        ],
        "",
    ),
    (
        "in_production",
        [
            ("assessment", 700, ""),
            ("matchmaking", 650, ""),
            ("negotiation", 590, ""),
            ("agreement_signed", 500, ""),
            ("landed", 380, ""),
            ("in_production", 60, "首批产品下线"),
        ],
        "",
    ),
    (
        "landed",
        [
            ("assessment", 300, ""),
            ("matchmaking", 240, ""),
            ("negotiation", 150, ""),
            ("agreement_signed", 75, ""),
            ("landed", 30, "完成工商注册"),
        ],
        "",
    ),
]


def _first(kind: str, offset: int = 0) -> Organization | None:
    qs = Organization.objects.filter(
        kind=kind, archived_at__isnull=True, merged_into__isnull=True
    ).order_by("-is_demo", "pk")
    items = list(qs[:5])
    return items[offset % len(items)] if items else None


# The companies registered at landing: fictional names, one per demo project.
ENTITY_WORDS = [
    "锦岚",
    "蓉曜",
    "岷澜",
    "青棠",
    "芙川",
    "瑞蜀",
    "金楠",
    "浣溪",
    "南湖",
    "天曜",
    "西岭",
    "蜀葵",
    "锦官",
    "望江",
]


def _credit_code(i: int) -> str:
    first17 = f"91510100MA6CU{i:04d}"
    return first17 + uscc_check_char(first17)


def _actor() -> User | None:
    return (
        User.objects.filter(username="staff").first()
        or User.objects.filter(role=Role.STAFF, is_active=True).first()
        or User.objects.filter(is_superuser=True).first()
    )


def load(out: Writer) -> None:
    if Project.objects.filter(is_demo=True).exists():
        # Demo data loaded before registrations existed gets them now (idempotent).
        actor = _actor()
        if actor is not None and _registrations(actor):
            out.write("  pipeline demo: technology-contract registrations\n")
        return
    achievements = list(
        Achievement.objects.filter(
            Q(is_demo=True) | Q(status="published"), archived_at__isnull=True
        )
        .select_related("owner")
        .order_by("-is_demo", "pk")[: len(PLANS)]
    )
    actor = _actor()
    if not achievements or actor is None:
        out.write("  pipeline demo: no achievements or staff yet, nothing created\n")
        return
    now = timezone.now()
    for i, (_final, path, reason) in enumerate(PLANS):
        achievement = achievements[i % len(achievements)]
        # Fewer achievements than stages: the same one gets a second project.
        title = achievement.title if i < len(achievements) else f"{achievement.title}（二期合作）"
        _project(actor, achievement, title, i, path, reason, now)
    with translation.override("zh-hans"):  # the follow-up tasks' titles, as a user's would be
        _requests(actor)
    _registrations(actor)
    out.write(f"  pipeline demo: {len(PLANS)} projects in every stage, company requests\n")


# (category, title, details, raised days ago, due in days from raising, resolution, days to
# resolve, satisfaction): after landing, one resolved, one open, one overdue and escalated.
REQUESTS = [
    (
        "site",
        "洁净区双回路供电改造",
        "GMP 车间试生产前需完成双回路供电，园区配套电力接入进度不明。",
        60,
        30,
        "园区协调供电公司完成双回路接入，提前一周交付。",
        24,
        5,
    ),
    (
        "talent",
        "研发团队人才公寓申请",
        "新到岗 12 名研发人员需要过渡住房。",
        10,
        30,
        "",
        0,
        None,
    ),
    (
        "approval",
        "二类医疗器械注册检验排期",
        "注册检验排队超过三个月，影响产品上市计划。",
        50,
        21,
        "",
        0,
        None,
    ),
]


def _requests(actor: User) -> None:
    """Company requests on the landed demo projects (企业诉求 after landing)."""
    landed = list(Project.objects.filter(is_demo=True, landing__isnull=False).order_by("pk"))
    if not landed:
        return
    today = timezone.localdate()
    for n, (category, title, details, ago, due, resolution, days, score) in enumerate(REQUESTS):
        project = landed[n % len(landed)]
        raised = today - timedelta(days=ago)
        req = requests.raise_request(
            actor=actor,
            project=project,
            owner=actor,
            values={
                "category": category,
                "title": title,
                "details": details,
                "raised_on": raised,
                "due_date": raised + timedelta(days=due),
            },
            is_demo=True,
        )
        if resolution:
            requests.resolve(actor=actor, request=req, resolution=resolution, satisfaction=score)
            CompanyRequest.objects.filter(pk=req.pk).update(
                resolved_at=timezone.make_aware(
                    datetime.combine(raised + timedelta(days=days), time(17, 0))
                )
            )
        elif ago > due:
            requests.escalate(actor=actor, request=req, to="区行政审批局")


def _project(
    actor: User,
    achievement: Achievement,
    title: str,
    i: int,
    path: list[tuple[str, int, str]],
    reason: str,
    now: Any,
) -> Project:
    opened = now - timedelta(days=(path[0][1] + 20) if path else 5)
    park = _first(OrganizationKind.PARK, i)
    centers = [c for c in [_first(OrganizationKind.HOSPITAL, i)] if c]
    fields = {
        "company": _first(OrganizationKind.COMPANY, i),
        "investor": _first(OrganizationKind.INVESTOR, i) if i % 2 else None,
        "target_park": park,
        "staff": actor,
    }
    project = create_project(
        actor=actor,
        achievement=achievement,
        title=title,
        clinical_centers=centers,
        fields=fields,
        is_demo=True,
        at=opened,
    )
    add_note(actor=actor, project=project, text="首次接洽：成果方希望在成都落地转化。")
    for stage, days, note in path:
        if stage == "landed":
            _landing(actor, project, park, i, days)
        if stage == "agreement_signed":
            _agreement(
                actor,
                project,
                (now - timedelta(days=days)).date(),
                done=path[-1][0] != "agreement_signed",
            )
        move_project(
            actor=actor,
            project=project,
            to_stage=stage,
            note=note,
            reason=reason if stage in ("paused", "lost") else "",
            confirm_warnings=True,
            at=now - timedelta(days=days),
        )
        if stage == "negotiation":
            task = create_task(
                actor=actor,
                project=project,
                title="准备许可条款清单 (term sheet)",
                owner=actor,
                due_date=(now - timedelta(days=days - 14)).date(),
            )
            if path[-1][0] not in ("negotiation", "lost"):
                complete_task(actor=actor, task=task)
    return project


def _agreement(actor: User, project: Project, signed: Any, *, done: bool) -> None:
    parties = [o for o in (project.owner, project.company, project.target_park) if o]
    agreement = create_agreement(
        actor=actor,
        project=project,
        parties=parties,
        is_demo=True,
        values={
            "kind": "intention",
            "title": f"{project.title} 合作意向书",
            "status": "signed",
            "signed_on": signed,
            "effective_from": signed,
        },
    )
    visit = add_obligation(
        actor=actor,
        agreement=agreement,
        kind="visit",
        description="签约后30日内到协会拜访并提交落地计划",
        due_date=signed + timedelta(days=30),
        responsible=actor,
    )
    if done:  # projects that went further have long fulfilled it
        set_obligation_status(actor=actor, obligation=visit, status="done")
    add_obligation(
        actor=actor,
        agreement=agreement,
        kind="milestone_payment",
        description="IND获批后支付首笔里程碑款",
        trigger="IND获批后30日内",
        amount_wan=Decimal("300"),
    )


def _landing(
    actor: User, project: Project, park: Organization | None, i: int, days_ago: int
) -> None:
    carrier = Carrier.objects.filter(park=park).first() if park else None
    record_landing(
        actor=actor,
        project=project,
        values={
            "entity_name": f"成都{ENTITY_WORDS[i % len(ENTITY_WORDS)]}生物科技有限公司",
            # Registered a few days before the project counted as landed.
            "registered_on": timezone.localdate() - timedelta(days=days_ago + 3 + i % 4),
            "credit_code": _credit_code(i),
            "park": park,
            "carrier": carrier,
            "area_m2": 800 + 100 * i,
            "investment_wan": Decimal(2000 + 500 * i),
            "jobs_planned": 30 + 5 * i,
            "notes": "园区对接后完成工商注册，首期场地已交付。",
        },
    )


# Projects past the signing of an agreement: where technology contracts are signed.
_SIGNED_STAGES = ["agreement_signed", "landed", "in_production", "in_trials"]


def _registrations(actor: User) -> bool:
    """A registered technology-licence contract and a technology-development contract being
    prepared (half its checklist ticked), on demo projects past signing; through the domain.
    Idempotent: does nothing once demo registrations exist. True when it created them."""
    if Agreement.objects.filter(is_demo=True, registration__isnull=False).exists():
        return False
    projects = list(
        Project.objects.filter(is_demo=True, stage__in=_SIGNED_STAGES).order_by("pk")[:2]
    )
    if not projects:
        return False
    today = timezone.localdate()
    signed = today - timedelta(days=75)
    registered = signed + timedelta(days=21)
    licence = _tech_contract(
        actor, projects[0], AgreementKind.LICENSE, "技术许可合同（独占实施许可）", signed
    )
    save_registration(
        actor=actor,
        agreement=licence,
        values={
            # Year, the district's code, a serial: the shape of Chengdu's numbers.
            "registration_number": f"{registered.year}510104{projects[0].pk:06d}",
            "registered_on": registered,
            "office": "成都市技术合同登记机构",
            "transaction_value_fen": 8_000_000_00,  # 8 million yuan
            "technical_income_fen": 6_500_000_00,  # without the equipment supplied
            "checklist": list(RegistrationCheck.values),
            "note": "登记证明已交财务，用于技术转让所得减免与成果转化奖励发放。",
        },
    )
    registration = licence.registration
    move_registration(actor=actor, registration=registration, to=RegistrationStatus.SUBMITTED)
    move_registration(actor=actor, registration=registration, to=RegistrationStatus.REGISTERED)
    development = _tech_contract(
        actor,
        projects[-1],
        AgreementKind.DEVELOPMENT,
        "委托技术开发合同（工艺放大与质量研究）",
        today - timedelta(days=10),
    )
    save_registration(
        actor=actor,
        agreement=development,
        values={
            "office": "成都市技术合同登记机构",
            "transaction_value_fen": 2_400_000_00,
            "checklist": list(RegistrationCheck.values)[:4],
            "note": "待补充验收标准与改进成果归属条款后提交登记。",
        },
    )
    return True


def _tech_contract(actor: User, project: Project, kind: str, title: str, signed: Any) -> Agreement:
    parties = [o for o in (project.owner, project.company) if o]
    return create_agreement(
        actor=actor,
        project=project,
        parties=parties,
        is_demo=True,
        values={
            "kind": kind,
            "title": f"{project.title} {title}",
            "status": "signed",
            "signed_on": signed,
            "effective_from": signed,
        },
    )
