"""Conferences API: conferences, their abstracts (as the caller may see them), submission by
signed-in users, reviews, decisions, placement in the timetable and the public programme.
Errors in the project's one shape `{"error": {"code", "message", "fields"}}`."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate
from ninja.responses import Status

from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.accounts.rules import AnyUser
from luodi.concurrency import refusals
from luodi.conferences import domain, queries, rules
from luodi.conferences.forms import AssignForm
from luodi.conferences.models import Abstract, AbstractReview, Conference
from luodi.conferences.schemas import (
    AbstractDecisionIn,
    AbstractIn,
    AbstractOut,
    AbstractReviewOut,
    AssignIn,
    AuthorSchema,
    ConferenceOut,
    PlacementIn,
    ProgrammeItemOut,
    ReviewIn,
)
from luodi.engagements.domain.events import AgendaConflict
from luodi.errors import ApiError, Pagination, found, from_validation, require_perm

router = Router(tags=["conferences"])


def _ip(request: HttpRequest) -> str | None:
    return audit.client_ip(request)


def _conf_out(c: Conference) -> ConferenceOut:
    return ConferenceOut(
        id=c.pk,
        event_id=c.event_id,
        title=c.event.title,
        call_opens_at=c.call_opens_at,
        call_closes_at=c.call_closes_at,
        call_open=c.call_is_open(),
        topics=c.topic_list,
        reviews_wanted=c.reviews_wanted,
        blind_review=c.blind_review,
        slot_minutes=c.slot_minutes,
        version=c.version,
    )


def _abstract_out(a: Abstract, user: AnyUser) -> AbstractOut:
    session = a.session
    shown = rules.may_see_authors(user, a)
    return AbstractOut(
        id=a.pk,
        conference_id=a.conference_id,
        title=a.title,
        body=a.body,
        topic=a.topic,
        preference=a.preference,
        status=a.status,
        authors=[
            AuthorSchema(name=x.name, affiliation=x.affiliation, presenting=x.presenting)
            for x in (a.author_list if shown else [])
        ],
        authors_withheld=not shown,
        room=a.room.name if a.room is not None else None,
        starts_at=session.starts_at if session is not None else None,
        ends_at=session.ends_at if session is not None else None,
        version=a.version,
    )


def _review_out(r: AbstractReview) -> AbstractReviewOut:
    return AbstractReviewOut(
        id=r.pk,
        abstract_id=r.abstract_id,
        reviewer=r.reviewer.get_username(),
        score=r.score,
        comment=r.comment,
        reviewed_at=r.reviewed_at,
    )


def _abstracts(request: HttpRequest) -> QuerySet[Abstract]:
    return (
        rules.abstracts_visible_to(request.user)
        .select_related("room", "session", "conference__event")
        .prefetch_related(queries.AUTHORS)
    )


def _managed_abstract(request: HttpRequest, abstract_id: int) -> Abstract:
    abstract: Abstract = found(_abstracts(request), abstract_id)
    require_perm(request, "conferences.manage_conference", abstract.conference)
    return abstract


@router.get("/", response=list[ConferenceOut])
@paginate(Pagination)
def list_conferences(request: HttpRequest) -> list[ConferenceOut]:
    qs = rules.conferences_visible_to(request.user).select_related("event").order_by("pk")
    return [_conf_out(c) for c in qs]


@router.get("/{conference_id}", response=ConferenceOut)
def get_conference(request: HttpRequest, conference_id: int) -> ConferenceOut:
    return _conf_out(
        found(rules.conferences_visible_to(request.user).select_related("event"), conference_id)
    )


@router.get("/{conference_id}/abstracts", response=list[AbstractOut])
@paginate(Pagination)
def list_abstracts(request: HttpRequest, conference_id: int) -> list[AbstractOut]:
    """The conference's abstracts the caller may see: all for organisers, the assigned ones
    for a reviewer, their own for a submitter."""
    found(rules.conferences_visible_to(request.user), conference_id)
    return [
        _abstract_out(a, request.user)
        for a in _abstracts(request).filter(conference_id=conference_id)
    ]


@router.post("/{conference_id}/abstracts", response={201: AbstractOut})
def submit_abstract(
    request: HttpRequest, conference_id: int, payload: AbstractIn
) -> Status[AbstractOut]:
    """Submit an abstract as the signed-in caller (the public form needs no account);
    409 `call_closed` outside the call's dates."""
    conf = found(rules.public_conferences().select_related("event"), conference_id)
    try:
        abstract = domain.submit_abstract(
            conference=conf,
            title=payload.title,
            body=payload.body,
            topic=payload.topic,
            preference=payload.preference,
            contact_email=payload.contact_email,
            authors=[domain.AuthorIn(a.name, a.affiliation, a.presenting) for a in payload.authors],
            submitter=request_user(request),
            ip=_ip(request),
        )
    except domain.CallClosed:
        raise ApiError(409, "call_closed", "The call for abstracts is closed.") from None
    except ValidationError as exc:
        raise from_validation(exc) from None
    return Status(201, _abstract_out(found(_abstracts(request), abstract.pk), request.user))


