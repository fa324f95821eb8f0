"""API schemas of grants (input bounded at the edge, output as plain records).

Shares are basis points (1 bp = 0.01 %): `team_share_bp` is the team's share of the
ownership or of the use right; each member's `share_bp` is a share of the whole achievement
and the members' shares add up to `team_share_bp`. Money in fen (CNY). The achievement and
each member are named only when the caller may see them (null otherwise).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field

from luodi.control_chars import InputSchema
from luodi.errors import MAX_ID
from luodi.grants.choices import GrantKind, GrantStatus
from luodi.grants.domain import MAX_FEN, MAX_TERM_YEARS
from luodi.grants.models import FULL_BP

VERSION_HELP = "The version you loaded (or send If-Match); a change saved meanwhile is a 409."
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Bp = Annotated[int, Field(ge=1, le=FULL_BP, description="Basis points: 7000 = 70 %.")]
Fen = Annotated[int, Field(gt=0, le=MAX_FEN, description="In fen (CNY).")]
Day = Annotated[date, Field(ge=date(1990, 1, 1), le=date(2100, 12, 31))]
Years = Annotated[int, Field(ge=1, le=MAX_TERM_YEARS)]


class GrantRef(Schema):
    id: int
    name: str


class GrantLink(Schema):
    id: int
    title: str


class MemberOut(Schema):
    person_id: int | None = Field(description="Null when not yours to see.")
    name: str = Field(description="Empty when not yours to see.")
    share_bp: int


class ChecklistItemOut(Schema):
    key: str
    label: str
    recorded: bool
    document: bool
    present: bool


class GrantOut(Schema):
    id: int
    institution: GrantRef
    achievement: GrantLink | None = Field(description="Null when not yours to see.")
    achievement_id: int
    kind: GrantKind
    team_share_bp: int
    term_years: int | None
    use_starts_on: date | None
    members: list[MemberOut]
    valuer: str
    valuation_report_on: date | None
    valuation_fen: int | None
    decision_body: str
    decided_on: date | None
    minutes_ref: str
    notice_starts_on: date | None
    notice_ends_on: date | None
    notice_place: str
    objections: str
    notice_outcome: str
    status: GrantStatus
    granted_on: date | None
    withdrawn_reason: str
    note: str
    checklist: list[ChecklistItemOut]
    is_demo: bool
    created_at: datetime
    updated_at: datetime
    version: int


class MemberIn(InputSchema):
    person_id: Id
    share_bp: Bp


class GrantIn(InputSchema):
    institution_id: Id = Field(description="The institution that grants: one you belong to.")
    achievement_id: Id = Field(description="Owned by the institution.")
    kind: GrantKind
    team_share_bp: Bp
    term_years: Years | None = Field(None, description="Use right only.")
    use_starts_on: Day | None = Field(None, description="Use right only.")
    members: list[MemberIn] = Field(default_factory=list, max_length=50)
    valuer: str = Field("", max_length=200)
    valuation_report_on: Day | None = None
    valuation_fen: Fen | None = None
    decision_body: str = Field("", max_length=120)
    decided_on: Day | None = None
    minutes_ref: str = Field("", max_length=200)
    notice_starts_on: Day | None = None
    notice_ends_on: Day | None = None
    notice_place: str = Field("", max_length=255)
    note: str = Field("", max_length=5000)


class GrantPatch(InputSchema):
    """Only the fields sent change (a draft only; the institution never changes)."""

    achievement_id: Id | None = None
    kind: GrantKind | None = None
    team_share_bp: Bp | None = None
    term_years: Years | None = None
    use_starts_on: Day | None = None
    members: list[MemberIn] | None = Field(None, max_length=50)
    valuer: str | None = Field(None, max_length=200)
    valuation_report_on: Day | None = None
    valuation_fen: Fen | None = None
    decision_body: str | None = Field(None, max_length=120)
    decided_on: Day | None = None
    minutes_ref: str | None = Field(None, max_length=200)
    notice_starts_on: Day | None = None
    notice_ends_on: Day | None = None
    notice_place: str | None = Field(None, max_length=255)
    note: str | None = Field(None, max_length=5000)
    version: int | None = Field(None, description=VERSION_HELP)


class VersionIn(InputSchema):
    version: int | None = Field(None, description=VERSION_HELP)


class ObjectionIn(VersionIn):
    text: str = Field(min_length=1, max_length=2000)


class GrantDecisionIn(VersionIn):
    outcome: str = Field(min_length=1, max_length=2000, description="The notice's outcome.")


class WithdrawIn(VersionIn):
    reason: str = Field(min_length=1, max_length=2000)


class GrantDocumentOut(Schema):
    id: int
    grant_id: int
    doc_type: str
    original_name: str
    content_type: str
    size: int
    uploaded_at: datetime
    download_url: str
