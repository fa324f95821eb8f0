"""Events: agenda sessions (refused when they conflict), publication, public registration with
capacity and waiting list, the confirmation email, check-in at the door, outcomes."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from luodi.accounts import audit
from luodi.accounts.models import MembershipRole, User
from luodi.engagements import feeds, queries
from luodi.engagements.domain import registration_options
from luodi.engagements.models import (
    Event,
    EventStatus,
    Registration,
    RegistrationStatus,
    Session,
    SessionSpeaker,
    Speaker,
)
from luodi.matchmaking.models import MatchRecord
from luodi.notifications.domain import Message, notify
from luodi.notifications.models import EventKind

log = logging.getLogger(__name__)


class AgendaConflict(Exception):
    def __init__(self, conflicts: list[queries.Conflict]) -> None:
        super().__init__("; ".join(c.message for c in conflicts))
        self.conflicts = conflicts


class AlreadyRegistered(Exception):
    pass


class RegistrationClosed(Exception):
    pass


@transaction.atomic
def add_session(
    *,
    actor: User,
    event: Event,
    starts_at: datetime,
    ends_at: datetime,
    room: str = "",
    title_zh: str = "",
    title_en: str = "",
    speaker_names: Sequence[str] = (),
    ip: str | None = None,
) -> Session:
    """Add an agenda session; refused (AgendaConflict) when its room or one of its speakers
    is already booked at an overlapping time."""
    # As entered, each once: the order is protocol order and is kept (SessionSpeaker).
    names = list(dict.fromkeys(n.strip() for n in speaker_names if n.strip()))
    conflicts = queries.session_conflicts(
        event=event, starts_at=starts_at, ends_at=ends_at, room=room, speaker_names=names
    )
    if conflicts:
        raise AgendaConflict(conflicts)
    session = Session.objects.create(
        event=event,
        starts_at=starts_at,
        ends_at=ends_at,
        room=room.strip(),
        title_zh=title_zh,
        title_en=title_en,
    )
    for position, name in enumerate(names):
        speaker = Speaker.objects.get_or_create(event=event, name=name)[0]
        SessionSpeaker.objects.create(session=session, speaker=speaker, position=position)
    audit.record(
        actor=actor,
        verb="event.add_session",
        target=event,
        changes={"session": session.title, "room": room, "speakers": names},
        ip=ip,
    )
    return session


@transaction.atomic
def move_speaker(
    *, actor: User, session: Session, speaker_id: int, up: bool, ip: str | None = None
) -> list[str]:
    """Move one speaker up or down in the session's order; returns the names in the new order."""
    links = list(session.speaker_links.select_related("speaker").order_by("position", "id"))
    i = next((k for k, link in enumerate(links) if link.speaker_id == speaker_id), None)
    if i is None:
        raise SessionSpeaker.DoesNotExist
    j = i - 1 if up else i + 1
    if 0 <= j < len(links):
        links[i], links[j] = links[j], links[i]
    for position, link in enumerate(links):
        link.position = position
    SessionSpeaker.objects.bulk_update(links, ["position"])
    names = [link.speaker.name for link in links]
    audit.record(
        actor=actor,
        verb="event.order_speakers",
        target=session.event,
        changes={"session": session.title, "speakers": names},
        ip=ip,
    )
    return names


@transaction.atomic
def set_speaker_order(
    *, actor: User, session: Session, names: Sequence[str], ip: str | None = None
) -> list[str]:
    """Put the session's speakers in the order of `names` (each of them once);
    ValueError otherwise."""
    links = {link.speaker.name: link for link in session.speaker_links.select_related("speaker")}
    if sorted(names) != sorted(links):
        raise ValueError("list every speaker of the session exactly once")
    ordered = [links[name] for name in names]
    for position, link in enumerate(ordered):
        link.position = position
    SessionSpeaker.objects.bulk_update(ordered, ["position"])
    audit.record(
        actor=actor,
        verb="event.order_speakers",
        target=session.event,
        changes={"session": session.title, "speakers": list(names)},
        ip=ip,
    )
    return list(names)


