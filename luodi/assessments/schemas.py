"""API schemas of assessments (input bounded at the edge, output as plain records).

An assessment record carries what the caller may see of it: staff get the reviewers, their
declarations and scores and the aggregate; a cleared reviewer gets their own review (and,
in open review once scored, the others'); the owner gets the result only. Fields the caller
may not see are null, never omitted, so clients read one shape."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field

from luodi.assessments.choices import Mode
from luodi.catalog.choices import OrganizationKind
from luodi.control_chars import InputSchema
from luodi.errors import MAX_ID

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Code = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")]
VERSION_HELP = "The version you loaded (or send If-Match); a change saved meanwhile is a 409."


class AssessmentRef(Schema):
    id: int
    title: str


class CriterionOut(Schema):
    code: str
    label_zh: str
    label_en: str
    description_zh: str
    description_en: str
    weight: int
    min: int
    max: int


class CriterionIn(InputSchema):
    code: Code
    label_zh: str = Field(min_length=1, max_length=120)
    label_en: str = Field("", max_length=120)
    description_zh: str = Field("", max_length=2000)
    description_en: str = Field("", max_length=2000)
    weight: int = Field(ge=1, le=100)
    scale_min: int = Field(ge=0, le=99)
    scale_max: int = Field(ge=1, le=100)


class TemplateOut(Schema):
    id: int
    name_zh: str
    name_en: str
    description: str
    is_default: bool
    criteria: list[CriterionOut]
    version: int


class TemplateIn(InputSchema):
    name_zh: str = Field(min_length=1, max_length=200)
    name_en: str = Field("", max_length=200)
    description: str = Field("", max_length=5000)
    criteria: list[CriterionIn] = Field(min_length=1, max_length=20)
    version: int | None = Field(None, description=VERSION_HELP)


class ResultOut(Schema):
    readiness: int | None = Field(description="Technology readiness level, 1–9.")
    readiness_label: str
    overall: float = Field(description="Weighted overall score, 0–1, kept when summarised.")
    strengths: str
    risks: str
    summary: str
    suggested_kinds: list[str] = Field(description="Organization kinds suggested as partners.")
    summarised_at: datetime | None


class CriterionAggregateOut(Schema):
    code: str
    n: int
    mean: float | None
    normalised: float | None
    stdev: float | None
    spread: float | None = Field(description="max − min as a share of the scale, 0–1.")
    disagreement: bool


class AggregateOut(Schema):
    criteria: list[CriterionAggregateOut]
    overall: float | None
    overall_spread: float | None
    disagreement: bool


class AssessmentReviewOut(Schema):
    """One reviewer's part."""

    id: int
    name: str | None = Field(description="Null for a blind co-reviewer (never sent).")
    external: bool
    state: str
    conflict_note: str | None
    nda_accepted_at: datetime | None
    scores: dict[str, int]
    comment: str
    submitted_at: datetime | None


class AssessmentOut(Schema):
    id: int
    achievement: AssessmentRef
    round: int
    mode: str
    deadline: date
    status: str
    criteria: list[CriterionOut]
    result: ResultOut | None = Field(description="Once summarised, for staff and the owner.")
    aggregate: AggregateOut | None = Field(description="Staff only.")
    reviewers: list[AssessmentReviewOut] | None = Field(
        description="Staff: every reviewer; a reviewer in open review, once scored: the "
        "others who scored; otherwise null."
    )
    my_review: AssessmentReviewOut | None = Field(
        description="The caller's own review, if invited."
    )
    updated_at: datetime
    version: int


class AssessmentInvitationOut(Schema):
    """An invitation of the caller (internal reviewer), before or after the declaration."""

    id: int
    assessment_id: int
    achievement: AssessmentRef
    owner: str
    deadline: date
    status: str
    state: str
    needs_nda: bool


class OpenIn(InputSchema):
    achievement_id: Id
    template_id: Id | None = Field(None, description="Default: the default template.")
    mode: Mode = Mode.BLIND
    deadline: date


class InviteIn(InputSchema):
    user_id: Id | None = Field(None, description="An internal expert (an account).")
    name: str = Field("", max_length=120, description="An external expert (no account).")
    email: str = Field("", max_length=254)
    language: str = Field("", max_length=10)


class InviteOut(Schema):
    id: int
    state: str


class DeclarationIn(InputSchema):
    conflict: bool
    conflict_note: str = Field("", max_length=2000)
    accept_nda: bool = Field(False, description="Required for a confidential achievement.")


class ScoresIn(InputSchema):
    scores: dict[Code, int] = Field(description="criterion code → score within its scale.")
    comments: dict[Code, Annotated[str, Field(max_length=2000)]] = Field(default_factory=dict)
    comment: str = Field("", max_length=5000)


class SummaryIn(InputSchema):
    readiness: int = Field(ge=1, le=9)
    strengths: str = Field("", max_length=5000)
    risks: str = Field("", max_length=5000)
    summary: str = Field(min_length=1, max_length=10000)
    suggested_kinds: list[OrganizationKind] = Field(default_factory=list, max_length=10)
    version: int | None = Field(None, description=VERSION_HELP)


class CloseIn(InputSchema):
    version: int | None = Field(None, description=VERSION_HELP)


class ReassessIn(InputSchema):
    deadline: date
