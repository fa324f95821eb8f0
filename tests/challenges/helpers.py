"""Builders shared by the challenge tests: a challenge posted by org A (a company; partner_a
manages it), opened, and proposals through the domain."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from luodi.accounts.models import User
from luodi.catalog.models import Organization
from luodi.challenges import domain, proposals
from luodi.challenges.choices import ChallengeStatus, Visibility
from luodi.challenges.models import Challenge, Proposal

BUDGET_MARK = 123_456_700  # ¥1,234,567.00
IP_MARK = "MKCHIPTERMSQ7Z"


def challenge_values(poster: Organization | None, **extra: Any) -> dict[str, Any]:
    return {
        "poster": poster,
        "title_zh": "测试挑战",
        "title_en": "Test challenge",
        "problem_zh": "需要一种术中实时监测出血的方法。",
        "budget_min_fen": BUDGET_MARK,
        "budget_max_fen": BUDGET_MARK,
        "ip_terms": IP_MARK,
        "deadline": timezone.localdate() + timedelta(days=10),
        "visibility": Visibility.PUBLIC,
        **extra,
    }


def make_challenge(
    actor: User, poster: Organization | None, *, open_it: bool = True, **extra: Any
) -> Challenge:
    challenge = domain.save_challenge(
        actor=actor, challenge=None, values=challenge_values(poster, **extra)
    )
    if open_it:
        domain.set_status(actor=actor, challenge=challenge, status=ChallengeStatus.OPEN)
    return challenge


def proposal_values(**extra: Any) -> dict[str, Any]:
    return {
        "applicant_name": "王测试",
        "applicant_email": "wang@example.org",
        "applicant_organization": "测试大学",
        "title": "MKPROPOSALTITLEQ7Z",
        "summary": "MKPROPOSALSUMMARYQ7Z",
        "approach": "假设与方法",
        "readiness": 4,
        "plan": "里程碑",
        **extra,
    }


def anonymous_proposal(challenge: Challenge, today: date | None = None, **extra: Any) -> Proposal:
    return proposals.submit(
        challenge=challenge, values=proposal_values(**extra), actor=None, today=today
    )


def org_proposal(challenge: Challenge, user: User, org: Organization, **extra: Any) -> Proposal:
    return proposals.submit(
        challenge=challenge, values=proposal_values(**extra), actor=user, organization=org
    )
