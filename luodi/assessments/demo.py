"""Demo assessments: one summarised (three reviewers — an internal expert and two external
ones, one of whom declared a conflict), and one open (one reviewer has scored, one has not
declared yet), so the pages, the achievement's result and matchmaking's signal have content.

The achievements are the demo's fictional ones (published, public, `is_demo`); the external
reviewers are fictional people at example.org addresses; dates are set from today. Every
write goes through the domain, with no mail sent. Idempotent: a demo assessment present
means nothing is added.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Protocol

from django.utils import timezone

from luodi.accounts.models import Role, User
from luodi.assessments import domain
from luodi.assessments.models import Assessment, Template
from luodi.catalog.choices import Disclosure, OrganizationKind, ReviewStatus
from luodi.catalog.models import Achievement


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


def _internal_reviewer(staff: User, owner_ids: set[int]) -> User | None:
    """An active account, not a member of the owners, to act as the internal expert."""
    candidates = User.objects.filter(is_active=True).exclude(pk=staff.pk).order_by("pk")
    for user in candidates.exclude(memberships__organization_id__in=owner_ids)[:1]:
        return user
    return None


def load(out: Writer) -> None:
    if Assessment.objects.filter(is_demo=True).exists():
        return
    staff = User.objects.filter(role=Role.STAFF, is_active=True).order_by("pk").first()
    template = Template.objects.filter(is_default=True).first()
    found = list(
        Achievement.objects.filter(
            is_demo=True,
            status=ReviewStatus.PUBLISHED,
            disclosure=Disclosure.PUBLIC,
            archived_at__isnull=True,
        ).order_by("pk")[:2]
    )
    if staff is None or template is None or len(found) < 2:
        out.write("  assessments demo skipped: no staff user, template or demo achievements\n")
        return
    today = timezone.localdate()
    done, running = found
    internal = _internal_reviewer(staff, {done.owner_id, running.owner_id})
    codes = [c["code"] for c in (c.snapshot() for c in template.criteria.all())]

    first = domain.open_assessment(
        actor=staff,
        achievement=done,
        template=template,
        mode="blind",
        deadline=today,
        is_demo=True,
    )
    reviewers = []
    if internal is not None:
        reviewers.append(domain.invite(actor=staff, assessment=first, user=internal, send=False))
    for name, email in (("周明远", "zhou.mingyuan.demo@example.org"),):
        reviewers.append(
            domain.invite(actor=staff, assessment=first, name=name, email=email, send=False)
        )
    conflicted = domain.invite(
        actor=staff,
        assessment=first,
        name="黎雅宁",
        email="li.yaning.demo@example.org",
        send=False,
    )
    if internal is None:  # a third scorer all the same
        reviewers.append(
            domain.invite(
                actor=staff,
                assessment=first,
                name="Dr. Alan Hart",
                email="alan.hart.demo@example.org",
                language="en",
                send=False,
            )
        )
    domain.declare(
        actor=None, invitation=conflicted, conflict=True, note="曾与成果完成团队共同承担课题。"
    )
    plans = [
        {"trl": 6, "novelty": 4, "advancement": 4, "market": 4, "ip": 3, "team": 4},
        {"trl": 5, "novelty": 3, "advancement": 4, "market": 2, "ip": 3, "team": 4},
    ]
    for invitation, values in zip(reviewers, plans, strict=True):
        domain.declare(
            actor=invitation.user, invitation=invitation, conflict=False, accept_nda=True
        )
        domain.submit_scores(
            actor=invitation.user,
            invitation=invitation,
            values={code: values.get(code, 3) for code in codes},
            comment="临床前数据完整，需补充注册路径规划。",
        )
    domain.close(actor=staff, assessment=first)
    domain.summarise(
        actor=staff,
        assessment=first,
        readiness=6,
        strengths="原型已完成动物实验验证；团队有器械注册经验。",
        risks="市场规模判断分歧较大；核心专利尚在审查。",
        summary="技术成熟度约 TRL 6，创新度与先进度较高；建议对接有注册能力的企业与 CRO。",
        suggested_kinds=[OrganizationKind.COMPANY, OrganizationKind.CRO],
    )

    second = domain.open_assessment(
        actor=staff,
        achievement=running,
        template=template,
        mode="open",
        deadline=today + timedelta(days=14),
        is_demo=True,
    )
    scored = domain.invite(
        actor=staff,
        assessment=second,
        name="Dr. Alan Hart",
        email="alan.hart.demo@example.org",
        language="en",
        send=False,
    )
    domain.invite(
        actor=staff,
        assessment=second,
        name="周明远",
        email="zhou.mingyuan.demo@example.org",
        send=False,
    )
    domain.declare(actor=None, invitation=scored, conflict=False, accept_nda=True)
    domain.submit_scores(
        actor=None,
        invitation=scored,
        values={code: 3 if code != "trl" else 4 for code in codes},
        comment="Promising; the evidence is still preclinical.",
    )
    out.write("  assessments demo: 2 assessments (one summarised, one open)\n")
