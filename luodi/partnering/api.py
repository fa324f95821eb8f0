"""Partnering API: sessions, participants (published offers and seeks), suggested
counterparts with their explanation, and the meeting lifecycle (request, accept, decline or
cancel, schedule, outcome, follow-up as a matchmaking record or a project), plus each
participant's free slots.

Reads start from the `rules.*_visible_to(user)` querysets (anything else is a 404); writes
go through domain.py / outcomes.py; a slot that is no longer free is a 409 `slot_taken`,
a stale `version` a 409 `conflict`, bad input a 422, in the shared error shape.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.pagination import paginate
from ninja.responses import Status

from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.accounts.rules import org_ids
from luodi.catalog.models import Achievement, Organization
from luodi.catalog.rules import achievements_visible_to
from luodi.concurrency import refusals
from luodi.errors import ApiError, Pagination, invalid, require_perm, resolved, stable_order
from luodi.partnering import domain, outcomes, rules, setup
from luodi.partnering.models import Meeting, Participant, PartneringSession, Window
from luodi.partnering.schemas import (
    AcceptIn,
    AnswerIn,
    AvailabilityIn,
    AvailabilityOut,
    JoinIn,
    PartneringFollowUpIn,
    PartneringFollowUpOut,
    PartneringMeetingOut,
    PartneringOutcomeIn,
    PartneringParticipantOut,
    PartneringRequestIn,
    PartneringSessionOut,
    PartneringSuggestionOut,
    ProposedOut,
    ScheduleIn,
    SessionSettingsIn,
    WindowIn,
)
from luodi.partnering.suggest import suggestions

router = Router(tags=["partnering"])


def _session(request: HttpRequest, session_id: int) -> PartneringSession:
    return get_object_or_404(
        rules.sessions_visible_to(request.user).select_related("event"), pk=session_id
    )


def _seat(request: HttpRequest, session: PartneringSession) -> Participant:
    seat = rules.seat_of(request.user, session)
    if seat is None:
        raise ApiError(403, "not_participant", "You are not registered for this session.")
    return seat


def _meetings(request: HttpRequest) -> QuerySet[Meeting]:
    return rules.meetings_visible_to(request.user).select_related(
        "session__event", "a__organization", "b__organization", "a__user", "b__user"
    )


def _meeting(request: HttpRequest, meeting_id: int, perm: str) -> Meeting:
    meeting = get_object_or_404(_meetings(request), pk=meeting_id)
    require_perm(request, perm, meeting)
    return meeting


def _p(p: Participant) -> dict[str, Any]:
    return {
        "id": p.pk,
        "organization_id": p.organization_id,
        "organization": p.organization.display_name,
        "offer": p.offer,
        "seek": p.seek,
        "is_published": p.is_published,
    }


def _m(m: Meeting) -> dict[str, Any]:
    return {
        "id": m.pk,
        "session_id": m.session_id,
        "a": _p(m.a),
        "b": _p(m.b),
        "origin": m.origin,
        "state": m.state,
        "a_accepted": m.a_accepted,
        "b_accepted": m.b_accepted,
        "starts_at": m.starts_at,
        "ends_at": m.ends_at,
        "table": m.table_label,
        "score": float(m.score),
        "reasons": m.reasons,
        "outcome": m.outcome,
        "outcome_note": m.outcome_note,
        "no_show_of": m.no_show_of_id,
        "match_record_id": m.match_record_id,
        "project_id": m.project_id,
        "version": m.version,
    }


def _s(s: PartneringSession) -> dict[str, Any]:
    return {
        "id": s.pk,
        "event_id": s.event_id,
        "event_title": s.event.title,
        "slot_minutes": s.slot_minutes,
        "tables": s.tables,
        "is_open": s.is_open,
        "windows": list(s.windows.all()),
        "slots": s.slots(),
        "is_demo": s.is_demo,
        "version": s.version,
    }


def _booking_refusals(exc: ValidationError) -> ApiError:
    if hasattr(exc, "error_dict") and "starts_at" in exc.error_dict:
        return ApiError(409, "slot_taken", " ".join(exc.message_dict["starts_at"]))
    fields = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return invalid(fields)


def _fresh(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    return _m(get_object_or_404(_meetings(request), pk=meeting.pk))


# -- sessions and participants ----------------------------------------------------------------


@router.get("/sessions", response=list[PartneringSessionOut])
@paginate(Pagination)
@resolved
def list_sessions(request: HttpRequest) -> list[dict[str, Any]]:
    """Partnering sessions of the events the caller may see."""
    qs = stable_order(rules.sessions_visible_to(request.user).select_related("event"))
    return [_s(s) for s in qs.prefetch_related("windows")]


@router.get("/sessions/{session_id}", response=PartneringSessionOut)
def get_session(request: HttpRequest, session_id: int) -> dict[str, Any]:
    return _s(_session(request, session_id))


@router.patch("/sessions/{session_id}", response=PartneringSessionOut)
def update_session(
    request: HttpRequest, session_id: int, payload: SessionSettingsIn
) -> dict[str, Any]:
    """Organisers: the number of tables and whether requests are taken. 422 when fewer
    tables would strand a booked meeting; 409 on a stale `version`."""
    session = _session(request, session_id)
    require_perm(request, "partnering.organise", session)
    with refusals():
        setup.update_session(
            actor=request_user(request),
            session=session,
            tables=payload.tables,
            is_open=payload.is_open,
            expected_version=payload.version,
            ip=audit.client_ip(request),
        )
    return _s(_session(request, session_id))


@router.post("/sessions/{session_id}/windows", response={201: PartneringSessionOut})
def add_window(request: HttpRequest, session_id: int, payload: WindowIn) -> Status[dict[str, Any]]:
    """Organisers: another meeting window (422 when it overlaps one or is shorter than a
    slot)."""
    session = _session(request, session_id)
    require_perm(request, "partnering.organise", session)
    with refusals({"start": "starts_at", "end": "ends_at"}):
        setup.add_window(
            actor=request_user(request),
            session=session,
            starts_at=payload.starts_at,
            ends_at=payload.ends_at,
            ip=audit.client_ip(request),
        )
    return Status(201, _s(_session(request, session_id)))


@router.delete("/sessions/{session_id}/windows/{window_id}", response=PartneringSessionOut)
def remove_window(request: HttpRequest, session_id: int, window_id: int) -> dict[str, Any]:
    """Organisers: remove a window with no booked meeting in it (422 otherwise)."""
    session = _session(request, session_id)
    require_perm(request, "partnering.organise", session)
    window = get_object_or_404(Window, pk=window_id, session=session)
    with refusals():
        setup.remove_window(actor=request_user(request), window=window, ip=audit.client_ip(request))
    return _s(_session(request, session_id))


@router.get("/sessions/{session_id}/participants", response=list[PartneringParticipantOut])
def list_participants(request: HttpRequest, session_id: int) -> list[dict[str, Any]]:
    """The published participants with what they offer and seek (organisers: all of them;
    someone not registered: none)."""
    session = _session(request, session_id)
    qs = rules.participants_visible_to(request.user).filter(session=session)
    return [_p(p) for p in qs.select_related("organization")]


@router.post("/sessions/{session_id}/participants", response={201: PartneringParticipantOut})
def join(request: HttpRequest, session_id: int, payload: JoinIn) -> Status[dict[str, Any]]:
    """Register for meetings for one of your organizations; `offer`/`seek` left out are
    prefilled from its achievements, needs and profile."""
    session = _session(request, session_id)
    require_perm(request, "partnering.join", session)
    if payload.organization_id not in org_ids(request.user):
        raise invalid({"organization_id": ["Not one of your organizations."]})
    org = Organization.objects.get(pk=payload.organization_id)
    with refusals():
        seat = domain.join(
            actor=request_user(request),
            session=session,
            organization=org,
            offer=payload.offer,
            seek=payload.seek,
            ip=audit.client_ip(request),
        )
    return Status(201, _p(seat))


@router.get("/sessions/{session_id}/suggestions", response=list[PartneringSuggestionOut])
def list_suggestions(request: HttpRequest, session_id: int) -> list[dict[str, Any]]:
    """Counterparts ranked by the match engine for the caller, each with its reasons."""
    seat = _seat(request, _session(request, session_id))
    return [
        {"participant": _p(s.participant), "score": s.score, "reasons": s.as_json()}
        for s in suggestions(request.user, seat)
    ]


@router.get("/sessions/{session_id}/availability", response=AvailabilityOut)
def get_availability(request: HttpRequest, session_id: int) -> dict[str, Any]:
    seat = _seat(request, _session(request, session_id))
    return {"free": domain.free_slots(seat)}


@router.put("/sessions/{session_id}/availability", response=AvailabilityOut)
def put_availability(
    request: HttpRequest, session_id: int, payload: AvailabilityIn
) -> dict[str, Any]:
    """The slots you are free in (others are ignored; booked slots stay)."""
    seat = _seat(request, _session(request, session_id))
    domain.set_availability(
        actor=request_user(request),
        participant=seat,
        free=payload.free,
        ip=audit.client_ip(request),
    )
    return {"free": domain.free_slots(seat)}


# -- meetings ---------------------------------------------------------------------------------


@router.get("/sessions/{session_id}/meetings", response=list[PartneringMeetingOut])
def list_meetings(request: HttpRequest, session_id: int) -> list[dict[str, Any]]:
    """Your own meetings in the session (organisers: every meeting), in slot order."""
    session = _session(request, session_id)
    return [_m(m) for m in _meetings(request).filter(session=session).order_by("starts_at", "id")]


@router.post("/sessions/{session_id}/meetings", response={201: PartneringMeetingOut})
def request_meeting(
    request: HttpRequest, session_id: int, payload: PartneringRequestIn
) -> Status[dict[str, Any]]:
    """Ask a published participant for a meeting (at `starts_at`, or your first common free
    slot); it is booked when they accept."""
    session = _session(request, session_id)
    seat = _seat(request, session)
    other = (
        rules.participants_visible_to(request.user)
        .filter(session=session, is_published=True, pk=payload.participant_id)
        .first()
    )
    if other is None:
        raise invalid({"participant_id": ["No such participant in this session."]})
    try:
        m = domain.propose(
            actor=request_user(request),
            a=seat,
            b=other,
            starts_at=payload.starts_at,
            message=payload.message,
            ip=audit.client_ip(request),
        )
    except ValidationError as exc:
        raise _booking_refusals(exc) from None
    return Status(201, _fresh(request, m))


@router.post("/sessions/{session_id}/schedule", response={201: PartneringMeetingOut})
def schedule(request: HttpRequest, session_id: int, payload: ScheduleIn) -> Status[dict[str, Any]]:
    """Organisers: book a meeting between two participants outright."""
    session = _session(request, session_id)
    require_perm(request, "partnering.organise", session)
    people = {p.pk: p for p in session.participants.filter(pk__in=[payload.a_id, payload.b_id])}
    if payload.a_id not in people or payload.b_id not in people:
        raise invalid({"b_id": ["Both must be participants of this session."]})
    try:
        m = domain.schedule(
            actor=request_user(request),
            a=people[payload.a_id],
            b=people[payload.b_id],
            starts_at=payload.starts_at,
            ip=audit.client_ip(request),
        )
    except ValidationError as exc:
        raise _booking_refusals(exc) from None
    return Status(201, _fresh(request, m))


@router.post("/sessions/{session_id}/propose", response=ProposedOut)
def propose(request: HttpRequest, session_id: int) -> dict[str, Any]:
    """Organisers: proposals for every participant from the match engine."""
    session = _session(request, session_id)
    require_perm(request, "partnering.organise", session)
    made = outcomes.propose_from_engine(
        actor=request_user(request), session=session, ip=audit.client_ip(request)
    )
    return {"proposed": len(made)}


@router.get("/meetings/{meeting_id}", response=PartneringMeetingOut)
def get_meeting(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    return _m(get_object_or_404(_meetings(request), pk=meeting_id))


@router.post("/meetings/{meeting_id}/accept", response=PartneringMeetingOut)
def accept(request: HttpRequest, meeting_id: int, payload: AcceptIn) -> dict[str, Any]:
    """Accept (your side; organisers: both). Booked when both accepted and both are free:
    a slot taken meanwhile is a 409 `slot_taken` and nothing changes."""
    meeting = _meeting(request, meeting_id, "partnering.answer_meeting")
    seat = rules.seat_of(request.user, meeting.session)
    side = seat if seat is not None and meeting.side_of(seat) else None
    if side is None:
        require_perm(request, "partnering.organise", meeting)
    try:
        with refusals():
            try:
                domain.accept(
                    actor=request_user(request),
                    meeting=meeting,
                    side=side,
                    starts_at=payload.starts_at,
                    expected_version=payload.version,
                    ip=audit.client_ip(request),
                )
            except ValidationError as exc:
                raise _booking_refusals(exc) from None
    except ApiError:
        raise
    return _fresh(request, meeting)


@router.post("/meetings/{meeting_id}/decline", response=PartneringMeetingOut)
def decline(request: HttpRequest, meeting_id: int, payload: AnswerIn) -> dict[str, Any]:
    """Decline an open meeting, or cancel a booked one (its slots and table are freed)."""
    meeting = _meeting(request, meeting_id, "partnering.answer_meeting")
    with refusals():
        domain.decline(
            actor=request_user(request),
            meeting=meeting,
            expected_version=payload.version,
            ip=audit.client_ip(request),
        )
    return _fresh(request, meeting)


@router.post("/meetings/{meeting_id}/outcome", response=PartneringMeetingOut)
def outcome(request: HttpRequest, meeting_id: int, payload: PartneringOutcomeIn) -> dict[str, Any]:
    """Record a booked meeting as held (with its outcome) or as a no-show."""
    meeting = _meeting(request, meeting_id, "partnering.record_outcome")
    no_show = None
    if payload.no_show_of is not None:
        no_show = Participant.objects.filter(
            pk=payload.no_show_of, pk__in=[meeting.a_id, meeting.b_id]
        ).first()
        if no_show is None:
            raise invalid({"no_show_of": ["Choose one side of this meeting."]})
    if payload.outcome and payload.outcome not in {"follow_up", "no_fit", "deal"}:
        raise invalid({"outcome": ["Choose follow_up, no_fit or deal."]})
    with refusals():
        domain.record_outcome(
            actor=request_user(request),
            meeting=meeting,
            held=payload.held,
            outcome=payload.outcome,
            note=payload.note,
            no_show_of=no_show,
            expected_version=payload.version,
            ip=audit.client_ip(request),
        )
    return _fresh(request, meeting)


def _follow_up(
    request: HttpRequest, meeting_id: int, payload: PartneringFollowUpIn, to: str
) -> dict[str, Any]:
    meeting = _meeting(request, meeting_id, "partnering.record_outcome")
    if to == "project":
        require_perm(request, "pipeline.add_project")
    achievement = achievements_visible_to(request.user).filter(pk=payload.achievement_id).first()
    if not isinstance(achievement, Achievement):
        raise invalid({"achievement_id": ["No such achievement."]})
    write = outcomes.to_project if to == "project" else outcomes.to_match_record
    with refusals():
        write(
            actor=request_user(request),
            meeting=meeting,
            achievement=achievement,
            ip=audit.client_ip(request),
        )
    meeting.refresh_from_db()
    return {
        "meeting_id": meeting.pk,
        "match_record_id": meeting.match_record_id,
        "project_id": meeting.project_id,
    }


@router.post("/meetings/{meeting_id}/match-record", response=PartneringFollowUpOut)
def to_match_record(
    request: HttpRequest, meeting_id: int, payload: PartneringFollowUpIn
) -> dict[str, Any]:
    """A held meeting as a matchmaking record ("in discussion") for the achievement."""
    return _follow_up(request, meeting_id, payload, "match")


@router.post("/meetings/{meeting_id}/project", response=PartneringFollowUpOut)
def to_project(
    request: HttpRequest, meeting_id: int, payload: PartneringFollowUpIn
) -> dict[str, Any]:
    """Staff: a held meeting as a transformation project for the achievement."""
    return _follow_up(request, meeting_id, payload, "project")
