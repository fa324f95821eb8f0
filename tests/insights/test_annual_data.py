"""Records of one hospital's year of transfer for the annual report's tests, written through
the domain functions (agreements, registrations, ledger entries). No tests here.

The year is last year (registrations may not be dated in the future). Org A is the hospital
(partner_a is a member); org B owns a confidential achievement licensed to org A, whose title
org A's members may not read; a company is the licensee of org A's own achievement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone

from luodi.accounts.models import User
from luodi.catalog.models import Organization
from luodi.grants.domain import save_grant
from luodi.ledger import domain as ledger
from luodi.ledger.models import LedgerEntry
from luodi.pipeline.choices import RegistrationCheck
from luodi.pipeline.domain import registration as registrations
from luodi.pipeline.domain.agreements import create_agreement
from luodi.pipeline.domain.projects import create_project
from luodi.pipeline.models import Agreement
from luodi.rewards import domain as rewards
from luodi.rewards.policies import ShareRow, add_policy, save_shares
from tests.conftest import Personas
from tests.factories import AchievementFactory, OrganizationFactory, PersonFactory

YEAR = timezone.localdate().year - 1
SECRET = "机密LEAKA9：骨修复支架"  # org B's confidential achievement


@dataclass
class AnnualRecords:
    year: int
    hospital: Organization
    company: Organization
    licence: Agreement  # org A's achievement licensed to the company, registered
    secret_transfer: Agreement  # org B's confidential achievement, org A the company
    ledger: list[LedgerEntry]
    people: tuple[str, str]


def day(month: int, dd: int, year: int = YEAR) -> date:
    return date(year, month, dd)


def _entry(actor: User, institution: Organization, **values: Any) -> LedgerEntry:
    base: dict[str, Any] = {
        "institution": institution,
        "direction": "income",
        "kind": "royalty",
        "status": "received",
    }
    return ledger.save_entry(actor=actor, entry=None, values={**base, **values})


def _agreement(
    actor: User, project: Any, parties: list[Organization], kind: str, title: str, on: date
) -> Agreement:
    return create_agreement(
        actor=actor,
        project=project,
        parties=parties,
        values={"kind": kind, "title": title, "status": "signed", "signed_on": on},
    )


def register(actor: User, agreement: Agreement, number: str, value: int, income: int) -> None:
    reg = registrations.save_registration(
        actor=actor,
        agreement=agreement,
        values={
            "registration_number": number,
            "registered_on": day(5, 20),
            "office": "成都市技术合同登记处",
            "transaction_value_fen": value,
            "technical_income_fen": income,
            "checklist": list(RegistrationCheck.values),
        },
    )
    registrations.move_registration(actor=actor, registration=reg, to="registered")


def build(personas: Personas) -> AnnualRecords:
    staff, hospital = personas.staff, personas.org_a
    hospital.kind = "hospital"
    hospital.save(update_fields=["kind"])
    company = OrganizationFactory(name_zh="示例生物科技公司", name_en="Example Bio Ltd")
    own = AchievementFactory(owner=hospital, title_zh="可降解止血材料", title_en="Hemostat")
    project = create_project(actor=staff, achievement=own, fields={"company": company})
    licence = _agreement(
        staff, project, [hospital, company], "license", "止血材料独占许可合同", day(3, 10)
    )
    register(staff, licence, "2025510107000123", 80_000_000_00, 60_000_000_50)
    secret = AchievementFactory(
        owner=personas.org_b, title_zh=SECRET, title_en=SECRET, disclosure="confidential"
    )
    secret_project = create_project(
        actor=staff, achievement=secret, title="乙方项目", fields={"company": hospital}
    )
    secret_transfer = _agreement(
        staff, secret_project, [], "tech_transfer", "支架技术转让合同", day(6, 1)
    )
    # Not in the report: not a technology contract; signed the year before.
    _agreement(staff, project, [], "investment", "投资协议", day(4, 1))
    _agreement(staff, project, [], "tech_service", "上年技术服务合同", day(12, 1, YEAR - 1))
    entries = [
        _entry(staff, hospital, kind="upfront", amount_fen=12_000_010, received_on=day(3, 15),
               agreement=licence, achievement=own),
        _entry(staff, hospital, amount_fen=345_678, received_on=day(9, 30)),
        _entry(staff, hospital, kind="equity", amount_fen=500_000_000, received_on=day(7, 1),
               valuation_fen=2_000_000_000, shares_note="5%", achievement=own),
        _entry(staff, hospital, direction="expense", kind="patent_fees", amount_fen=123_456,
               received_on=day(2, 2)),
        _entry(staff, hospital, kind="milestone", amount_fen=7_777_700, status="expected",
               received_on=None, expected_on=day(11, 30)),
        # Counted nowhere: cancelled; another year; another institution.
        _entry(staff, hospital, kind="milestone", amount_fen=999_999, status="cancelled",
               received_on=None, expected_on=day(8, 8)),
        _entry(staff, hospital, amount_fen=111_111, received_on=day(12, 31, YEAR - 1)),
        _entry(staff, personas.org_b, amount_fen=222_222, received_on=day(5, 5)),
    ]  # fmt: skip
    people = _rewards(staff, hospital, own, entries[0])
    save_grant(
        actor=staff,
        grant=None,
        values={
            "institution": hospital,
            "achievement": own,
            "kind": "ownership",
            "team_share_bp": 7000,
            "valuation_fen": 300_000_000,
            "decision_body": "院长办公会",
            "decided_on": day(4, 1),
        },
    )
    return AnnualRecords(YEAR, hospital, company, licence, secret_transfer, entries, people)


def _rewards(
    staff: User, hospital: Organization, achievement: Any, income: LedgerEntry
) -> tuple[str, str]:
    """The hospital's policy (team 70 %, of it main contributors 60 %; institution 20 %,
    department 10 %), a team of two, and the upfront payment shared out and approved."""
    add_policy(
        actor=staff,
        institution=hospital,
        values={
            "effective_from": day(1, 1),
            "team_bp": 7000,
            "main_bp": 6000,
            "institution_bp": 2000,
            "department_bp": 1000,
            "department_name": "骨科",
        },
    )
    lead = PersonFactory(organization=hospital, name_zh="王测试", name_en="")
    other = PersonFactory(organization=hospital, name_zh="李测试", name_en="")
    save_shares(
        actor=staff,
        achievement=achievement,
        rows=[ShareRow(lead, 6000, True), ShareRow(other, 4000, False)],
    )
    distribution = rewards.create_distribution(actor=staff, entry=income)
    rewards.approve(actor=staff, distribution=distribution, body="院长办公会", reference="2025-07")
    return str(lead), str(other)
