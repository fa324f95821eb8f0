"""API schemas of the ledger (input bounded at the edge, output as plain records).

Money is in fen (分, 1/100 yuan) as integers, with `currency` stated on every entry, so no
client has to guess the unit or round a float. What an entry links to (achievement,
agreement) is filled from `rules.visible_links`: a record the caller may not see is null,
never named.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from luodi.control_chars import InputSchema
from luodi.errors import MAX_ID
from luodi.ledger.choices import LedgerDirection, LedgerKind, LedgerStatus
from luodi.ledger.domain import MAX_FEN

Currency = Literal["CNY"]
CURRENCY: Currency = "CNY"
VERSION_HELP = "The version you loaded (or send If-Match); a change saved meanwhile is a 409."
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Fen = Annotated[int, Field(gt=0, le=MAX_FEN, description="In fen (CNY).")]
# Dates a ledger can hold: refused at the edge beyond them (no year 9999 reaches a sum).
Day = Annotated[date, Field(ge=date(1990, 1, 1), le=date(2100, 12, 31))]


class LedgerLink(Schema):
    id: int
    title: str


class LedgerRef(Schema):
    id: int
    name: str


class LedgerPatentFee(Schema):
    patent_id: int
    application_number: str
    year: int = Field(description="The patent year whose annual fee this is.")


class LedgerEntryOut(Schema):
    id: int
    institution: LedgerRef
    achievement: LedgerLink | None = Field(description="Null when none, or not yours to see.")
    agreement: LedgerLink | None = Field(description="Null when none, or not yours to see.")
    obligation_id: int | None = Field(description="The obligation that created it, if any.")
    patent_fee: LedgerPatentFee | None = Field(
        description="The patent annual fee payment it mirrors (read-only here), if yours to see."
    )
    direction: str
    kind: str
    amount_fen: int
    currency: Currency = CURRENCY
    valuation_fen: int | None = Field(description="Equity: the achievement's valuation, fen.")
    shares_note: str
    status: str
    expected_on: date | None
    received_on: date | None
    overdue: bool = Field(description="Expected income past its day.")
    note: str
    is_demo: bool
    created_at: datetime
    updated_at: datetime
    version: int


class LedgerEntryIn(InputSchema):
    institution_id: Id = Field(description="Whose ledger: an organization you belong to.")
    achievement_id: Id | None = Field(None, description="Owned by the institution.")
    agreement_id: Id | None = Field(None, description="The institution is one of its parties.")
    direction: LedgerDirection
    kind: LedgerKind
    amount_fen: Fen
    valuation_fen: Fen | None = Field(None, description="Required for equity.")
    shares_note: str = Field("", max_length=255)
    status: LedgerStatus = LedgerStatus.EXPECTED
    expected_on: Day | None = Field(None, description="Required while expected.")
    received_on: Day | None = Field(None, description="Required when received; not future.")
    note: str = Field("", max_length=5000)


class LedgerEntryPatch(InputSchema):
    """Only the fields sent change (the institution never does)."""

    achievement_id: Id | None = None
    agreement_id: Id | None = None
    direction: LedgerDirection | None = None
    kind: LedgerKind | None = None
    amount_fen: Fen | None = None
    valuation_fen: Fen | None = None
    shares_note: str | None = Field(None, max_length=255)
    status: LedgerStatus | None = None
    expected_on: Day | None = None
    received_on: Day | None = None
    note: str | None = Field(None, max_length=5000)
    version: int | None = Field(None, description=VERSION_HELP)


class LedgerReceivedIn(InputSchema):
    received_on: Day = Field(description="Not in the future.")
    amount_fen: Fen | None = Field(None, description="When it differs from the one expected.")


class LedgerKindTotal(Schema):
    kind: str
    amount_fen: int


class LedgerSummaryOut(Schema):
    institution: LedgerRef
    year: int
    quarter: int | None
    income: list[LedgerKindTotal] = Field(description="Income received in the period, by kind.")
    expenses: list[LedgerKindTotal] = Field(description="Expenses paid in the period, by kind.")
    income_fen: int
    expense_fen: int
    net_fen: int = Field(description="Income received − expenses paid.")
    expected_income_fen: int = Field(description="Income expected in the period, not received.")
    expected_expense_fen: int = Field(description="Expenses expected in the period, not paid.")
    currency: Currency = CURRENCY
