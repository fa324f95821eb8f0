"""Ledger test data, built through the domain so rows look like real ones."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from luodi.accounts.models import User
from luodi.catalog.models import Organization
from luodi.ledger import domain
from luodi.ledger.models import LedgerEntry
from luodi.pipeline.domain.agreements import create_agreement
from luodi.pipeline.models import Agreement, Project
from tests.pipeline.factories import make_project

TODAY = timezone.localdate()
# A title that must not reach a member of the institution who may not see the project.
SECRET = "机密LEAKL7协议：骨修复支架独占许可"


def entry(actor: User, institution: Organization, **values: Any) -> LedgerEntry:
    base: dict[str, Any] = {
        "institution": institution,
        "direction": "income",
        "kind": "royalty",
        "amount_fen": 100_00,
        "status": "received",
        "expected_on": TODAY - timedelta(days=3),
        "received_on": TODAY - timedelta(days=3),
    }
    return domain.save_entry(actor=actor, entry=None, values={**base, **values})


def agreement(
    actor: User, project: Project | None, parties: list[Organization], title: str = "许可合同"
) -> Agreement:
    return create_agreement(
        actor=actor,
        project=project,
        parties=parties,
        values={"kind": "license", "title": title, "status": "signed", "signed_on": TODAY},
    )


def project_agreement(actor: User, owner: Organization) -> tuple[Project, Agreement]:
    """A project of `owner`'s achievement, with staff following it, and its licence."""
    project = make_project(actor, owner, staff=actor)
    return project, agreement(actor, project, [owner])


def day(year: int, month: int, dd: int) -> date:
    return date(year, month, dd)
