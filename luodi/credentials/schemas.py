from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ninja import Field, Schema

from luodi.control_chars import InputSchema


class SessionCheckInIn(InputSchema):
    session_id: int
    code: str = Field(..., max_length=200)


class AttendanceOut(Schema):
    id: int
    session_id: int
    registration_id: int
    name: str
    checked_in_at: datetime
    created: bool = False


class CertificateOut(Schema):
    id: int
    event_id: int
    kind: str
    name: str
    organization: str
    serial: str
    issued_at: datetime
    revoked_at: datetime | None
    revoke_reason: str
    registration_id: int | None
    speaker_id: int | None


class IssueIn(InputSchema):
    kinds: list[str] = Field(default_factory=lambda: ["attendance", "presentation"])


class IssuedOut(Schema):
    issued: int


class RevokeIn(InputSchema):
    reason: str = Field(..., max_length=200)


class ActivityIn(InputSchema):
    project_code: str = Field(..., max_length=60)
    title: str = Field("", max_length=255)
    credit_type: str = Field("I", max_length=4)
    credits: Decimal = Field(..., max_digits=5, decimal_places=1)
    hours: Decimal = Field(..., max_digits=5, decimal_places=1)
    required_session_ids: list[int] = Field(default_factory=list)
    version: int | None = None


class ActivityOut(Schema):
    id: int
    event_id: int
    project_code: str
    title: str
    credit_type: str
    credits: Decimal
    hours: Decimal
    required_session_ids: list[int]
    version: int
    is_demo: bool


class EligibilityOut(Schema):
    registration_id: int
    name: str
    eligible: bool
    checked_in: bool
    missed_session_ids: list[int]
    credit_id: int | None


class CreditOut(Schema):
    id: int
    activity_id: int
    registration_id: int
    name: str
    credits: Decimal
    hours: Decimal
    awarded_at: datetime
    revoked_at: datetime | None
    revoke_reason: str


class AwardedOut(Schema):
    awarded: int
