"""Choices of ledger entries: which way the money goes, what it is for, where it stands."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LedgerDirection(models.TextChoices):
    INCOME = "income", _("Income")
    EXPENSE = "expense", _("Expense")


class LedgerKind(models.TextChoices):
    # Income
    UPFRONT = "upfront", _("Upfront payment")
    MILESTONE = "milestone", _("Milestone payment")
    ROYALTY = "royalty", _("Royalty or licence fee")
    EQUITY = "equity", _("Equity in exchange for the achievement")
    OTHER_INCOME = "other_income", _("Other income")
    # Expense
    PATENT_FEES = "patent_fees", _("Patent fees")
    EVALUATION = "evaluation", _("Evaluation")
    LEGAL = "legal", _("Legal fees")
    OTHER_COST = "other_cost", _("Other cost")


INCOME_KINDS = (
    LedgerKind.UPFRONT,
    LedgerKind.MILESTONE,
    LedgerKind.ROYALTY,
    LedgerKind.EQUITY,
    LedgerKind.OTHER_INCOME,
)
EXPENSE_KINDS = (
    LedgerKind.PATENT_FEES,
    LedgerKind.EVALUATION,
    LedgerKind.LEGAL,
    LedgerKind.OTHER_COST,
)
KINDS_OF = {LedgerDirection.INCOME: INCOME_KINDS, LedgerDirection.EXPENSE: EXPENSE_KINDS}


class LedgerStatus(models.TextChoices):
    EXPECTED = "expected", _("Expected")
    RECEIVED = "received", _("Received or paid")
    CANCELLED = "cancelled", _("Cancelled")
