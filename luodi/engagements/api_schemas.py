"""Request and response schemas of the engagements API (handlers in `api.py`).

Input schemas check the JSON shape; the business rules run in the web forms and the domain,
which the handlers call, so the web and the API validate alike."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from datetime import timezone as dt_timezone
from typing import Annotated, Any

from django.utils import timezone
from ninja import Schema
from pydantic import AfterValidator, EmailStr, Field, PlainSerializer, WithJsonSchema

from luodi.control_chars import InputSchema
from luodi.engagements.models import Event, Meeting, Registration, Visit
from luodi.engagements.rules import (
    ShownStop,
    registration_personal_data_open,
    shown_stops,
    visit_disclosure,
)


def _wall_clock(value: time) -> time:
    """A time with an offset is converted to the project's clock (TIME_ZONE), today's
    offset; the models store wall-clock times without one (SQLite refuses them, PostgreSQL's
    `time` column would drop the offset unconverted)."""
    if value.utcoffset() is None:
        return value
    moment = datetime.combine(timezone.localdate(), value)
    return timezone.localtime(moment, timezone.get_default_timezone()).time()


def _with_offset(value: time) -> str:
    """A stored wall-clock time with the project's offset, so that it is an RFC 3339
    `full-time` as `format: time` requires ("09:00:00+08:00")."""
    zone = timezone.get_default_timezone()
    offset = datetime.combine(timezone.localdate(), value, tzinfo=zone).utcoffset()
    return value.replace(tzinfo=dt_timezone(offset or timedelta(0))).isoformat()


# A wall-clock time in the project's time zone: accepted with or without an offset, answered
# with one. (Two types: ninja dumps responses in Python mode, and the handlers hand inputs to
# the web forms, which want `time` objects.)
TimeIn = Annotated[time, AfterValidator(_wall_clock)]
TimeOut = Annotated[
    time,
    PlainSerializer(_with_offset, return_type=str),
    WithJsonSchema({"type": "string", "format": "time"}),
]


class StopOut(Schema):
    """A stop as the caller may see it (`rules.shown_stops`): for another park's stop,
    `withheld` is true and hosts, fit summary and minutes are empty."""

    id: int
    position: int
    organization_id: int | None
    place: str = Field(validation_alias="label")
    latitude: float | None
    longitude: float | None
    window_start: TimeOut | None
    window_end: TimeOut | None
    duration_min: int
    arrive_at: TimeOut | None
    hosts: str
    fit_summary: str
    minutes: str
    withheld: bool


class VisitOut(Schema):
    id: int
    title_zh: str
    title_en: str
    purpose: str
    date: date
    start_time: TimeOut
    start_label: str
    start_latitude: float | None
    start_longitude: float | None
    organizer_id: int
    organization_ids: list[int]
    company_id: int | None
    achievement_id: int | None
    status: str
    order_accepted: bool
    project_ids: list[int]
    agreement_ids: list[int]
    stops: list[StopOut]

    @staticmethod
    def resolve_project_ids(obj: Visit) -> list[int]:
        return [p.pk for p in obj.projects.all()]

    @staticmethod
    def resolve_agreement_ids(obj: Visit) -> list[int]:
        return [a.pk for a in obj.agreements.all()]

    @staticmethod
    def resolve_organization_ids(obj: Visit) -> list[int]:
        return [o.pk for o in obj.organizations.all()]

    @staticmethod
    def resolve_order_accepted(obj: Visit) -> bool:
        return obj.order_accepted_at is not None

    @staticmethod
    def resolve_stops(obj: Visit, context: dict[str, Any]) -> list[ShownStop]:
        user = context["request"].user
        return shown_stops(visit_disclosure(user, obj), obj.stops.all())


class VisitIn(InputSchema):
    title_zh: str = ""
    title_en: str = ""
    purpose: str = ""
    date: date
    start_time: TimeIn = time(9, 0)
    start_label: str = ""
    start_latitude: float | None = Field(default=None, ge=-90, le=90)
    start_longitude: float | None = Field(default=None, ge=-180, le=180)
    organizer_id: int
    organization_ids: list[int] = []
    company_id: int | None = None
    achievement_id: int | None = None
    project_ids: list[int] = []
    agreement_ids: list[int] = []


class StopIn(InputSchema):
    organization_id: int | None = None
    place: str = ""
    window_start: TimeIn | None = None
    window_end: TimeIn | None = None
    duration_min: int = Field(default=60, ge=5, le=600)
    hosts: str = ""
    # A stop at a place already on the itinerary is refused (422, field error) unless true.
    allow_duplicate: bool = False


class ParticipantIn(InputSchema):
    name: str = Field(min_length=1, max_length=120)
    organization_id: int | None = None
    role: str = Field(default="", max_length=120)
    # A name already on the list is refused (422, field error) unless true.
    allow_duplicate: bool = False


class ParticipantOut(Schema):
    id: int
    name: str
    organization_id: int | None
    role: str
    present: bool | None


class LegOut(Schema):
    stop_id: int
    arrive: str
    start: str
    km: float
    late_by_min: int


class SuggestionOut(Schema):
    order: list[int]
    km: float
    finish: str
    late: list[int]
    unplaced: list[int]
    legs: list[LegOut]


class OrderIn(InputSchema):
    order: list[int]


class MeetingOut(Schema):
    id: int
    title: str
    starts_at: datetime
    ends_at: datetime | None
    location: str
    organization_ids: list[int]
    visit_id: int | None
    minutes: str
    project_ids: list[int]
    agreement_ids: list[int]

    @staticmethod
    def resolve_organization_ids(obj: Meeting) -> list[int]:
        return [o.pk for o in obj.organizations.all()]

    @staticmethod
    def resolve_project_ids(obj: Meeting) -> list[int]:
        return [p.pk for p in obj.projects.all()]

    @staticmethod
    def resolve_agreement_ids(obj: Meeting) -> list[int]:
        return [a.pk for a in obj.agreements.all()]


class MeetingIn(InputSchema):
    title: str = Field(min_length=1, max_length=255)
    starts_at: datetime
    ends_at: datetime | None = None
    location: str = ""
    organization_ids: list[int] = []
    visit_id: int | None = None
    minutes: str = ""
    project_ids: list[int] = []
    agreement_ids: list[int] = []
    # A meeting of the same title on the same day is refused (422) unless true.
    allow_duplicate: bool = False


class SessionOut(Schema):
    id: int
    title_zh: str
    title_en: str
    room: str
    starts_at: datetime
    ends_at: datetime
    speakers: list[str] = Field(description="In protocol order, as entered or moved.")

    @staticmethod
    def resolve_speakers(obj: Any) -> list[str]:
        return [s.name for s in obj.speaker_list]


class EventOut(Schema):
    id: int
    kind: str
    title_zh: str
    title_en: str
    description_zh: str
    description_en: str
    organizer_id: int
    co_organizer_ids: list[int]
    venue: str
    address: str
    starts_at: datetime
    ends_at: datetime
    capacity: int | None
    registration_open: bool
    status: str
    sessions: list[SessionOut]
    invitee_ids: list[int]
    agreement_ids: list[int]

    @staticmethod
    def resolve_agreement_ids(obj: Event) -> list[int]:
        return [a.pk for a in obj.agreements.all()]

    @staticmethod
    def resolve_co_organizer_ids(obj: Event) -> list[int]:
        return [o.pk for o in obj.co_organizers.all()]

    @staticmethod
    def resolve_invitee_ids(obj: Event) -> list[int]:
        return [o.pk for o in obj.invitees.all()]

    @staticmethod
    def resolve_sessions(obj: Event) -> list[Any]:
        return list(obj.sessions.all())


class EventIn(InputSchema):
    kind: str = "forum"
    title_zh: str = ""
    title_en: str = ""
    description_zh: str = ""
    description_en: str = ""
    organizer_id: int
    co_organizer_ids: list[int] = []
    venue: str = Field(min_length=1, max_length=255)
    address: str = ""
    starts_at: datetime
    ends_at: datetime
    capacity: int | None = Field(default=None, ge=1)
    registration_open: bool = True
    agreement_ids: list[int] = Field(
        default=[], description="Agreements the event carries out (e.g. co-hosting)."
    )


class SessionIn(InputSchema):
    """A session on the event's days (422 otherwise); speakers in protocol order, kept."""

    title_zh: str = ""
    title_en: str = ""
    room: str = ""
    starts_at: datetime
    ends_at: datetime
    speakers: list[str] = []


