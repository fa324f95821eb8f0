"""Credentials API: session check-in, badge sheets, certificates, CME activities, who is
eligible, awarding and revoking credits, and the XLSX for filing. Organisers only (404 for an
event the caller cannot see, 403 for one they do not organise); errors in the project's one
shape `{"error": {"code", "message", "fields"}}`."""

from __future__ import annotations

import io
from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from ninja.responses import Status

from luodi import downloads, sheets
from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.concurrency import refusals
from luodi.credentials import documents, domain, export, queries, rules
from luodi.credentials.forms import languages
from luodi.credentials.models import Certificate, CertificateKind, CmeActivity, CreditType
from luodi.credentials.schemas import (
    ActivityIn,
    ActivityOut,
    AttendanceOut,
    AwardedOut,
    CertificateOut,
    CreditOut,
    EligibilityOut,
    IssuedOut,
    IssueIn,
    RevokeIn,
    SessionCheckInIn,
)
from luodi.engagements.models import Event, Session
from luodi.engagements.rules import events_visible_to
from luodi.errors import ApiError, found, from_validation, invalid, require_perm

router = Router(tags=["credentials"])


def _ip(request: HttpRequest) -> str | None:
    return audit.client_ip(request)


def _event(request: HttpRequest, event_id: int) -> Event:
    event: Event = found(events_visible_to(request.user).select_related("organizer"), event_id)
    require_perm(request, "credentials.manage", event, "You do not organise this event.")
    return event


def _activity(request: HttpRequest, activity_id: int) -> CmeActivity:
    activity: CmeActivity = found(
        rules.activities_visible_to(request.user).select_related("event__organizer"), activity_id
    )
    require_perm(request, "credentials.manage", activity.event)
    return activity


def _verify_url(request: HttpRequest) -> Any:
    from django.urls import reverse

    return lambda serial: request.build_absolute_uri(reverse("credentials:verify", args=[serial]))


# -- session check-in -----------------------------------------------------------------------


@router.post("/events/{event_id}/session-checkins", response={201: AttendanceOut})
def session_check_in(
    request: HttpRequest, event_id: int, payload: SessionCheckInIn
) -> Status[AttendanceOut]:
    """Check a registrant into a session by the code of their ticket or badge (also into
    the event if not yet). 404 `unknown_code` / `other_event`, 409 `not_confirmed`;
    `created` is false when they were already in."""
    event = _event(request, event_id)
    session = Session.objects.filter(event=event, pk=payload.session_id).first()
    if session is None:
        raise invalid({"session_id": ["No such session at this event."]})
    try:
        attendance, created = domain.check_in_session(
            actor=request_user(request), session=session, code=payload.code, ip=_ip(request)
        )
    except domain.CheckInRefused as exc:
        status = 409 if exc.reason == "not_confirmed" else 404
        raise ApiError(status, exc.reason, exc.message, {"code": [exc.message]}) from None
    return Status(201, _attendance_out(attendance, created))


def _attendance_out(a: Any, created: bool = False) -> AttendanceOut:
    return AttendanceOut(
        id=a.pk,
        session_id=a.session_id,
        registration_id=a.registration_id,
        name=a.registration.name,
        checked_in_at=a.checked_in_at,
        created=created,
    )


@router.get("/events/{event_id}/sessions/{session_id}/attendances", response=list[AttendanceOut])
def session_attendances(
    request: HttpRequest, event_id: int, session_id: int
) -> list[AttendanceOut]:
    event = _event(request, event_id)
    qs = (
        rules.attendances_visible_to(request.user)
        .filter(session__event=event, session_id=session_id)
        .select_related("registration")
    )
    return [_attendance_out(a) for a in qs]


# -- badges ---------------------------------------------------------------------------------


class BadgeQuery(Schema):
    category_id: int | None = None
    only_unprinted: bool = False


@router.post("/events/{event_id}/badges", response={200: None}, summary="A badge sheet (PDF)")
def badge_sheet(request: HttpRequest, event_id: int, filters: Query[BadgeQuery]) -> FileResponse:
    """Confirmed registrants' badges on A4 sheets (of one category, or only those not printed
    yet); the badges in it are marked printed, hence POST."""
    event = _event(request, event_id)
    regs = list(
        queries.badge_registrations(
            event, category_id=filters.category_id, only_unprinted=filters.only_unprinted
        )
    )
    content = documents.badge_sheet(event, regs)
    domain.mark_badges_printed(
        actor=request_user(request), event=event, registrations=regs, ip=_ip(request)
    )
    return downloads.attachment(io.BytesIO(content), f"badges-{event.pk}.pdf", "application/pdf")


