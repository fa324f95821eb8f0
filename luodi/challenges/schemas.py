"""API schemas of challenges and proposals (input bounded at the edge, output as plain
records). Money is integer fen with `currency` stated. A challenge's budget and IP terms
are null for a caller who may not see them (`terms_visible` false: an invited challenge
seen as a teaser); a proposal's linked achievements are only those the caller may see."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from luodi.challenges.choices import ChallengeStatus, Readiness, Stage, Visibility
from luodi.challenges.domain import MAX_FEN, MAX_INVITES
from luodi.control_chars import InputSchema
from luodi.errors import MAX_ID

Currency = Literal["CNY"]
CURRENCY: Currency = "CNY"
VERSION_HELP = "The version you loaded (or send If-Match); a change saved meanwhile is a 409."
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Fen = Annotated[int, Field(gt=0, le=MAX_FEN)]
MAX_TEXT = 10000


class ChallengeRef(Schema):
    id: int
    name: str


class ChallengeTitledRef(Schema):
    id: int
    title: str


class ChallengeOut(Schema):
    id: int
    title_zh: str
    title_en: str
    title: str = Field(description="In the active language, falling back to the other.")
    problem_zh: str
    problem_en: str
    poster: ChallengeRef | None = Field(description="Null: posted by the association.")
    need_id: int | None
    timeline: str
    eligibility: str
    deadline: date = Field(description="Proposals are accepted through this day.")
    visibility: str
    status: str
    terms_visible: bool = Field(description="Whether you may see the budget and IP terms.")
    budget_min_fen: int | None
    budget_max_fen: int | None
    ip_terms: str | None
    currency: Currency = CURRENCY
    created_at: datetime
    version: int


class ChallengeIn(InputSchema):
    poster_id: Id | None = Field(
        None, description="Your organization; null (staff only): the association."
    )
    need_id: Id | None = Field(None, description="A clinical need of the poster it comes from.")
    title_zh: str = Field("", max_length=255)
    title_en: str = Field("", max_length=255)
    problem_zh: str = Field("", max_length=MAX_TEXT)
    problem_en: str = Field("", max_length=MAX_TEXT)
    budget_min_fen: Fen | None = None
    budget_max_fen: Fen | None = None
    timeline: str = Field("", max_length=MAX_TEXT)
    eligibility: str = Field("", max_length=MAX_TEXT)
    ip_terms: str = Field("", max_length=MAX_TEXT)
    deadline: date
    visibility: Visibility = Visibility.PUBLIC


class ChallengePatch(InputSchema):
    """Only the fields sent change."""

    title_zh: str | None = Field(None, max_length=255)
    title_en: str | None = Field(None, max_length=255)
    problem_zh: str | None = Field(None, max_length=MAX_TEXT)
    problem_en: str | None = Field(None, max_length=MAX_TEXT)
    budget_min_fen: Fen | None = None
    budget_max_fen: Fen | None = None
    timeline: str | None = Field(None, max_length=MAX_TEXT)
    eligibility: str | None = Field(None, max_length=MAX_TEXT)
    ip_terms: str | None = Field(None, max_length=MAX_TEXT)
    deadline: date | None = None
    visibility: Visibility | None = None
    version: int | None = Field(None, description=VERSION_HELP)


class ChallengeStatusIn(InputSchema):
    status: ChallengeStatus = Field(
        description="open, closed or cancelled (award a proposal instead)."
    )
    version: int | None = Field(None, description=VERSION_HELP)


class ChallengeInvitationIn(InputSchema):
    organization_ids: list[Id] = Field(min_length=1, max_length=MAX_INVITES)


class ChallengeInvitationOut(Schema):
    organization: ChallengeRef
    reason: str
    created_at: datetime


class ReviewerIn(InputSchema):
    reviewer: str = Field(min_length=1, max_length=254, description="Username or email.")


class MatchOut(Schema):
    kind: str = Field(description="team or achievement")
    id: int
    label: str
    organization_id: int = Field(description="The organization an invitation goes to.")
    organization: str
    score: float
    reasons: list[str]
    matched: dict[str, list[str]]
    invited: bool


class MatchesOut(Schema):
    teams: list[MatchOut]
    achievements: list[MatchOut]
    method: str = Field(description="hybrid or lexical")
    note: str


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str


class MoveOut(Schema):
    from_stage: str
    to_stage: str
    by: str
    note: str
    at: datetime


class ScoreOut(Schema):
    id: int
    stage: str
    reviewer: str
    score: int
    comment: str


class ProposalOut(Schema):
    id: int
    challenge_id: int
    organization: ChallengeRef | None
    applicant_name: str
    applicant_organization: str
    title: str
    summary: str
    approach: str
    readiness: int
    plan: str
    team: str
    budget_ask_fen: int | None
    currency: Currency = CURRENCY
    stage: str
    stage_entered_at: datetime
    project_id: int | None
    agreement_id: int | None
    created_at: datetime
    version: int


class ProposalDetailOut(ProposalOut):
    achievements: list[ChallengeTitledRef] = Field(description="Only those you may see.")
    attachments: list[AttachmentOut]
    moves: list[MoveOut]
    scores: list[ScoreOut] = Field(description="To reviewers and managers; empty otherwise.")


class ProposalIn(InputSchema):
    organization_id: Id = Field(description="Your organization, submitting.")
    title: str = Field(max_length=255)
    summary: str = Field(max_length=5000)
    approach: str = Field(max_length=MAX_TEXT)
    readiness: Readiness
    plan: str = Field(max_length=MAX_TEXT)
    team: str = Field("", max_length=5000)
    budget_ask_fen: Fen | None = None
    achievement_ids: list[Id] = Field(default=[], max_length=20)


class ScoreIn(InputSchema):
    score: int = Field(ge=1, le=5)
    comment: str = Field("", max_length=5000)


class MoveIn(InputSchema):
    stage: Literal[Stage.SCREEN, Stage.ASSESS, Stage.FINALIST, Stage.DECLINED]
    note: str = Field("", max_length=500)
    version: int | None = Field(None, description=VERSION_HELP)


class AwardIn(InputSchema):
    organization_id: Id | None = Field(
        None, description="The proposing organization, when the applicant had no account."
    )
    achievement_id: Id | None = Field(
        None, description="The achievement the project develops, when the proposal links none."
    )
    note: str = Field("", max_length=500)
    version: int | None = Field(None, description=VERSION_HELP)