@transaction.atomic
def remove_session(*, actor: User, session: Session, ip: str | None = None) -> None:
    event, title = session.event, session.title
    session.delete()
    audit.record(
        actor=actor, verb="event.remove_session", target=event, changes={"session": title}, ip=ip
    )


@transaction.atomic
def set_status(*, actor: User, event: Event, status: str, ip: str | None = None) -> None:
    before = event.status
    event.status = status
    event.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        verb=f"event.{status}",
        target=event,
        changes={"status": [before, status]},
        ip=ip,
    )


@transaction.atomic
def record_outcomes(*, actor: User, event: Event, outcomes: str, ip: str | None = None) -> None:
    before = event.outcome_notes
    event.outcome_notes = outcomes
    event.save(update_fields=["outcome_notes", "updated_at"])
    audit.record(
        actor=actor,
        verb="event.record_outcomes",
        target=event,
        changes={"outcomes": [before, outcomes]},
        ip=ip,
    )


@transaction.atomic
def pull_from_matches(
    *, actor: User, event: Event, matches: Sequence[MatchRecord], ip: str | None = None
) -> tuple[int, int]:
    """Add the matches' achievements to the lineup and their counterparties to the invitees;
    returns how many of each were new."""
    achievements = {m.achievement_id for m in matches if m.achievement_id} - set(
        event.achievements.values_list("pk", flat=True)
    )
    invitees = {m.counterparty_id for m in matches if m.counterparty_id} - set(
        event.invitees.values_list("pk", flat=True)
    )
    event.achievements.add(*achievements)
    event.invitees.add(*invitees)
    audit.record(
        actor=actor,
        verb="event.pull_from_matches",
        target=event,
        changes={
            "matches": [m.pk for m in matches],
            "achievements": sorted(achievements),
            "invitees": sorted(invitees),
        },
        ip=ip,
    )
    return len(achievements), len(invitees)


def normalize_email(email: str) -> str:
    return email.strip().lower()


@transaction.atomic
def register(
    *,
    event: Event,
    name: str,
    email: str,
    organization_name: str = "",
    position: str = "",
    phone: str = "",
    options: registration_options.Options | None = None,
    actor: User | None = None,
    ip: str | None = None,
) -> Registration:
    """Register someone (no account needed). Confirmed while places are left, on the waiting
    list after. Raises AlreadyRegistered for an email already registered for this event,
    RegistrationClosed when the event takes no registrations, and RegistrationRefused
    (naming the field) without consent to the event's current notice, without a category
    when the event has categories, for a full category, a missing or invalid answer, or
    invalid invoice details. All or nothing: the answers and the agreed text are written in
    the same transaction."""
    # Lock the event row so that two registrations cannot both take the last place, of the
    # event or of a category.
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.status != EventStatus.PUBLISHED or not event.registration_open:
        raise RegistrationClosed
    email = normalize_email(email)
    if event.registrations.filter(email=email).exists():
        raise AlreadyRegistered
    checked = registration_options.check(event, options or registration_options.Options())
    taken = event.registrations.filter(status=RegistrationStatus.CONFIRMED).count()
    full = event.capacity is not None and taken >= event.capacity
    try:
        with transaction.atomic():
            reg = Registration.objects.create(
                event=event,
                name=name.strip(),
                email=email,
                organization_name=organization_name.strip(),
                position=position.strip(),
                phone=phone.strip(),
                status=RegistrationStatus.WAITLISTED if full else RegistrationStatus.CONFIRMED,
                **registration_options.fields_for(checked),
            )
    except IntegrityError:  # a concurrent registration with the same email won the race
        raise AlreadyRegistered from None
    registration_options.store(reg, checked)
    audit.record(
        actor=actor,
        actor_label="" if actor else "public registration",
        verb="event.register",
        target=event,
        changes={
            "registration": reg.pk,
            "status": reg.status,
            "category": reg.category_id,
            "consent_version": reg.consent_version,
        },
        ip=ip,
    )
    return reg