class SpeakerOrderIn(InputSchema):
    """The session's speakers, every one once, in the order wanted."""

    speakers: list[str]


class AnswerOut(Schema):
    question_id: int
    question: str
    value: str = Field(description="the answer; yes/no questions answer `yes` or `no`")


def _personal_open(obj: Registration, context: dict[str, Any] | None) -> bool:
    """The personal-data rule (rules.registration_personal_data_open) for the caller, asked
    once per event and request; closed when there is no request to ask about."""
    request = (context or {}).get("request")
    if request is None:
        return False
    cache: dict[int, bool] = request.__dict__.setdefault("_luodi_registration_personal", {})
    if obj.event_id not in cache:
        event = Event.objects.prefetch_related("co_organizers").get(pk=obj.event_id)
        cache[obj.event_id] = registration_personal_data_open(request.user, event)
    return cache[obj.event_id]


class RegistrationOut(Schema):
    """A registration. Invoice details, answers and the consent record are personal data:
    empty unless the caller organises the event (or is staff)."""

    id: int
    name: str
    email: str
    organization_name: str
    position: str
    phone: str
    status: str
    code: str
    checked_in_at: datetime | None
    created_at: datetime
    category_id: int | None
    category: str = Field(description="the category's name in the caller's language")
    fee_fen: int = Field(description="the fee owed, in fen, as it was when registering")
    paid_at: datetime | None = Field(description="when the organiser recorded the fee received")
    invoice_title: str
    tax_id: str
    consent_at: datetime | None
    consent_version: str
    answers: list[AnswerOut]

    @staticmethod
    def resolve_category(obj: Registration) -> str:
        return obj.category.name if obj.category_id and obj.category else ""

    @staticmethod
    def resolve_invoice_title(obj: Registration, context: dict[str, Any]) -> str:
        return obj.invoice_title if _personal_open(obj, context) else ""

    @staticmethod
    def resolve_tax_id(obj: Registration, context: dict[str, Any]) -> str:
        return obj.tax_id if _personal_open(obj, context) else ""

    @staticmethod
    def resolve_consent_at(obj: Registration, context: dict[str, Any]) -> datetime | None:
        return obj.consent_at if _personal_open(obj, context) else None

    @staticmethod
    def resolve_consent_version(obj: Registration, context: dict[str, Any]) -> str:
        return obj.consent_version if _personal_open(obj, context) else ""

    @staticmethod
    def resolve_answers(obj: Registration, context: dict[str, Any]) -> list[dict[str, Any]]:
        if not _personal_open(obj, context):
            return []
        return [
            {"question_id": a.question_id, "question": a.question.label, "value": a.value}
            for a in obj.answers.all()
        ]


