from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from luodi.control_chars import InputSchema


class WindowOut(Schema):
    id: int
    starts_at: datetime
    ends_at: datetime


class PartneringSessionOut(Schema):
    id: int
    event_id: int
    event_title: str
    slot_minutes: int
    tables: int
    is_open: bool
    windows: list[WindowOut]
    slots: list[datetime]
    is_demo: bool
    version: int


class SessionSettingsIn(InputSchema):
    tables: int = Field(..., ge=1, le=500)
    is_open: bool
    version: int | None = Field(None, ge=1)


class WindowIn(InputSchema):
    starts_at: datetime
    ends_at: datetime


class PartneringParticipantOut(Schema):
    id: int
    organization_id: int
    organization: str
    offer: str
    seek: str
    is_published: bool


class PartneringReasonOut(Schema):
    text: str
    ok: bool | None = None
    delta: float = 0.0


class PartneringSuggestionOut(Schema):
    participant: PartneringParticipantOut
    score: float
    reasons: list[PartneringReasonOut]


class PartneringMeetingOut(Schema):
    id: int
    session_id: int
    a: PartneringParticipantOut
    b: PartneringParticipantOut
    origin: str
    state: str
    a_accepted: bool
    b_accepted: bool
    starts_at: datetime | None
    ends_at: datetime | None
    table: str
    score: float
    reasons: list[PartneringReasonOut]
    outcome: str
    outcome_note: str
    no_show_of: int | None
    match_record_id: int | None
    project_id: int | None
    version: int


class JoinIn(InputSchema):
    organization_id: int = Field(..., ge=1)
    offer: str | None = Field(None, max_length=4000)
    seek: str | None = Field(None, max_length=4000)


class PartneringRequestIn(InputSchema):
    participant_id: int = Field(..., ge=1, description="The participant to meet.")
    starts_at: datetime | None = None
    message: str = Field("", max_length=2000)


class ScheduleIn(InputSchema):
    a_id: int = Field(..., ge=1)
    b_id: int = Field(..., ge=1)
    starts_at: datetime | None = None


class AcceptIn(InputSchema):
    starts_at: datetime | None = Field(None, description="Another slot: a counter-proposal.")
    version: int | None = None


class AnswerIn(InputSchema):
    version: int | None = None


class PartneringOutcomeIn(InputSchema):
    held: bool
    outcome: str = Field("", max_length=12)
    note: str = Field("", max_length=4000)
    no_show_of: int | None = None
    version: int | None = None


class PartneringFollowUpIn(InputSchema):
    achievement_id: int = Field(..., ge=1)


class PartneringFollowUpOut(Schema):
    meeting_id: int
    match_record_id: int | None
    project_id: int | None


class AvailabilityIn(InputSchema):
    free: list[datetime] = Field(..., max_length=2000)


class AvailabilityOut(Schema):
    free: list[datetime]


class ProposedOut(Schema):
    proposed: int
