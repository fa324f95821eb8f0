"""Matchmaking API (mounted at /api/matchmaking/): matches, feedback, match records, dossier
access requests and what was learned.

    GET  /matches/{source_kind}/{source_id}?tab=&k=   ranked, explained candidates
    POST /feedback                                    shortlist / introduce / decline a pair
    GET  /records                                     match records of my organizations
    POST /records/{id}/status                         move a record on
    GET  /access-requests                             mine and those on my achievements
    POST /access-requests                             request (optionally accepting the NDA)
    POST /access-requests/{id}/accept-nda | approve | reject
    GET  /nda                                         the NDA text and version
    GET  /nda-invitations?achievement_id=             invitations to confidential achievements
    POST /nda-invitations                             invite an organization (owner or staff)
    POST /nda-invitations/{id}/revoke                 hide the achievement from it again
    GET  /learned/{org_id}                            learned ranking rules of an organization

Every list starts from the catalog's visible querysets (see queries.py); a source or target
the user may not see is a 404, so existence is never confirmed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.responses import Status as Respond

from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.control_chars import InputSchema
from luodi.disclosure.models import NdaInvitation
from luodi.errors import ApiError
from luodi.matchmaking import actions, domain, feedback, queries
from luodi.matchmaking.models import AccessRequest, MatchRecord, SourceKind
from luodi.matchmaking.rules import (
    access_requests_visible_to,
    invitations_visible_to,
    records_visible_to,
)

router = Router(tags=["matchmaking"])
T = TypeVar("T")

Status = Literal["shortlisted", "introduced", "in_discussion", "converted", "declined"]
Reason = Literal["", "too_early", "wrong_field", "no_capacity", "terms", "other"]


class ReasonOut(Schema):
    code: str
    text: str
    ok: bool | None
    delta: float
    hard: bool


class CandidateOut(Schema):
    target_kind: str
    id: int = Field(..., alias="pk")
    label: str
    score: float
    relevance: float
    similarity: float | None
    matched: dict[str, list[str]]
    reasons: list[ReasonOut]
    blocked: bool
    role: str
    status: str
    record_id: int | None


class MatchListOut(Schema):
    source_kind: str
    source_id: int
    tab: str
    method: str
    note: str
    total: int
    items: list[CandidateOut]


class FeedbackIn(InputSchema):
    source_kind: Literal["achievement", "organization", "need", "trial"]
    source_id: int
    target_kind: Literal["company", "investor", "park", "center", "achievement", "team"]
    target_id: int
    status: Status = "declined"
    reason: Reason = ""
    note: str = Field("", max_length=2000)


class StatusIn(InputSchema):
    status: Status
    reason: Reason = ""
    note: str = Field("", max_length=2000)


class RecordOut(Schema):
    id: int
    source_kind: str
    source_id: int
    target_kind: str
    target_id: int
    achievement_id: int | None
    counterparty_id: int | None
    status: str
    decline_reason: str
    note: str
    score: float
    updated_at: datetime


class AccessRequestIn(InputSchema):
    achievement_id: int
    message: str = Field("", max_length=2000)
    accept_nda: bool = False


class ApproveIn(InputSchema):
    expires_at: datetime


class AccessRequestOut(Schema):
    id: int
    achievement_id: int
    organization_id: int | None
    requested_by_id: int
    status: str
    nda_version: str
    nda_accepted_at: datetime | None
    expires_at: datetime | None
    grant_id: int | None


class NdaOut(Schema):
    version: str
    text: str


class InvitationIn(InputSchema):
    achievement_id: int
    organization_id: int
    expires_at: datetime | None = Field(None, description="Default: in 90 days.")


class InvitationOut(Schema):
    id: int
    achievement_id: int
    organization_id: int
    invited_by_id: int | None
    invited_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    live: bool = Field(description="Not revoked and not expired: the teaser is open to it.")

    @staticmethod
    def resolve_live(obj: NdaInvitation) -> bool:
        return obj.revoked_at is None and obj.expires_at > timezone.now()


class MatchAnsweredOut(Schema):
    """An achievement the organization accepted or declined. `achievement_id` and `title`
    are empty when the caller may not see the achievement."""

    achievement_id: int | None
    title: str
    accepted: bool
    status: str
    reason: str
    at: datetime


class LearnedOut(Schema):
    organization_id: int
    rules: list[str]
    reasons: dict[str, int]
    accepted: int
    answered: list[MatchAnsweredOut]


def _run(fn: Callable[..., T], **kwargs: Any) -> T:
    """Call an action; a missing or invisible object is a 404."""
    try:
        return fn(**kwargs)
    except ObjectDoesNotExist:
        raise Http404 from None


@router.get(
    "/matches/{source_kind}/{source_id}",
    response=MatchListOut,
    summary="Ranked, explained candidates for an achievement, organization, need or trial",
)
def get_matches(
    request: HttpRequest, source_kind: SourceKind, source_id: int, tab: str = "", k: int = 20
) -> dict[str, Any]:
    kind = str(source_kind.value)  # an unknown kind is a 422 from the path's validation
    source = _run(queries.load_source, user=request.user, kind=kind, pk=source_id)
    tab = tab or (source.tabs[0] if source.tabs else "")
    if tab not in source.tabs:
        raise ApiError(422, "invalid", "Unknown tab.", {"tab": [f"one of {list(source.tabs)}"]})
    ml = queries.matches(request.user, source, tab, k=max(1, min(k, 100)))
    return {
        "source_kind": kind,
        "source_id": source_id,
        "tab": tab,
        "method": ml.method,
        "note": str(ml.note),
        "total": ml.total,
        "items": ml.items,
    }


@router.post(
    "/feedback",
    response={201: RecordOut},
    summary="Shortlist, introduce or decline a suggested pair (a decline needs a reason)",
)
def post_feedback(request: HttpRequest, payload: FeedbackIn) -> Respond[MatchRecord]:
    rec = _run(
        actions.act,
        user=request_user(request),
        source_kind=payload.source_kind,
        source_id=payload.source_id,
        target_kind=payload.target_kind,
        target_id=payload.target_id,
        status=payload.status,
        reason=payload.reason,
        note=payload.note,
        ip=audit.client_ip(request),
        link=request.build_absolute_uri(reverse("matchmaking:inbox")),
    )
    return Respond(201, rec)


@router.get("/records", response=list[RecordOut], summary="Match records of my organizations")
def list_records(request: HttpRequest, status: str = "") -> list[MatchRecord]:
    qs = records_visible_to(request.user)
    if status:
        qs = qs.filter(status=status)
    return list(qs[:200])


@router.post("/records/{record_id}/status", response=RecordOut, summary="Move a match on")
def post_record_status(request: HttpRequest, record_id: int, payload: StatusIn) -> MatchRecord:
    return _run(
        actions.change_record,
        user=request_user(request),
        record_id=record_id,
        status=payload.status,
        reason=payload.reason,
        note=payload.note,
        ip=audit.client_ip(request),
        link=request.build_absolute_uri(reverse("matchmaking:inbox")),
    )


@router.get(
    "/access-requests",
    response=list[AccessRequestOut],
    summary="Dossier access requests: mine and those on my achievements",
)
def list_access_requests(request: HttpRequest) -> list[AccessRequest]:
    return list(access_requests_visible_to(request.user)[:200])


@router.post(
    "/access-requests",
    response={201: AccessRequestOut},
    summary="Request access to a withheld dossier",
)
def post_access_request(request: HttpRequest, payload: AccessRequestIn) -> Respond[AccessRequest]:
    try:
        req = _run(
            actions.request_access,
            user=request_user(request),
            achievement_id=payload.achievement_id,
            message=payload.message,
            accept_nda=payload.accept_nda,
            ip=audit.client_ip(request),
        )
    except PermissionDenied:
        raise ApiError(409, "conflict", "The dossier is already visible to you.") from None
    return Respond(201, req)


@router.post(
    "/access-requests/{request_id}/accept-nda",
    response=AccessRequestOut,
    summary="Accept the NDA (its current version) for a request",
)
def post_accept_nda(request: HttpRequest, request_id: int) -> AccessRequest:
    return _run(
        actions.accept_nda,
        user=request_user(request),
        request_id=request_id,
        ip=audit.client_ip(request),
    )


@router.post(
    "/access-requests/{request_id}/approve",
    response=AccessRequestOut,
    summary="Approve (owner or staff): creates an access grant that expires",
)
def post_approve(request: HttpRequest, request_id: int, payload: ApproveIn) -> AccessRequest:
    return _run(
        actions.decide_access,
        user=request_user(request),
        request_id=request_id,
        approve=True,
        expires_at=payload.expires_at,
        ip=audit.client_ip(request),
    )


@router.post(
    "/access-requests/{request_id}/reject",
    response=AccessRequestOut,
    summary="Reject (owner or staff)",
)
def post_reject(request: HttpRequest, request_id: int) -> AccessRequest:
    return _run(
        actions.decide_access,
        user=request_user(request),
        request_id=request_id,
        approve=False,
        ip=audit.client_ip(request),
    )


@router.get("/nda", response=NdaOut, summary="The NDA text accepted in the platform")
def get_nda(request: HttpRequest) -> dict[str, str]:
    return {"version": domain.NDA_VERSION, "text": domain.nda_text()}


@router.get(
    "/nda-invitations",
    response=list[InvitationOut],
    summary="NDA invitations: of my confidential achievements, and live ones to my organizations",
)
def list_invitations(request: HttpRequest, achievement_id: int | None = None) -> list[Any]:
    qs = invitations_visible_to(request.user)
    if achievement_id is not None:
        qs = qs.filter(achievement_id=achievement_id)
    return list(qs[:200])


@router.post(
    "/nda-invitations",
    response={201: InvitationOut},
    summary="Invite an organization to a confidential achievement's NDA (owner or staff)",
)
def post_invitation(request: HttpRequest, payload: InvitationIn) -> Respond[NdaInvitation]:
    invitation = _run(
        actions.invite_to_nda,
        user=request_user(request),
        achievement_id=payload.achievement_id,
        organization_id=payload.organization_id,
        expires_at=payload.expires_at,
        ip=audit.client_ip(request),
    )
    return Respond(201, invitation)


@router.post(
    "/nda-invitations/{invitation_id}/revoke",
    response=InvitationOut,
    summary="Revoke an invitation: closes its requests and grants, hides the achievement again",
)
def post_revoke_invitation(request: HttpRequest, invitation_id: int) -> NdaInvitation:
    return _run(
        actions.revoke_invitation,
        user=request_user(request),
        invitation_id=invitation_id,
        ip=audit.client_ip(request),
    )


@router.get(
    "/learned/{org_id}",
    response=LearnedOut,
    summary="What was learned about an organization from its feedback",
)
def get_learned(request: HttpRequest, org_id: int) -> dict[str, Any]:
    report = feedback.learned_report(request_user(request), org_id)
    rules = report.learned
    return {
        "organization_id": org_id,
        "rules": report.lines,
        "reasons": dict(rules.reasons) if rules else {},
        "accepted": rules.accepted if rules else 0,
        "answered": report.answered,
    }