class RegistrationIn(InputSchema):
    name: str = Field(min_length=1, max_length=120)
    email: EmailStr
    organization_name: str = ""
    position: str = ""
    phone: str = ""
    category_id: int | None = Field(
        None, description="required when the event has categories", ge=1, le=2**63 - 1
    )
    answers: dict[int, str] = Field(
        default_factory=dict, description="question id → answer (`yes`/`no` for yes-or-no)"
    )
    invoice_title: str = Field("", max_length=200, description="发票抬头; with a fee only")
    tax_id: str = Field("", max_length=40, description="纳税人识别号: 15–20 digits and capitals")
    consent: bool = Field(
        False,
        description="the person agreed to the event's personal-information notice "
        "(GET /events/{id}/privacy-notice); registration is refused without it",
    )


class CheckInIn(InputSchema):
    code: str = Field(min_length=4, max_length=40)


class CheckInOut(Schema):
    registration: RegistrationOut
    already_checked_in: bool


class OutcomeIn(InputSchema):
    kind: str
    text: str = Field(min_length=1, max_length=5000)
    counterpart_id: int | None = None
    stop_id: int | None = None


class OutcomeOut(Schema):
    id: int
    kind: str
    text: str
    counterpart_id: int | None
    stop_id: int | None
    created_at: datetime


class FollowUpIn(InputSchema):
    title: str = Field(min_length=1, max_length=255)
    owner_id: int | None = None
    owner_name: str = ""
    due_date: date | None = None
    project_id: int | None = None
    stop_id: int | None = None


class FollowUpOut(Schema):
    id: int
    title: str
    owner_id: int | None
    owner_name: str
    due_date: date | None
    task_id: int | None
    stop_id: int | None
    done_at: datetime | None


class MinutesIn(InputSchema):
    minutes: str = Field(max_length=20000)