# -- certificates ---------------------------------------------------------------------------


def _certificate_out(c: Certificate) -> CertificateOut:
    return CertificateOut(
        id=c.pk,
        event_id=c.event_id,
        kind=c.kind,
        name=c.name,
        organization=c.organization,
        serial=c.serial,
        issued_at=c.issued_at,
        revoked_at=c.revoked_at,
        revoke_reason=c.revoke_reason,
        registration_id=c.registration_id,
        speaker_id=c.speaker_id,
    )


@router.get("/events/{event_id}/certificates", response=list[CertificateOut])
def list_certificates(request: HttpRequest, event_id: int) -> list[CertificateOut]:
    event = _event(request, event_id)
    return [
        _certificate_out(c)
        for c in rules.certificates_visible_to(request.user).filter(event=event).order_by("pk")
    ]


@router.post("/events/{event_id}/certificates/issue", response=IssuedOut)
def issue_certificates(request: HttpRequest, event_id: int, payload: IssueIn) -> IssuedOut:
    """Issue every certificate due and not issued yet (serials of earlier ones kept)."""
    event = _event(request, event_id)
    unknown = [k for k in payload.kinds if k not in CertificateKind.values]
    if unknown or not payload.kinds:
        raise invalid({"kinds": [f"Choose from {', '.join(CertificateKind.values)}."]})
    n = domain.issue_certificates(
        actor=request_user(request), event=event, kinds=payload.kinds, ip=_ip(request)
    )
    return IssuedOut(issued=n)


def _certificate(request: HttpRequest, certificate_id: int) -> Certificate:
    certificate: Certificate = found(
        rules.certificates_visible_to(request.user).select_related("event__organizer"),
        certificate_id,
    )
    require_perm(request, "credentials.manage", certificate.event)
    return certificate


class LanguageQuery(Schema):
    lang: str = "both"


@router.get(
    "/certificates/{certificate_id}/pdf", response={200: None}, summary="A certificate (PDF)"
)
def certificate_pdf(
    request: HttpRequest, certificate_id: int, q: Query[LanguageQuery]
) -> FileResponse:
    """`lang`: both (default), zh-hans or en."""
    certificate = _certificate(request, certificate_id)
    content = documents.certificates_pdf([certificate], languages(q.lang), _verify_url(request))
    return downloads.attachment(
        io.BytesIO(content), documents.certificate_filename(certificate), "application/pdf"
    )


@router.post("/certificates/{certificate_id}/revoke", response=CertificateOut)
def revoke_certificate(
    request: HttpRequest, certificate_id: int, payload: RevokeIn
) -> CertificateOut:
    certificate = _certificate(request, certificate_id)
    try:
        domain.revoke_certificate(
            actor=request_user(request),
            certificate=certificate,
            reason=payload.reason,
            ip=_ip(request),
        )
    except ValidationError as exc:
        raise from_validation(exc) from None
    return _certificate_out(certificate)


# -- CME ------------------------------------------------------------------------------------


def _activity_out(a: CmeActivity) -> ActivityOut:
    return ActivityOut(
        id=a.pk,
        event_id=a.event_id,
        project_code=a.project_code,
        title=a.title,
        credit_type=a.credit_type,
        credits=a.credits,
        hours=a.hours,
        required_session_ids=sorted(s.pk for s in a.required_sessions.all()),
        version=a.version,
        is_demo=a.is_demo,
    )


def _save_activity(
    request: HttpRequest, event: Event, payload: ActivityIn, activity: CmeActivity | None
) -> CmeActivity:
    if payload.credit_type not in CreditType.values:
        raise invalid({"credit_type": [f"Choose from {', '.join(CreditType.values)}."]})
    sessions = list(Session.objects.filter(event=event, pk__in=payload.required_session_ids))
    if len(sessions) != len(set(payload.required_session_ids)):
        raise invalid({"required_session_ids": ["Choose sessions of this event."]})
    with refusals({"required_sessions": "required_session_ids"}):
        return domain.save_activity(
            actor=request_user(request),
            event=event,
            values=payload.dict(
                include={"project_code", "title", "credit_type", "credits", "hours"}
            ),
            sessions=sessions,
            activity=activity,
            expected_version=payload.version,
            ip=_ip(request),
        )


