"""Demo ledgers for two hospitals — West China first, the demo hospital user's own — and
for the owner of a demo technology contract, whose income comes through it: an
upfront payment and a royalty received, a milestone payment expected and overdue, patent
fees and an evaluation paid, and an equity contribution with its valuation, over this year
and the last, so the summary, the overdue list and the export have content on a fresh
`make run`. Dates are set from today, so the demo never goes stale.

Every entry goes through the domain and carries the demo flag; a hospital that already has
demo entries is left as it is, so a second run adds nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Protocol

from django.utils import timezone

from luodi.accounts.models import Role, User
from luodi.catalog.choices import OrganizationKind
from luodi.catalog.models import Achievement, Organization
from luodi.ledger import domain, rules
from luodi.ledger.choices import LedgerDirection, LedgerKind, LedgerStatus
from luodi.ledger.models import LedgerEntry
from luodi.pipeline.choices import REGISTRABLE_KINDS
from luodi.pipeline.models import Agreement

OWN_HOSPITAL = "四川大学华西医院"
WAN = domain.FEN_PER_WAN  # amounts below are in 万元, as a transfer office states them


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


def _hospitals() -> list[Organization]:
    own = Organization.objects.filter(name_zh=OWN_HOSPITAL).first()
    other = (
        Organization.objects.filter(
            kind=OrganizationKind.HOSPITAL, is_demo=True, achievements__isnull=False
        )
        .exclude(name_zh=OWN_HOSPITAL)
        .order_by("pk")
        .first()
    )
    return [o for o in (own, other) if o is not None]


def _plan(today: date, scale: int) -> list[dict[str, Any]]:
    """The entries of one hospital; `scale` varies the amounts between the two."""
    last_year = date(today.year - 1, 6, 18)
    this_year = max(today - timedelta(days=20), date(today.year, 1, 1))
    return [
        {
            "direction": LedgerDirection.INCOME,
            "kind": LedgerKind.UPFRONT,
            "amount_fen": 80 * scale * WAN,
            "status": LedgerStatus.RECEIVED,
            "expected_on": last_year,
            "received_on": last_year,
            "note": "独占许可合同首付款",
        },
        {
            "direction": LedgerDirection.INCOME,
            "kind": LedgerKind.ROYALTY,
            "amount_fen": 12 * scale * WAN + 345_600,
            "status": LedgerStatus.RECEIVED,
            "expected_on": this_year,
            "received_on": this_year,
            "note": "上年度销售额提成（3%）",
        },
        {
            "direction": LedgerDirection.INCOME,
            "kind": LedgerKind.MILESTONE,
            "amount_fen": 150 * scale * WAN,
            "status": LedgerStatus.EXPECTED,
            "expected_on": today - timedelta(days=45),
            "note": "临床试验批件获批后支付的里程碑款",
        },
        {
            "direction": LedgerDirection.INCOME,
            "kind": LedgerKind.EQUITY,
            "amount_fen": 400 * scale * WAN,
            "valuation_fen": 500 * scale * WAN,
            "shares_note": "占注册资本 8%",
            "status": LedgerStatus.RECEIVED,
            "expected_on": this_year,
            "received_on": this_year,
            "note": "以专利作价入股成果转化公司",
        },
        {
            "direction": LedgerDirection.EXPENSE,
            "kind": LedgerKind.PATENT_FEES,
            "amount_fen": 1_350_00 * scale,
            "status": LedgerStatus.RECEIVED,
            "expected_on": last_year,
            "received_on": last_year,
            "note": "专利申请代理费（年费见专利记录）",
        },
        {
            "direction": LedgerDirection.EXPENSE,
            "kind": LedgerKind.EVALUATION,
            "amount_fen": 3 * WAN,
            "status": LedgerStatus.RECEIVED,
            "expected_on": this_year,
            "received_on": this_year,
            "note": "作价入股前的资产评估费",
        },
    ]


def _books(actor: User) -> list[tuple[Organization, Achievement | None, Agreement | None]]:
    """Whose ledgers the demo fills, with the achievement and agreement its income comes
    through: the two hospitals (their achievements have no demo contract yet, so no
    agreement), and the owner of the first technology contract's achievement, whose income
    then comes through that contract."""
    books: list[tuple[Organization, Achievement | None, Agreement | None]] = [
        (h, Achievement.objects.filter(owner=h).order_by("pk").first(), None) for h in _hospitals()
    ]
    contract = (
        Agreement.objects.filter(
            kind__in=REGISTRABLE_KINDS, project__achievement__isnull=False, is_demo=True
        )
        .select_related("project__achievement__owner")
        .order_by("pk")
        .first()
    )
    if contract is not None and contract.project is not None:
        achievement = contract.project.achievement
        if (
            achievement is not None
            and rules.agreements_of(actor, achievement.owner).filter(pk=contract.pk).exists()
        ):
            books.append((achievement.owner, achievement, contract))
    return books


def load(out: Writer) -> None:
    actor = User.objects.filter(role=Role.STAFF, is_active=True).order_by("pk").first()
    if actor is None:
        out.write("  ledger demo skipped: no staff user\n")
        return
    today = timezone.localdate()
    made = 0
    for scale, (institution, achievement, agreement) in enumerate(_books(actor), start=1):
        # Fee payments of the demo patents are mirrored here already; they do not count.
        written = LedgerEntry.objects.filter(institution=institution, is_demo=True)
        if written.filter(fee_payment__isnull=True).exists():
            continue
        for values in _plan(today, scale):
            links: dict[str, Any] = {"institution": institution, "achievement": achievement}
            if values["direction"] == LedgerDirection.INCOME and agreement is not None:
                links["agreement"] = agreement
            domain.save_entry(actor=actor, entry=None, values={**values, **links}, is_demo=True)
            made += 1
    out.write(f"  ledger demo: {made} entries\n")
