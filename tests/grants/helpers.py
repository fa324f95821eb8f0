"""Grant test data, built through the domain so rows look like real ones."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from luodi.accounts.models import User
from luodi.catalog.models import Achievement, Organization, Person
from luodi.grants import domain
from luodi.grants.models import Grant, GrantDocument
from tests.factories import AchievementFactory, PersonFactory

TODAY = timezone.localdate()
PDF = b"%PDF-1.4\n% a tiny test document\n%%EOF\n"


def ready_values(institution: Organization, achievement: Achievement) -> dict[str, Any]:
    """Everything the notice needs: the valuation, the decision, the notice."""
    return {
        "institution": institution,
        "achievement": achievement,
        "kind": "ownership",
        "team_share_bp": 7000,
        "valuer": "测试评估公司",
        "valuation_report_on": TODAY - timedelta(days=40),
        "valuation_fen": 3_200_000_00,
        "decision_body": "院长办公会",
        "decided_on": TODAY - timedelta(days=30),
        "minutes_ref": "纪要12号",
        "notice_starts_on": TODAY - timedelta(days=20),
        "notice_ends_on": TODAY - timedelta(days=6),
        "notice_place": "医院官网",
    }


def team(institution: Organization, *shares: int) -> list[tuple[Person, int]]:
    return [(PersonFactory(organization=institution), s) for s in shares]


def make_grant(
    actor: User,
    institution: Organization,
    achievement: Achievement | None = None,
    members: list[tuple[Person, int]] | None = None,
    **values: Any,
) -> Grant:
    achievement = achievement or AchievementFactory(owner=institution)
    base = ready_values(institution, achievement)
    if members is None:
        members = team(institution, 4000, 3000)
    return domain.save_grant(actor=actor, grant=None, values={**base, **values}, members=members)


def pdf_upload(name: str = "评估报告.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def attach(actor: User, grant: Grant, doc_type: str, name: str = "doc.pdf") -> GrantDocument:
    return domain.upload_document(
        actor=actor, grant=grant, upload=pdf_upload(name), doc_type=doc_type
    )
