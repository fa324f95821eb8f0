"""Writes of credentials: session check-in, badge prints, certificates, CME activities and
credits. Each write is one transaction with one audit entry; `actor` is keyword-only and
explicit; permission checks are the callers' (rules.py), the checks here are of the data."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.concurrency import Conflict, claim
from luodi.credentials import queries
from luodi.credentials.models import (
    BadgePrint,
    Certificate,
    CertificateKind,
    CmeActivity,
    CmeCredit,
    SessionAttendance,
)
from luodi.engagements.domain import events as event_domain
from luodi.engagements.models import (
    Event,
    Registration,
    RegistrationStatus,
    Session,
    Speaker,
)

__all__ = ["CheckInRefused", "Conflict"]


class CheckInRefused(Exception):
    """A code that cannot be checked in here; `reason` is one of the codes below, the
    message is for people."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason, self.message = reason, message


def normalize_code(raw: str) -> str:
    """A scanner may yield the whole ticket URL: the code is its last path segment (as the
    event check-in reads it)."""
    return raw.strip().rstrip("/").rsplit("/", 1)[-1].upper().replace("-", "")


def find_registration(event: Event, raw_code: str) -> Registration:
    """The registration of `event` with this code, or CheckInRefused saying why not: no such
    code, a code of another event, or a registration not confirmed."""
    code = normalize_code(raw_code)
    reg = (
        Registration.objects.select_related("event", "category").filter(code=code).first()
        if code
        else None
    )
    if reg is None:
        raise CheckInRefused("unknown_code", _("No registration has this code."))
    if reg.event_id != event.pk:
        raise CheckInRefused("other_event", _("This code belongs to another event."))
    if reg.status != RegistrationStatus.CONFIRMED:
        raise CheckInRefused(
            "not_confirmed",
            _("%(name)s is not confirmed (%(status)s).")
            % {"name": reg.name, "status": reg.get_status_display()},
        )
    return reg


@transaction.atomic
def check_in_session(
    *,
    actor: User,
    session: Session,
    code: str,
    ip: str | None = None,
    is_demo: bool = False,
) -> tuple[SessionAttendance, bool]:
    """Check a registrant into one session by their ticket code; also into the event when
    not yet (arriving at a session means arriving at the event). Returns the attendance and
    whether it is new; a second scan keeps the first time."""
    reg = find_registration(session.event, code)
    if reg.checked_in_at is None:
        event_domain.check_in(actor=actor, registration=reg, ip=ip)
    try:
        with transaction.atomic():
            attendance = SessionAttendance.objects.create(
                registration=reg, session=session, by=actor, is_demo=is_demo
            )
    except IntegrityError:  # scanned twice, maybe at two doors at once
        return SessionAttendance.objects.get(registration=reg, session=session), False
    audit.record(
        actor=actor,
        verb="credentials.session_check_in",
        target=session.event,
        changes={"session": session.pk, "registration": reg.pk},
        ip=ip,
    )
    return attendance, True


@transaction.atomic
def mark_badges_printed(
    *, actor: User, event: Event, registrations: Sequence[Registration], ip: str | None = None
) -> None:
    now = timezone.now()
    for reg in registrations:
        BadgePrint.objects.update_or_create(
            registration=reg, defaults={"printed_at": now, "by": actor}
        )
    audit.record(
        actor=actor,
        verb="credentials.print_badges",
        target=event,
        changes={"count": len(registrations)},
        ip=ip,
    )


# -- certificates ---------------------------------------------------------------------------


def _attendance_certificate(
    reg: Registration, actor: User | None, is_demo: bool
) -> tuple[Certificate, bool]:
    existing = Certificate.objects.filter(kind=CertificateKind.ATTENDANCE, registration=reg).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return (
                Certificate.objects.create(
                    event=reg.event,
                    kind=CertificateKind.ATTENDANCE,
                    registration=reg,
                    name=reg.name,
                    organization=reg.organization_name,
                    issued_by=actor,
                    is_demo=is_demo,
                ),
                True,
            )
    except IntegrityError:  # issued meanwhile (bulk issue and the registrant at once)
        return Certificate.objects.get(kind=CertificateKind.ATTENDANCE, registration=reg), False


def _presentation_certificate(
    speaker: Speaker, titles: list[str], actor: User | None, is_demo: bool
) -> tuple[Certificate, bool]:
    existing = Certificate.objects.filter(
        kind=CertificateKind.PRESENTATION, speaker=speaker
    ).first()
    if existing is not None:
        return existing, False
    with transaction.atomic():
        return (
            Certificate.objects.create(
                event=speaker.event,
                kind=CertificateKind.PRESENTATION,
                speaker=speaker,
                name=speaker.name,
                organization=speaker.affiliation,
                titles="\n".join(titles),
                issued_by=actor,
                is_demo=is_demo,
            ),
            True,
        )


@transaction.atomic
def issue_certificates(
    *,
    actor: User,
    event: Event,
    kinds: Iterable[str] = (CertificateKind.ATTENDANCE, CertificateKind.PRESENTATION),
    ip: str | None = None,
    is_demo: bool = False,
) -> int:
    """Issue every certificate the event's records support that is not issued yet (a
    re-run issues to newcomers only; the serials of earlier ones never change). Returns how
    many were issued now."""
    kinds = set(kinds)
    issued = 0
    if CertificateKind.ATTENDANCE in kinds:
        for reg in queries.attendance_eligible(event):
            issued += _attendance_certificate(reg, actor, is_demo)[1]
    if CertificateKind.PRESENTATION in kinds:
        for speaker, titles in queries.presenters(event):
            issued += _presentation_certificate(speaker, titles, actor, is_demo)[1]
    audit.record(
        actor=actor,
        verb="credentials.issue_certificates",
        target=event,
        changes={"kinds": sorted(kinds), "issued": issued},
        ip=ip,
    )
    return issued


