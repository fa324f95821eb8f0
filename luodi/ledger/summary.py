"""An institution's ledger over a period (a year, or one quarter of it), in fen.

- income received, by kind: received income entries whose received day is in the period;
- expenses paid, by kind: received (paid) expense entries whose paid day is in the period;
- net = income received − expenses paid (equity counts at the amount recorded for it);
- expected, not received: expected entries whose expected day is in the period, income and
  expenses apart.
Cancelled entries count nowhere. Sums are the database's over integers, so the totals
reconcile with the entries to the fen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet, Sum

from luodi.ledger.choices import (
    EXPENSE_KINDS,
    INCOME_KINDS,
    LedgerDirection,
    LedgerKind,
    LedgerStatus,
)
from luodi.ledger.models import LedgerEntry


@dataclass(frozen=True)
class Period:
    year: int
    quarter: int | None = None

    @property
    def start(self) -> date:
        month = 1 if self.quarter is None else 3 * (self.quarter - 1) + 1
        return date(self.year, month, 1)

    @property
    def end(self) -> date:
        """The first day after the period."""
        if self.quarter is None or self.quarter == 4:
            return date(self.year + 1, 1, 1)
        return date(self.year, 3 * self.quarter + 1, 1)

    @property
    def label(self) -> str:
        return str(self.year) if self.quarter is None else f"{self.year} Q{self.quarter}"


@dataclass
class Summary:
    period: Period
    income: dict[str, int] = field(default_factory=dict)  # kind → fen received
    expenses: dict[str, int] = field(default_factory=dict)  # kind → fen paid
    expected_income_fen: int = 0
    expected_expense_fen: int = 0

    @property
    def income_fen(self) -> int:
        return sum(self.income.values())

    @property
    def expense_fen(self) -> int:
        return sum(self.expenses.values())

    @property
    def net_fen(self) -> int:
        return self.income_fen - self.expense_fen


def in_period(entries: QuerySet[LedgerEntry], period: Period) -> QuerySet[LedgerEntry]:
    """The entries that fall in `period`: by the day received (or paid), else by the day
    expected (as the list and the export read a period)."""
    received = Q(received_on__gte=period.start, received_on__lt=period.end)
    expected = Q(
        received_on__isnull=True, expected_on__gte=period.start, expected_on__lt=period.end
    )
    return entries.filter(received | expected)


def _by_kind(qs: QuerySet[LedgerEntry], kinds: tuple[LedgerKind, ...]) -> dict[str, int]:
    sums = dict(qs.values("kind").annotate(total=Sum("amount_fen")).values_list("kind", "total"))
    return {str(kind): int(sums.get(kind) or 0) for kind in kinds}


def summarize(entries: QuerySet[LedgerEntry], period: Period) -> Summary:
    """The summary of `entries` (one institution's, already restricted to what the user may
    see) over `period`."""
    received = entries.filter(
        status=LedgerStatus.RECEIVED, received_on__gte=period.start, received_on__lt=period.end
    ).order_by()
    expected = entries.filter(
        status=LedgerStatus.EXPECTED, expected_on__gte=period.start, expected_on__lt=period.end
    ).order_by()

    def total(qs: QuerySet[LedgerEntry]) -> int:
        return int(qs.aggregate(total=Sum("amount_fen"))["total"] or 0)

    return Summary(
        period=period,
        income=_by_kind(received.filter(direction=LedgerDirection.INCOME), INCOME_KINDS),
        expenses=_by_kind(received.filter(direction=LedgerDirection.EXPENSE), EXPENSE_KINDS),
        expected_income_fen=total(expected.filter(direction=LedgerDirection.INCOME)),
        expected_expense_fen=total(expected.filter(direction=LedgerDirection.EXPENSE)),
    )