@router.get("/abstracts/{abstract_id}", response=AbstractOut)
def get_abstract(request: HttpRequest, abstract_id: int) -> AbstractOut:
    return _abstract_out(found(_abstracts(request), abstract_id), request.user)


@router.get("/abstracts/{abstract_id}/reviews", response=list[AbstractReviewOut])
def list_reviews(request: HttpRequest, abstract_id: int) -> list[AbstractReviewOut]:
    """Every review for organisers; a reviewer gets only their own."""
    abstract = found(_abstracts(request), abstract_id)
    qs = rules.reviews_visible_to(request.user).filter(abstract=abstract).select_related("reviewer")
    return [_review_out(r) for r in qs]


@router.post("/abstracts/{abstract_id}/reviewers", response={201: AbstractReviewOut})
def assign_reviewer(
    request: HttpRequest, abstract_id: int, payload: AssignIn
) -> Status[AbstractReviewOut]:
    abstract = _managed_abstract(request, abstract_id)
    form = AssignForm({"reviewer": payload.reviewer})
    if not form.is_valid():
        raise ApiError(
            422,
            "invalid",
            "No such reviewer.",
            {"reviewer": [str(m) for m in form.errors["reviewer"]]},
        )
    try:
        review = domain.assign_reviewer(
            actor=request_user(request),
            abstract=abstract,
            reviewer=form.cleaned_data["reviewer"],
            ip=_ip(request),
        )
    except domain.AlreadyAssigned:
        raise ApiError(409, "already_assigned", "Already assigned to this abstract.") from None
    except ValidationError as exc:
        raise from_validation(exc) from None
    return Status(201, _review_out(review))


@router.put("/abstracts/{abstract_id}/review", response=AbstractReviewOut)
def submit_review(request: HttpRequest, abstract_id: int, payload: ReviewIn) -> AbstractReviewOut:
    """The caller's own review of an abstract assigned to them."""
    abstract = found(_abstracts(request), abstract_id)
    review = AbstractReview.objects.filter(abstract=abstract, reviewer_id=request.user.pk).first()
    if review is None:
        raise ApiError(403, "forbidden", "This abstract is not assigned to you.")
    try:
        saved = domain.submit_review(
            actor=request_user(request),
            review=review,
            score=payload.score,
            comment=payload.comment,
            ip=_ip(request),
        )
    except ValidationError as exc:
        raise from_validation(exc) from None
    return _review_out(saved)


@router.post("/abstracts/{abstract_id}/decision", response=AbstractOut)
def decide(request: HttpRequest, abstract_id: int, payload: AbstractDecisionIn) -> AbstractOut:
    """Accept as oral or poster, or reject; 409 `conflict` when `version` is stale."""
    abstract = _managed_abstract(request, abstract_id)
    with refusals():
        domain.decide(
            actor=request_user(request),
            abstract=abstract,
            decision=payload.decision,
            expected_version=payload.version,
            base_url=request.build_absolute_uri("/").rstrip("/"),
            ip=_ip(request),
        )
    return _abstract_out(found(_abstracts(request), abstract_id), request.user)


@router.put("/abstracts/{abstract_id}/placement", response=AbstractOut)
def place(request: HttpRequest, abstract_id: int, payload: PlacementIn) -> AbstractOut:
    """Place (or move) an accepted abstract for one slot; 409 `conflict` naming the room or
    the speaker already booked, 422 for a slot outside the programme days."""
    abstract = _managed_abstract(request, abstract_id)
    room = found(abstract.conference.rooms.all(), payload.room_id)
    try:
        with refusals({"slot": "starts_at", "room": "room_id"}):
            domain.place(
                actor=request_user(request),
                abstract=abstract,
                room=room,
                starts_at=payload.starts_at,
                expected_version=payload.version,
                ip=_ip(request),
            )
    except AgendaConflict as exc:
        fields: dict[str, list[str]] = {}
        for c in exc.conflicts:
            fields.setdefault("room_id" if c.kind == "room" else "starts_at", []).append(c.message)
        raise ApiError(409, "conflict", "The slot is already taken.", fields) from None
    return _abstract_out(found(_abstracts(request), abstract_id), request.user)


@router.get("/{conference_id}/programme", response=list[ProgrammeItemOut])
def programme(request: HttpRequest, conference_id: int) -> list[ProgrammeItemOut]:
    """The public programme of a published conference (accepted, placed abstracts and the
    event's other agenda sessions)."""
    conf = found(rules.public_conferences().select_related("event"), conference_id)
    return [
        ProgrammeItemOut(
            session_id=s.pk,
            title=s.title,
            room=s.room,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            speakers=[sp.name for sp in s.speaker_list],
            abstract_id=getattr(getattr(s, "abstract", None), "pk", None),
        )
        for _day, sessions in queries.public_programme(conf)
        for s in sessions
    ]