@transaction.atomic
def own_attendance_certificate(*, registration: Registration, ip: str | None = None) -> Certificate:
    """The registrant's own attendance certificate (from their ticket link): issued on
    first request, the same serial ever after. The caller checked the registration is
    confirmed and checked in (rules.own_attendance_certificate)."""
    certificate, created = _attendance_certificate(registration, None, False)
    if created:
        audit.record(
            actor=None,
            verb="credentials.issue_certificates",
            target=registration.event,
            changes={"kinds": [CertificateKind.ATTENDANCE], "issued": 1, "self_service": True},
            ip=ip,
            actor_label="registrant",
        )
    return certificate


def _revoke(record: Certificate | CmeCredit, reason: str) -> None:
    """Mark a certificate or a credit revoked, with the reason (required): both stay listed,
    struck through, so what was handed out can still be traced."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for revoking.")]})
    now, reason = timezone.now(), reason.strip()
    # One UPDATE that only an unrevoked row matches: of two revokes at once, one wins and the
    # other is told, rather than overwriting the first one's time and reason.
    stale = type(record)._default_manager.filter(pk=record.pk, revoked_at__isnull=True)
    if not stale.update(revoked_at=now, revoke_reason=reason):
        raise ValidationError({"reason": [_("Already revoked.")]})
    record.revoked_at, record.revoke_reason = now, reason


@transaction.atomic
def revoke_certificate(
    *, actor: User, certificate: Certificate, reason: str, ip: str | None = None
) -> Certificate:
    _revoke(certificate, reason)
    audit.record(
        actor=actor,
        verb="credentials.revoke_certificate",
        target=certificate.event,
        changes={"certificate": certificate.pk, "reason": certificate.revoke_reason},
        ip=ip,
    )
    return certificate


# -- CME ------------------------------------------------------------------------------------

ACTIVITY_FIELDS = ["project_code", "title", "credit_type", "credits", "hours"]


@transaction.atomic
def save_activity(
    *,
    actor: User,
    event: Event,
    values: dict[str, object],
    sessions: Iterable[Session],
    activity: CmeActivity | None = None,
    expected_version: int | None = None,
    ip: str | None = None,
    is_demo: bool = False,
) -> CmeActivity:
    """Create or change a CME activity of `event`; its required sessions must be the
    event's; the project code is unique per event. Conflict when `expected_version` is
    stale (nothing saved)."""
    sessions = list(sessions)
    if any(s.event_id != event.pk for s in sessions):
        raise ValidationError({"required_sessions": [_("Choose sessions of this event.")]})
    code = str(values.get("project_code", "")).strip()
    if not code:
        raise ValidationError({"project_code": [_("Enter the project code.")]})
    clash = CmeActivity.objects.filter(event=event, project_code=code)
    if activity is not None:
        clash = clash.exclude(pk=activity.pk)
    if clash.exists():
        raise ValidationError(
            {"project_code": [_("This event already has an activity with this code.")]}
        )
    is_new = activity is None
    if activity is None:
        activity = CmeActivity(event=event, is_demo=is_demo)
    for name in ACTIVITY_FIELDS:
        if name in values:
            setattr(activity, name, values[name])
    activity.project_code = code
    activity.full_clean(exclude=["event", "required_sessions"], validate_unique=False)
    if is_new:
        activity.save()
    else:
        claim(activity, expected_version)
        activity.save(update_fields=ACTIVITY_FIELDS)
    activity.required_sessions.set(sessions)
    audit.record(
        actor=actor,
        verb="cme_activity.create" if is_new else "cme_activity.update",
        target=activity,
        changes={
            **{n: str(getattr(activity, n)) for n in ACTIVITY_FIELDS},
            "required_sessions": sorted(s.pk for s in sessions),
        },
        ip=ip,
    )
    return activity


@transaction.atomic
def award(
    *, actor: User, activity: CmeActivity, ip: str | None = None, is_demo: bool = False
) -> int:
    """Record credits for every eligible registrant without a credit row yet (a revoked
    row counts as one: revoking is a decision a re-run must not undo). Idempotent; returns
    how many were awarded now."""
    # Lock the activity: two awards at once wait for each other instead of racing on the
    # unique constraint.
    locked = CmeActivity.objects.select_for_update().get(pk=activity.pk)
    have = set(CmeCredit.objects.filter(activity=locked).values_list("registration_id", flat=True))
    now = timezone.now()
    new = [
        CmeCredit(
            activity=locked,
            registration=row.registration,
            credits=locked.credits,
            hours=locked.hours,
            awarded_at=now,
            awarded_by=actor,
            is_demo=is_demo,
        )
        for row in queries.eligibility(locked)
        if row.eligible and row.registration.pk not in have
    ]
    CmeCredit.objects.bulk_create(new)
    audit.record(
        actor=actor,
        verb="cme_activity.award",
        target=locked,
        changes={"awarded": len(new)},
        ip=ip,
    )
    return len(new)


@transaction.atomic
def revoke_credit(
    *, actor: User, credit: CmeCredit, reason: str, ip: str | None = None
) -> CmeCredit:
    _revoke(credit, reason)
    audit.record(
        actor=actor,
        verb="cme_activity.revoke_credit",
        target=credit.activity,
        changes={"registration": credit.registration_id, "reason": credit.revoke_reason},
        ip=ip,
    )
    return credit
