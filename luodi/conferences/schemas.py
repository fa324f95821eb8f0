"""API schemas of the conferences."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from luodi.control_chars import InputSchema


class ConferenceOut(Schema):
    id: int
    event_id: int
    title: str
    call_opens_at: datetime
    call_closes_at: datetime
    call_open: bool
    topics: list[str]
    reviews_wanted: int
    blind_review: bool
    slot_minutes: int
    version: int


class AuthorSchema(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    affiliation: str = Field("", max_length=200)
    presenting: bool = False


class AbstractIn(InputSchema):
    title: str = Field(..., min_length=1, max_length=255)
    body: str = Field(..., min_length=1, max_length=5000)
    topic: str = Field("", max_length=120)
    preference: str = Field("either", pattern="^(oral|poster|either)$")
    contact_email: str = Field(..., max_length=254)
    authors: list[AuthorSchema] = Field(..., min_length=1, max_length=8)


class AbstractOut(Schema):
    id: int
    conference_id: int
    title: str
    body: str
    topic: str
    preference: str
    status: str
    # Empty for a reviewer of a blind-reviewed conference (rules.may_see_authors).
    authors: list[AuthorSchema]
    authors_withheld: bool
    room: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    version: int


class ReviewIn(InputSchema):
    score: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=4000)


class AbstractReviewOut(Schema):
    id: int
    abstract_id: int
    reviewer: str
    score: int | None
    comment: str
    reviewed_at: datetime | None


class AssignIn(InputSchema):
    reviewer: str = Field(..., min_length=1, max_length=254, description="username or email")


class AbstractDecisionIn(InputSchema):
    decision: str = Field(..., pattern="^(oral|poster|rejected)$")
    version: int | None = None


class PlacementIn(InputSchema):
    room_id: int
    starts_at: datetime
    version: int | None = None


class ProgrammeItemOut(Schema):
    session_id: int
    title: str
    room: str
    starts_at: datetime
    ends_at: datetime
    speakers: list[str]
    abstract_id: int | None