@router.get("/events/{event_id}/cme-activities", response=list[ActivityOut])
def list_activities(request: HttpRequest, event_id: int) -> list[ActivityOut]:
    event = _event(request, event_id)
    return [
        _activity_out(a)
        for a in queries.activities_of(event, rules.activities_visible_to(request.user))
    ]


@router.post("/events/{event_id}/cme-activities", response={201: ActivityOut})
def create_activity(
    request: HttpRequest, event_id: int, payload: ActivityIn
) -> Status[ActivityOut]:
    event = _event(request, event_id)
    return Status(201, _activity_out(_save_activity(request, event, payload, None)))


@router.get("/cme-activities/{activity_id}", response=ActivityOut)
def get_activity(request: HttpRequest, activity_id: int) -> ActivityOut:
    return _activity_out(_activity(request, activity_id))


@router.put("/cme-activities/{activity_id}", response=ActivityOut)
def update_activity(request: HttpRequest, activity_id: int, payload: ActivityIn) -> ActivityOut:
    """Replace the activity's fields; 409 `conflict` when `version` is stale."""
    activity = _activity(request, activity_id)
    return _activity_out(_save_activity(request, activity.event, payload, activity))


@router.get("/cme-activities/{activity_id}/eligibility", response=list[EligibilityOut])
def eligibility(request: HttpRequest, activity_id: int) -> list[EligibilityOut]:
    """Each confirmed registrant: eligible, or the required sessions they missed."""
    activity = _activity(request, activity_id)
    return [
        EligibilityOut(
            registration_id=r.registration.pk,
            name=r.registration.name,
            eligible=r.eligible,
            checked_in=r.checked_in,
            missed_session_ids=[s.pk for s in r.missed],
            credit_id=r.credit.pk if r.credit is not None else None,
        )
        for r in queries.eligibility(activity)
    ]


@router.post("/cme-activities/{activity_id}/award", response=AwardedOut)
def award(request: HttpRequest, activity_id: int) -> AwardedOut:
    """Award the credits to every eligible registrant without them yet (idempotent)."""
    activity = _activity(request, activity_id)
    return AwardedOut(
        awarded=domain.award(actor=request_user(request), activity=activity, ip=_ip(request))
    )


def _credit_out(c: Any) -> CreditOut:
    return CreditOut(
        id=c.pk,
        activity_id=c.activity_id,
        registration_id=c.registration_id,
        name=c.registration.name,
        credits=c.credits,
        hours=c.hours,
        awarded_at=c.awarded_at,
        revoked_at=c.revoked_at,
        revoke_reason=c.revoke_reason,
    )


@router.get("/cme-activities/{activity_id}/credits", response=list[CreditOut])
def list_credits(request: HttpRequest, activity_id: int) -> list[CreditOut]:
    activity = _activity(request, activity_id)
    qs = rules.credits_visible_to(request.user).filter(activity=activity)
    return [_credit_out(c) for c in qs.select_related("registration")]


@router.post("/cme-credits/{credit_id}/revoke", response=CreditOut)
def revoke_credit(request: HttpRequest, credit_id: int, payload: RevokeIn) -> CreditOut:
    credit = found(
        rules.credits_visible_to(request.user).select_related("activity__event", "registration"),
        credit_id,
    )
    require_perm(request, "credentials.manage", credit.activity.event)
    try:
        domain.revoke_credit(
            actor=request_user(request), credit=credit, reason=payload.reason, ip=_ip(request)
        )
    except ValidationError as exc:
        raise from_validation(exc) from None
    return _credit_out(credit)


@router.get(
    "/events/{event_id}/cme-credits.xlsx",
    response={200: None},
    summary="CME credits for filing (XLSX)",
)
def export_credits(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id)
    credits = rules.credits_visible_to(request.user).filter(activity__event=event)
    return sheets.attachment(export.workbook(credits), f"cme-credits-{event.pk}.xlsx")