def send_confirmation(registration: Registration, *, base_url: str) -> None:
    """Email the confirmation with the event as an iCalendar attachment; in the language
    active at registration."""
    event = registration.event
    ticket_url = base_url + feeds.ticket_path(registration)
    context = {"reg": registration, "event": event, "ticket_url": ticket_url}
    subject = render_to_string("engagements/email/confirmation_subject.txt", context).strip()
    body = render_to_string("engagements/email/confirmation.txt", context)
    message = EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[registration.email]
    )
    message.attach(
        "event.ics",
        feeds.event_ics(event, base_url=base_url, method="PUBLISH"),
        "text/calendar; charset=utf-8",
    )
    message.send()
    try:
        notify_organisers(registration, base_url=base_url)
    except Exception:
        # Runs after the registration committed: the registrant must still get their
        # ticket page, whatever happens to the organisers' notice.
        log.exception("Organiser notice for registration %s could not be queued", registration.pk)


def notify_organisers(registration: Registration, *, base_url: str) -> int:
    """Tell the event's organisers about a registration: the person who created the event
    and the organizer's admins (by email if they turned that on; it is off by default) and
    the organizer's team robots that take event registrations. No contact details of the
    registrant go out, only name and organization. Returns how many deliveries were queued."""
    event = registration.event
    people = list(
        User.objects.filter(
            is_active=True,
            memberships__organization_id=event.organizer_id,
            memberships__role=MembershipRole.ADMIN,
        )
    )
    if event.created_by is not None and event.created_by not in people:
        people.append(event.created_by)
    link = base_url + reverse("engagements:registrations", args=[event.pk])
    confirmed = event.registrations.filter(status=RegistrationStatus.CONFIRMED).count()

    def compose(user: User | None, language: str) -> Message:
        context = {"reg": registration, "event": event, "confirmed": confirmed, "link": link}
        text = render_to_string("engagements/email/organiser_notice.txt", context)
        subject, _sep, body = text.strip().partition("\n")
        return Message(subject=subject.strip(), body=body.strip() + "\n", link=link)

    return notify(
        kind=EventKind.EVENT_REGISTRATION,
        compose=compose,
        users=people,
        organizations=[event.organizer],
        about=event,
        actor_label="public registration",
    )


@transaction.atomic
def check_in(*, actor: User, registration: Registration, ip: str | None = None) -> bool:
    """Mark arrival; returns False when the person had already checked in."""
    updated = Registration.objects.filter(pk=registration.pk, checked_in_at__isnull=True).update(
        checked_in_at=timezone.now()
    )
    registration.refresh_from_db(fields=["checked_in_at"])
    if updated:
        audit.record(
            actor=actor,
            verb="event.check_in",
            target=registration.event,
            changes={"registration": registration.pk},
            ip=ip,
        )
    return bool(updated)


@transaction.atomic
def cancel_registration(
    *, actor: User, registration: Registration, ip: str | None = None
) -> Registration | None:
    """Cancel; the first person on the waiting list (if any) takes the place and is returned."""
    was_confirmed = registration.status == RegistrationStatus.CONFIRMED
    registration.status = RegistrationStatus.CANCELLED
    registration.save(update_fields=["status"])
    promoted = None
    if was_confirmed:
        promoted = (
            registration.event.registrations.filter(status=RegistrationStatus.WAITLISTED)
            .order_by("created_at", "id")
            .first()
        )
        if promoted is not None:
            promoted.status = RegistrationStatus.CONFIRMED
            promoted.save(update_fields=["status"])
    audit.record(
        actor=actor,
        verb="event.cancel_registration",
        target=registration.event,
        changes={"registration": registration.pk, "promoted": promoted.pk if promoted else None},
        ip=ip,
    )
    return promoted
