"""Engagements API: visits (with itinerary ordering), meetings, events (with agenda) and
registrations. Writes run the same forms as the web pages, so both validate alike; errors
come back in the project's one shape `{"error": {"code", "message", "fields"}}`."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.engagements import rules
from luodi.engagements.api_schemas import (
    CheckInIn,
    CheckInOut,
    EventIn,
    EventOut,
    FollowUpIn,
    FollowUpOut,
    LegOut,
    MeetingIn,
    MeetingOut,
    MinutesIn,
    OrderIn,
    OutcomeIn,
    OutcomeOut,
    ParticipantIn,
    ParticipantOut,
    RegistrationIn,
    RegistrationOut,
    SessionIn,
    SessionOut,
    SpeakerOrderIn,
    StopIn,
    StopOut,
    SuggestionOut,
    VisitIn,
    VisitOut,
)
from luodi.engagements.domain import events as event_domain
from luodi.engagements.domain import records, registration_options
from luodi.engagements.domain import visits as visit_domain
from luodi.engagements.forms import (
    EventForm,
    FollowUpForm,
    MeetingForm,
    OutcomeForm,
    ParticipantForm,
    SessionForm,
    StopForm,
    UserForm,
    VisitForm,
)
from luodi.engagements.models import Event, Meeting, Registration, Visit
from luodi.errors import ApiError, Pagination, found, require_perm
from luodi.pipeline.rules import agreements_visible_to, projects_visible_to

router = Router(tags=["engagements"])


def _ip(request: HttpRequest) -> str | None:
    return audit.client_ip(request)


def _invalid(form: django_forms.BaseForm) -> ApiError:
    fields = {k: [str(m) for m in v] for k, v in form.errors.items()}
    return ApiError(422, "invalid", "The request has invalid fields.", fields)


def _form_data(payload: Schema) -> dict[str, Any]:
    """The payload under the forms' field names: the API names a link `x_id` and a list of
    links `x_ids`, the forms `x` and `xs`."""
    data = {}
    for key, value in payload.dict().items():
        if key.endswith("_ids"):
            key = key[: -len("_ids")] + "s"
        elif key.endswith("_id"):
            key = key[: -len("_id")]
        data[key] = value
    return data


def _create(request: HttpRequest, form_class: type[UserForm], payload: Schema) -> int:
    """Create a visit, meeting or event through its web form, so both validate, audit and
    link alike; returns the new id."""
    require_perm(request, "engagements.add_engagement")
    form = form_class(_form_data(payload), user=request.user)
    if not form.is_valid():
        raise _invalid(form)
    saved = records.save(
        actor=request_user(request),
        instance=form.save(commit=False),
        fields=form.plain_fields,
        m2m=form.m2m(),
        ip=_ip(request),
    )
    return int(saved.pk)


# -- visits -----------------------------------------------------------------------------------


def _linked(request: HttpRequest, *names: str) -> list[Prefetch[Any]]:
    """The projects and agreements an engagement links to, only those the caller may see:
    their ids alone would tell an outsider that a confidential project exists."""
    visible = {
        "projects": projects_visible_to(request.user),
        "agreements": agreements_visible_to(request.user),
    }
    return [Prefetch(name, queryset=visible[name]) for name in names]


def _visits(request: HttpRequest) -> QuerySet[Visit]:
    return rules.visits_visible_to(request.user).prefetch_related(
        "organizations", "stops__organization", *_linked(request, "projects", "agreements")
    )


@router.get("/visits", response=list[VisitOut])
@paginate(Pagination)
def list_visits(request: HttpRequest) -> QuerySet[Visit]:
    return _visits(request)


@router.post("/visits", response={201: VisitOut})
def create_visit(request: HttpRequest, payload: VisitIn) -> Status[Visit]:
    return Status(201, found(_visits(request), _create(request, VisitForm, payload)))


@router.get("/visits/{visit_id}", response=VisitOut)
def get_visit(request: HttpRequest, visit_id: int) -> Visit:
    return found(_visits(request), visit_id)


@router.post("/visits/{visit_id}/stops", response={201: VisitOut})
def add_stop(request: HttpRequest, visit_id: int, payload: StopIn) -> Status[Visit]:
    visit = found(_visits(request), visit_id)
    require_perm(request, "engagements.change_visit", visit)
    form = StopForm(_form_data(payload), user=request.user, visit=visit)
    if not form.is_valid():
        raise _invalid(form)
    data = {k: v for k, v in form.cleaned_data.items() if k != "allow_duplicate"}
    visit_domain.add_stop(actor=request_user(request), visit=visit, ip=_ip(request), **data)
    return Status(201, found(_visits(request), visit.pk))


@router.get("/visits/{visit_id}/suggested-order", response=SuggestionOut)
def suggested_order(request: HttpRequest, visit_id: int) -> SuggestionOut:
    from luodi.engagements.itinerary import hhmm

    visit = found(_visits(request), visit_id)
    plan = visit_domain.plan_for(visit, list(visit.stops.all()))
    return SuggestionOut(
        order=plan.order,
        km=plan.km,
        finish=hhmm(plan.finish),
        late=plan.late,
        unplaced=plan.unplaced,
        legs=[
            LegOut(
                stop_id=leg.key,
                arrive=hhmm(leg.arrive),
                start=hhmm(leg.start),
                km=leg.km,
                late_by_min=leg.late_by,
            )
            for leg in plan.legs
        ],
    )


@router.put("/visits/{visit_id}/order", response=VisitOut)
def set_order(request: HttpRequest, visit_id: int, payload: OrderIn) -> Visit:
    """Accept an order (the suggested one or the user's own): every stop id exactly once."""
    visit = found(_visits(request), visit_id)
    require_perm(request, "engagements.change_visit", visit)
    try:
        visit_domain.set_order(
            actor=request_user(request),
            visit=visit,
            order=payload.order,
            accept=True,
            ip=_ip(request),
        )
    except ValueError:
        raise ApiError(
            422,
            "invalid",
            "The order must list every stop exactly once.",
            {"order": ["must list every stop of the visit exactly once"]},
        ) from None
    return found(_visits(request), visit.pk)


# -- meetings ---------------------------------------------------------------------------------


def _meetings(request: HttpRequest) -> QuerySet[Meeting]:
    return rules.meetings_visible_to(request.user).prefetch_related(
        "organizations", *_linked(request, "projects", "agreements")
    )


@router.get("/meetings", response=list[MeetingOut])
@paginate(Pagination)
def list_meetings(request: HttpRequest) -> QuerySet[Meeting]:
    return _meetings(request)


@router.post("/meetings", response={201: MeetingOut})
def create_meeting(request: HttpRequest, payload: MeetingIn) -> Status[Meeting]:
    return Status(201, found(_meetings(request), _create(request, MeetingForm, payload)))


@router.get("/meetings/{meeting_id}", response=MeetingOut)
def get_meeting(request: HttpRequest, meeting_id: int) -> Meeting:
    return found(_meetings(request), meeting_id)


# -- events -----------------------------------------------------------------------------------


def _events(request: HttpRequest) -> QuerySet[Event]:
    return rules.events_visible_to(request.user).prefetch_related(
        "co_organizers",
        "sessions__speaker_links__speaker",
        "invitees",
        *_linked(request, "agreements"),
    )


@router.get("/events", response=list[EventOut])
@paginate(Pagination)
def list_events(request: HttpRequest) -> QuerySet[Event]:
    return _events(request)


@router.post("/events", response={201: EventOut})
def create_event(request: HttpRequest, payload: EventIn) -> Status[Event]:
    return Status(201, found(_events(request), _create(request, EventForm, payload)))


@router.get("/events/{event_id}", response=EventOut)
def get_event(request: HttpRequest, event_id: int) -> Event:
    return found(_events(request), event_id)


@router.post("/events/{event_id}/sessions", response={201: SessionOut})
def add_session(request: HttpRequest, event_id: int, payload: SessionIn) -> Status[Any]:
    """Add an agenda session; 422 when it falls outside the event's days, 409 `conflict` when
    its room or a speaker is already booked. Speakers keep the order given."""
    event = found(_events(request), event_id)
    require_perm(request, "engagements.change_event", event)
    data = payload.dict()
    data["speakers"] = ", ".join(data["speakers"])
    form = SessionForm(data, event=event)
    if not form.is_valid():
        raise _invalid(form)
    clean = form.cleaned_data
    try:
        session = event_domain.add_session(
            actor=request_user(request),
            event=event,
            starts_at=clean["starts_at"],
            ends_at=clean["ends_at"],
            room=clean["room"],
            title_zh=clean["title_zh"],
            title_en=clean["title_en"],
            speaker_names=clean["speakers"],
            ip=_ip(request),
        )
    except event_domain.AgendaConflict as exc:
        fields: dict[str, list[str]] = {}
        for c in exc.conflicts:
            fields.setdefault("room" if c.kind == "room" else "speakers", []).append(c.message)
        raise ApiError(409, "conflict", "The session overlaps another one.", fields) from None
    return Status(201, session)


@router.put("/events/{event_id}/sessions/{session_id}/speakers", response=SessionOut)
def order_speakers(
    request: HttpRequest, event_id: int, session_id: int, payload: SpeakerOrderIn
) -> Any:
    """Set the protocol order of a session's speakers (every speaker once)."""
    event = found(_events(request), event_id)
    require_perm(request, "engagements.change_event", event)
    session = found(event.sessions.all(), session_id)
    try:
        event_domain.set_speaker_order(
            actor=request_user(request), session=session, names=payload.speakers, ip=_ip(request)
        )
    except ValueError:
        raise ApiError(
            422,
            "invalid",
            "List every speaker of the session exactly once.",
            {"speakers": ["must list every speaker of the session exactly once"]},
        ) from None
    return found(event.sessions.prefetch_related("speaker_links__speaker"), session.pk)


# -- registrations ----------------------------------------------------------------------------


def _managed_event(request: HttpRequest, event_id: int) -> Event:
    event: Event = found(_events(request), event_id)
    require_perm(request, "engagements.manage_registrations", event)
    return event


@router.get("/events/{event_id}/registrations", response=list[RegistrationOut])
@paginate(Pagination)
def list_registrations(request: HttpRequest, event_id: int) -> QuerySet[Registration]:
    event = _managed_event(request, event_id)
    return registration_options.with_options(
        rules.registrations_visible_to(request.user).filter(event=event)
    )


@router.post("/events/{event_id}/registrations", response={201: RegistrationOut})
def register(request: HttpRequest, event_id: int, payload: RegistrationIn) -> Status[Registration]:
    """Register someone for a published event (as the public form does, by an organizer):
    a category when the event has categories, the answers (required ones and choices
    checked), invoice details with a fee only, and `consent: true` — the organiser confirms
    the person agreed to the event's notice, whose version is recorded. Field errors name
    `category_id`, `answers.<question id>`, `invoice_title`, `tax_id`, `consent`."""
    event = _managed_event(request, event_id)
    form = api_registration.public_form(event, payload)
    if not form.is_valid():
        raise api_registration.invalid_registration(form)
    try:
        reg = event_domain.register(
            event=event,
            options=form.options(),
            actor=request_user(request),
            ip=_ip(request),
            **form.contact(),
        )
    except registration_options.RegistrationRefused as exc:
        raise api_registration.refused(exc) from None
    except event_domain.AlreadyRegistered:
        raise ApiError(
            409,
            "conflict",
            "This email address is already registered.",
            {"email": ["already registered for this event"]},
        ) from None
    except event_domain.RegistrationClosed:
        raise ApiError(409, "conflict", "Registration for this event is closed.") from None
    return Status(201, found(registration_options.with_options(event.registrations.all()), reg.pk))


@router.post("/events/{event_id}/check-in", response=CheckInOut)
def check_in(request: HttpRequest, event_id: int, payload: CheckInIn) -> dict[str, Any]:
    event = _managed_event(request, event_id)
    code = payload.code.strip().upper().replace("-", "")
    reg = rules.registrations_visible_to(request.user).filter(event=event, code=code).first()
    if reg is None:
        raise ApiError(404, "not_found", "No registration with this code for this event.")
    if reg.status != "confirmed":
        raise ApiError(409, "conflict", "This registration is not confirmed.")
    fresh = event_domain.check_in(actor=request_user(request), registration=reg, ip=_ip(request))
    # Validated by ninja with the request in its context (the personal-data fields ask it).
    return {"registration": reg, "already_checked_in": not fresh}


# -- what follows a visit, meeting or event ----------------------------------------------------

_RECORDS: dict[str, tuple[str, Any]] = {
    "visits": ("visit", rules.visits_visible_to),
    "meetings": ("meeting", rules.meetings_visible_to),
    "events": ("event", rules.events_visible_to),
}


def _record(request: HttpRequest, kind: str, record_id: int) -> Visit | Meeting | Event:
    if kind not in _RECORDS:
        raise ApiError(404, "not_found", "Not found.")
    name, visible = _RECORDS[kind]
    obj: Visit | Meeting | Event = found(visible(request.user), record_id)
    require_perm(request, f"engagements.change_{name}", obj)
    return obj


def _with_people(request: HttpRequest, kind: str, record_id: int) -> Visit | Meeting:
    if kind == "events":  # an event has registrations, not participants
        raise ApiError(404, "not_found", "Not found.")
    obj = _record(request, kind, record_id)
    assert isinstance(obj, Visit | Meeting)
    return obj


@router.post("/{kind}/{record_id}/participants", response={201: ParticipantOut})
def add_participant(
    request: HttpRequest, kind: str, record_id: int, payload: ParticipantIn
) -> Status[Any]:
    """Add a participant to a visit or meeting (`kind` visits or meetings); a name already on
    the list is refused with a field error unless `allow_duplicate`."""
    obj = _with_people(request, kind, record_id)
    form = ParticipantForm(_form_data(payload), user=request.user, record=obj)
    if not form.is_valid():
        raise _invalid(form)
    data = {k: v for k, v in form.cleaned_data.items() if k != "allow_duplicate"}
    person = records.add_participant(
        actor=request_user(request), record=obj, ip=_ip(request), **data
    )
    return Status(201, person)


@router.delete("/{kind}/{record_id}/participants/{participant_id}", response={204: None})
def remove_participant(
    request: HttpRequest, kind: str, record_id: int, participant_id: int
) -> Status[None]:
    """Remove a participant from a visit or meeting."""
    obj = _with_people(request, kind, record_id)
    person = found(obj.participants.all(), participant_id)
    records.remove_participant(actor=request_user(request), participant=person, ip=_ip(request))
    return Status(204, None)


@router.post("/{kind}/{record_id}/outcomes", response={201: OutcomeOut})
def add_outcome(request: HttpRequest, kind: str, record_id: int, payload: OutcomeIn) -> Status[Any]:
    """Record a cooperation intention, commitment, decision or other outcome; `kind` is
    visits, meetings or events."""
    obj = _record(request, kind, record_id)
    form = OutcomeForm(
        _form_data(payload), user=request.user, visit=obj if isinstance(obj, Visit) else None
    )
    if not form.is_valid():
        raise _invalid(form)
    outcome = records.add_outcome(
        actor=request_user(request), record=obj, ip=_ip(request), **form.cleaned_data
    )
    return Status(201, outcome)


@router.post("/{kind}/{record_id}/follow-ups", response={201: FollowUpOut})
def add_follow_up(
    request: HttpRequest, kind: str, record_id: int, payload: FollowUpIn
) -> Status[Any]:
    """A follow-up with its person responsible; a user owner also gets a pipeline task."""
    obj = _record(request, kind, record_id)
    form = FollowUpForm(
        _form_data(payload), user=request.user, visit=obj if isinstance(obj, Visit) else None
    )
    if not form.is_valid():
        raise _invalid(form)
    follow_up = records.add_follow_up(
        actor=request_user(request), record=obj, ip=_ip(request), **form.cleaned_data
    )
    return Status(201, follow_up)


@router.put("/visits/{visit_id}/stops/{stop_id}/minutes", response=StopOut)
def record_minutes(request: HttpRequest, visit_id: int, stop_id: int, payload: MinutesIn) -> Any:
    """Record a stop's minutes; 403 for another park's stop, whose minutes are not the
    caller's to read or overwrite (engagements.rules)."""
    visit = found(_visits(request), visit_id)
    require_perm(request, "engagements.change_visit", visit)
    stop = found(visit.stops.select_related("organization", "visit"), stop_id)
    require_perm(request, "engagements.view_stop_details", stop)
    visit_domain.record_minutes(
        actor=request_user(request), stop=stop, minutes=payload.minutes, ip=_ip(request)
    )
    return rules.shown_stops(rules.visit_disclosure(request.user, visit), [stop])[0]


# News posts (api_news.py) and registration options (api_registration.py) register their
# operations on this router.
from luodi.engagements import (  # noqa: E402
    api_news,  # noqa: F401
    api_registration,
)
