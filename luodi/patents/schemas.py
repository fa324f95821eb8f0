"""API schemas of patents (input bounded at the edge, output as plain records).

Money is in fen (分, 1/100 yuan) as integers, with `currency` stated on every amount's
record, so no client has to guess the unit or round a float. What a patent links to
(achievements, inventors, agreements) is filled from `rules.visible_links`, never from the
patent's own relations, so a record the caller may not see is not even named.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from luodi.control_chars import InputSchema
from luodi.errors import MAX_ID
from luodi.patents.choices import LegalStatus, Office, PatentType, Reduction
from luodi.patents.domain import MAX_FEE_FEN

Currency = Literal["CNY"]
CURRENCY: Currency = "CNY"
VERSION_HELP = "The version you loaded (or send If-Match); a change saved meanwhile is a 409."
# An id a client sends: beyond MAX_ID no record can have it (refused at the edge rather
# than reaching the database as a number it cannot store).
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# A patent names a handful of each; the bound keeps one request's cost bounded.
MAX_LINKS = 200
# The longest term is 20 patent years; a year beyond it is refused by the schedule anyway.
MAX_YEAR = 30
Fen = Annotated[int, Field(ge=0, le=MAX_FEE_FEN)]


class Ref(Schema):
    id: int
    name: str


class TitledRef(Schema):
    id: int
    title: str


class FeeOut(Schema):
    """One patent year's annual fee, where it stands today."""

    year: int = Field(description="Patent year, 1 = the first year from the filing date.")
    starts_on: date
    due_on: date = Field(description="Pay by this day without a late fee.")
    grace_until: date = Field(description="The last day it may be paid, with the late fee.")
    full_fen: int = Field(description="The standard fee, in fen.")
    fee_fen: int = Field(description="The fee after the reduction, in fen.")
    late_fee_fen: int = Field(description="What paying today adds, in fen.")
    state: str = Field(description="paid, upcoming, due, grace or missed.")
    paid_on: date | None
    currency: Currency = CURRENCY


class PaymentOut(Schema):
    id: int
    year: int
    paid_on: date
    amount_fen: int
    late_fee_fen: int
    note: str
    currency: Currency = CURRENCY
    created_at: datetime


class PatentOut(Schema):
    id: int
    office: str
    kind: str
    application_number: str
    grant_number: str
    title_zh: str
    title_en: str
    title: str = Field(description="In the active language, falling back to the other.")
    filing_date: date
    priority_date: date | None
    grant_date: date | None
    status: str
    owners: list[Ref]
    fee_payer: Ref | None
    reduction: int = Field(description="Fee reduction in percent: 0, 70 or 85.")
    next_fee: FeeOut | None = Field(
        description="The first annual fee still to pay (null: none owed, or one was missed)."
    )
    updated_at: datetime
    version: int


class PatentDetailOut(PatentOut):
    note: str
    schedule: list[FeeOut] = Field(
        description="Every annual fee from the year of grant (CNIPA patents; empty elsewhere)."
    )
    payments: list[PaymentOut]
    achievements: list[TitledRef] = Field(description="Only those you may see.")
    inventors: list[Ref] = Field(description="Only those you may see.")
    agreements: list[TitledRef] = Field(description="Only those you may see.")


class PatentIn(InputSchema):
    office: Office = Office.CNIPA
    kind: PatentType
    application_number: str = Field(
        min_length=1,
        max_length=40,
        description="CNIPA: 202310123456.7 (a CN/ZL prefix and spaces are dropped); the "
        "check character is verified.",
    )
    grant_number: str = Field("", max_length=40)
    title_zh: str = Field("", max_length=255)
    title_en: str = Field("", max_length=255)
    filing_date: date
    priority_date: date | None = None
    grant_date: date | None = None
    status: LegalStatus = LegalStatus.PENDING
    owner_ids: list[Id] = Field(
        min_length=1, max_length=MAX_LINKS, description="Organizations you may name: yours."
    )
    fee_payer_id: Id | None = None
    reduction: Reduction = Reduction.NONE
    note: str = Field("", max_length=5000)
    inventor_ids: list[Id] = Field(default=[], max_length=MAX_LINKS)
    achievement_ids: list[Id] = Field(default=[], max_length=MAX_LINKS)
    agreement_ids: list[Id] = Field(default=[], max_length=MAX_LINKS)


class PatentPatch(InputSchema):
    """Only the fields sent change. Links sent replace those you can see; links to records
    you cannot see stay as they are."""

    office: Office | None = None
    kind: PatentType | None = None
    application_number: str | None = Field(None, min_length=1, max_length=40)
    grant_number: str | None = Field(None, max_length=40)
    title_zh: str | None = Field(None, max_length=255)
    title_en: str | None = Field(None, max_length=255)
    filing_date: date | None = None
    priority_date: date | None = None
    grant_date: date | None = None
    status: LegalStatus | None = None
    owner_ids: list[Id] | None = Field(None, min_length=1, max_length=MAX_LINKS)
    fee_payer_id: Id | None = None
    reduction: Reduction | None = None
    note: str | None = Field(None, max_length=5000)
    inventor_ids: list[Id] | None = Field(None, max_length=MAX_LINKS)
    achievement_ids: list[Id] | None = Field(None, max_length=MAX_LINKS)
    agreement_ids: list[Id] | None = Field(None, max_length=MAX_LINKS)
    version: int | None = Field(None, description=VERSION_HELP)


class PaymentIn(InputSchema):
    year: int = Field(ge=1, le=MAX_YEAR, description="The patent year whose fee was paid.")
    paid_on: date = Field(description="Not in the future.")
    amount_fen: int = Field(gt=0, le=MAX_FEE_FEN, description="In fen (CNY).")
    late_fee_fen: Fen = Field(0, description="In fen (CNY).")
    note: str = Field("", max_length=255)
