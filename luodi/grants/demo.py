"""Demo grants (赋权) of West China hospital (四川大学华西医院, the demo hospital user's own
organization): one ownership share granted to the team of a demo achievement — valuation,
decision by the president's office meeting, a finished public notice without objection,
and its evidence documents as small generated PDFs — and one draft long-term use right of
another achievement, still missing its valuation, so the list, the checklist and the
"start notice" refusal have content on a fresh `make run`.

The achievements and team members are the catalog demo's fictional ones; dates are set
from today, so the demo never goes stale; everything goes through the domain and carries
the demo flag. When a demo grant exists, nothing is added (a second run adds nothing).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Protocol

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count
from django.utils import timezone

from luodi.accounts.models import Role, User
from luodi.catalog.models import Achievement, Organization, Person
from luodi.grants import domain
from luodi.grants.choices import GrantDocumentType, GrantKind
from luodi.grants.models import Grant
from luodi.pdf import Kit, register_font

OWN_HOSPITAL = "四川大学华西医院"
YUAN = 100  # fen


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


def _team(achievement: Achievement, share_bp: int) -> list[tuple[Person, int]]:
    """The achievement's inventors sharing `share_bp`, the first (the lead) taking the rest
    of an even split."""
    people = list(achievement.inventors.order_by("pk")[:3])
    if not people:
        return []
    each = share_bp // len(people)
    shares = [share_bp - each * (len(people) - 1)] + [each] * (len(people) - 1)
    return list(zip(people, shares, strict=True))


def _pdf(title: str, lines: list[str]) -> bytes:
    kit = Kit(register_font())
    story = [kit.text(title, kit.h1), kit.text("（演示数据，虚构内容）", kit.prose)]
    story += [kit.text(line, kit.prose) for line in lines]
    return Kit.build(story, title)


Team = list[tuple[Person, int]]


def _documents(grant: Grant, title: str, team: Team) -> list[tuple[str, str, bytes]]:
    split = "；".join(f"{p.name_zh or p}{domain.percent(s)}" for p, s in team)
    notice = f"{grant.notice_starts_on:%Y-%m-%d} 至 {grant.notice_ends_on:%Y-%m-%d}"
    return [
        (
            GrantDocumentType.VALUATION,
            "资产评估报告.pdf",
            _pdf(
                "资产评估报告（摘要）",
                [f"评估对象：{title}", f"评估机构：{grant.valuer}", "评估值：人民币 320 万元"],
            ),
        ),
        (
            GrantDocumentType.MINUTES,
            "院长办公会会议纪要.pdf",
            _pdf(
                "院长办公会会议纪要（摘录）",
                [
                    f"会议时间：{grant.decided_on:%Y-%m-%d}",
                    f"议题：关于赋予“{title}”完成人团队职务科技成果所有权的决定",
                    f"决定：赋予成果完成人团队 {domain.percent(grant.team_share_bp)} 的所有权。",
                ],
            ),
        ),
        (
            GrantDocumentType.NOTICE,
            "公示记录.pdf",
            _pdf(
                "职务科技成果赋权公示记录",
                [f"公示期：{notice}", f"公示地点：{grant.notice_place}", "公示期内未收到异议。"],
            ),
        ),
        (
            GrantDocumentType.AGREEMENT,
            "团队内部分配协议.pdf",
            _pdf("成果完成人团队内部分配协议", [f"团队成员及份额：{split}"]),
        ),
    ]


def _hospital() -> Organization | None:
    return Organization.objects.filter(name_zh=OWN_HOSPITAL).order_by("pk").first()


def _achievements(hospital: Organization) -> list[Achievement]:
    qs = (
        Achievement.objects.filter(owner=hospital, is_demo=True)
        .annotate(n=Count("inventors"))
        .filter(n__gt=0)
        .order_by("-n", "pk")
    )
    return list(qs[:2])


def load(out: Writer) -> None:
    if Grant.objects.filter(is_demo=True).exists():
        return
    actor = User.objects.filter(role=Role.STAFF, is_active=True).order_by("pk").first()
    hospital = _hospital()
    if actor is None or hospital is None:
        out.write("  grants demo skipped: no staff user or no West China hospital\n")
        return
    found = _achievements(hospital)
    if not found:
        out.write("  grants demo skipped: no demo achievement of the hospital with a team\n")
        return
    today = timezone.localdate()
    granted_one = found[0]
    team = _team(granted_one, 7000)
    grant = domain.save_grant(
        actor=actor,
        grant=None,
        values={
            "institution": hospital,
            "achievement": granted_one,
            "kind": GrantKind.OWNERSHIP,
            "team_share_bp": 7000,
            "valuer": "四川某资产评估有限公司",
            "valuation_report_on": today - timedelta(days=75),
            "valuation_fen": 3_200_000 * YUAN,
            "decision_body": "院长办公会",
            "decided_on": today - timedelta(days=60),
            "minutes_ref": "院办纪要〔2026〕12号",
            "notice_starts_on": today - timedelta(days=45),
            "notice_ends_on": today - timedelta(days=31),
            "notice_place": "医院官网“院务公开”栏目及科技部公告栏",
            "note": "赋权试点：成果完成人团队持有 70% 所有权，医院保留 30%。",
        },
        members=team,
        is_demo=True,
    )
    for doc_type, name, content in _documents(grant, granted_one.title, team):
        upload = SimpleUploadedFile(name, content, content_type="application/pdf")
        domain.upload_document(actor=actor, grant=grant, upload=upload, doc_type=doc_type)
    domain.start_notice(actor=actor, grant=grant)
    domain.grant_rights(actor=actor, grant=grant, outcome="公示期满，未收到异议。", today=today)
    made = 1
    if len(found) > 1:
        second = found[1]
        domain.save_grant(
            actor=actor,
            grant=None,
            values={
                "institution": hospital,
                "achievement": second,
                "kind": GrantKind.USE_RIGHT,
                "team_share_bp": 10_000,
                "term_years": 10,
                "use_starts_on": today + timedelta(days=30),
                "decision_body": "党委会",
                "note": "拟赋予团队 10 年长期使用权；资产评估尚未完成。",
            },
            members=_team(second, 10_000),
            is_demo=True,
        )
        made += 1
    out.write(f"  grants demo: {made} grants\n")
