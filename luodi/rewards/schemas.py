"""API schemas of rewards (input bounded at the edge, output as plain records).

Shares are integer basis points (10,000 = 100 %), money integer fen with `currency` stated.
What a distribution's income links to (achievement, agreement) is filled from
`rules.visible_links`: a record the caller may not see is null, never named.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from luodi.control_chars import InputSchema
from luodi.errors import MAX_ID
from luodi.rewards.choices import WHOLE_BP, DistributionState, LineRole

Currency = Literal["CNY"]
VERSION_HELP = "The version you loaded (or send If-Match); a change saved meanwhile is a 409."
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Bp = Annotated[int, Field(ge=0, le=WHOLE_BP, description="Basis points: 10000 is 100 %.")]
Fen = Annotated[int, Field(ge=0, le=10**14, description="In fen (CNY).")]
Day = Annotated[date, Field(ge=date(1990, 1, 1), le=date(2100, 12, 31))]
Version = Annotated[int, Field(ge=0, le=2**31 - 1)]


class RewardLink(Schema):
    id: int
    title: str


class RewardRef(Schema):
    id: int
    name: str


class RewardLineOut(Schema):
    role: LineRole
    person_id: int | None
    recipient: str
    agreed_bp: int | None = Field(description="The person's agreed share of the team, bp.")
    share_ppm: int = Field(description="Share of the base, millionths.")
    amount_fen: int


class RewardEventOut(Schema):
    from_state: str
    to_state: str
    note: str
    at: datetime


class DistributionOut(Schema):
    id: int
    entry_id: int
    institution: RewardRef
    achievement: RewardLink | None = Field(description="Null when none, or not yours to see.")
    agreement: RewardLink | None = Field(description="Null when none, or not yours to see.")
    income_kind: str
    received_on: date | None
    equity: bool = Field(description="Equity: amounts are the value of shares, not cash.")
    gross_fen: int
    deducted_fen: int
    deduction_note: str
    deducted_entry_ids: list[int]
    base_fen: int
    currency: Currency = "CNY"
    policy_id: int
    team_bp: int
    main_bp: int
    institution_bp: int
    department_bp: int
    department_name: str
    state: DistributionState
    approval_body: str
    approval_reference: str
    approved_at: datetime | None
    notice_starts_on: date | None
    notice_ends_on: date | None
    notice_where: str
    objection: str
    finalized_on: date | None
    paid_on: date | None
    lines: list[RewardLineOut]
    events: list[RewardEventOut]
    is_demo: bool
    version: int


class DistributionIn(InputSchema):
    entry_id: Id = Field(description="A received income entry of the ledger.")
    expense_ids: list[Id] | None = Field(
        None, max_length=200, description="Costs to deduct; omitted: the suggested ones."
    )
    deducted_fen: Fen | None = Field(None, description="Omitted: the sum of the costs.")
    deduction_note: str = Field("", max_length=2000)


class RecomputeIn(InputSchema):
    expense_ids: list[Id] | None = Field(None, max_length=200)
    deducted_fen: Fen | None = None
    deduction_note: str = Field("", max_length=2000)
    version: Version | None = Field(None, description=VERSION_HELP)


class RewardApproveIn(InputSchema):
    approval_body: str = Field(max_length=200, description="The body or meeting approving.")
    approval_reference: str = Field(max_length=200, description="Its minutes or file number.")
    version: Version | None = Field(None, description=VERSION_HELP)


class NoticeIn(InputSchema):
    notice_starts_on: Day
    notice_ends_on: Day = Field(description="At least the policy's notice days after the start.")
    notice_where: str = Field(max_length=200)
    version: Version | None = Field(None, description=VERSION_HELP)


class RewardObjectionIn(InputSchema):
    objection: str = Field(max_length=5000)
    version: Version | None = Field(None, description=VERSION_HELP)


class FinalizeIn(InputSchema):
    version: Version | None = Field(None, description=VERSION_HELP)


class PaidIn(InputSchema):
    paid_on: Day
    version: Version | None = Field(None, description=VERSION_HELP)


class PolicyOut(Schema):
    id: int
    effective_from: date
    team_bp: int
    main_bp: int
    institution_bp: int
    department_bp: int
    department_name: str
    notice_days: int
    note: str


class PoliciesOut(Schema):
    institution: RewardRef
    in_force: PolicyOut | None = Field(description="The version in force today.")
    versions: list[PolicyOut] = Field(description="Every version, latest day first.")
    version: int = Field(description="How many versions there are: send it back with a PUT.")


class PolicyIn(InputSchema):
    """A new version of the policy (versions are kept, never changed)."""

    effective_from: Day
    team_bp: Bp = Field(description="At least 5000 (50 %).")
    main_bp: Bp = Field(description="Of the team's part; at least 5000.")
    institution_bp: Bp
    department_bp: Bp = Field(description="team + institution + department = 10000.")
    department_name: str = Field("", max_length=120)
    notice_days: int = Field(15, ge=1, le=365)
    note: str = Field("", max_length=5000)
    version: Version | None = Field(None, description=VERSION_HELP)


class ShareOut(Schema):
    person_id: int
    name: str
    share_bp: int
    is_main: bool
    inventor: bool


class SharesOut(Schema):
    achievement_id: int
    shares: list[ShareOut]
    candidates: list[ShareOut] = Field(description="Who may be named: inventors first.")
    version: int = Field(description="0 before any shares were saved.")


class ShareIn(InputSchema):
    person_id: Id
    share_bp: Bp
    is_main: bool = False


class SharesIn(InputSchema):
    shares: list[ShareIn] = Field(max_length=50, description="Shares add up to 10000.")
    version: Version | None = Field(None, description=VERSION_HELP)
