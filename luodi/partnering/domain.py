"""Writes of partnering: sessions, participants, availability, and the meeting lifecycle.

Each write is one transaction with one audit entry; `actor` is keyword-only and explicit;
permission checks are the callers' (rules.py), the checks here are of the data.

Booking: a meeting is booked when both sides have accepted and both are free in its slot.
The slot of each person (a `SlotClaim`) and a free table are taken in the same transaction;
both are unique in the database, so of two concurrent bookings of one person's slot (or the
last table) exactly one commits and the other gets "no longer free".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.catalog.models import Organization
from luodi.concurrency import Conflict, claim
from luodi.engagements.models import Event
from luodi.partnering import notices
from luodi.partnering.choices import OCCUPYING, OPEN, TRANSITIONS, MeetingState, Origin
from luodi.partnering.models import (
    Availability,
    Meeting,
    Participant,
    PartneringSession,
    SlotClaim,
    Window,
)
from luodi.partnering.profile import prefill

S = MeetingState
__all__ = ["Conflict"]


def _not_free() -> ValidationError:
    return ValidationError(
        {"starts_at": [_("This time slot is no longer free for both sides: choose another.")]}
    )


# -- sessions and participants ------------------------------------------------------------


@transaction.atomic
def create_session(
    *,
    actor: User,
    event: Event,
    windows: Iterable[tuple[datetime, datetime]],
    slot_minutes: int = 20,
    tables: int = 10,
    is_demo: bool = False,
    ip: str | None = None,
) -> PartneringSession:
    windows = list(windows)
    errors: dict[str, list[str]] = {}
    if PartneringSession.objects.filter(event=event).exists():
        errors["event"] = [_("This event already has a partnering session.")]
    if not 5 <= slot_minutes <= 240:
        errors["slot_minutes"] = [_("A slot lasts 5 to 240 minutes.")]
    if not 1 <= tables <= 500:
        errors["tables"] = [_("Enter between 1 and 500 tables.")]
    if not windows:
        errors["windows"] = [_("Give at least one time window for meetings.")]
    for start, end in windows:
        if end - start < timedelta(minutes=max(slot_minutes, 5)):
            errors["windows"] = [_("Each window must end at least one slot after it starts.")]
    if errors:
        raise ValidationError(errors)
    session = PartneringSession.objects.create(
        event=event, slot_minutes=slot_minutes, tables=tables, is_demo=is_demo, created_by=actor
    )
    Window.objects.bulk_create(Window(session=session, starts_at=s, ends_at=e) for s, e in windows)
    audit.record(
        actor=actor,
        verb="partnering.create_session",
        target=session,
        changes={"event": event.pk, "slot_minutes": slot_minutes, "tables": tables},
        ip=ip,
    )
    return session


@transaction.atomic
def join(
    *,
    actor: User,
    session: PartneringSession,
    organization: Organization,
    offer: str | None = None,
    seek: str | None = None,
    is_demo: bool = False,
    ip: str | None = None,
) -> Participant:
    """Register `actor` for `organization`; offer and seek default to what the catalog says
    about the organization (its achievements, needs and profile). Free in every slot."""
    if Participant.objects.filter(session=session, user=actor).exists():
        raise ValidationError({"organization": [_("You are already registered here.")]})
    if not session.is_open:
        raise ValidationError({"__all__": [_("This partnering session is closed.")]})
    filled = prefill(organization)
    participant = Participant.objects.create(
        session=session,
        user=actor,
        organization=organization,
        offer=(offer if offer is not None else filled.offer)[:4000],
        seek=(seek if seek is not None else filled.seek)[:4000],
        is_demo=is_demo,
    )
    Availability.objects.bulk_create(
        Availability(participant=participant, starts_at=t) for t in session.slots()
    )
    audit.record(
        actor=actor,
        verb="partnering.join",
        target=session,
        changes={"participant": participant.pk, "organization": organization.pk},
        ip=ip,
    )
    return participant


@transaction.atomic
def update_profile(
    *,
    actor: User,
    participant: Participant,
    offer: str,
    seek: str,
    is_published: bool,
    expected_version: int | None = None,
    ip: str | None = None,
) -> Participant:
    participant.version = claim(participant, expected_version)
    participant.offer, participant.seek = offer[:4000], seek[:4000]
    participant.is_published = is_published
    participant.save(update_fields=["offer", "seek", "is_published"])
    audit.record(actor=actor, verb="partnering.update_profile", target=participant.session, ip=ip)
    return participant


@transaction.atomic
def set_availability(
    *, actor: User, participant: Participant, free: Iterable[datetime], ip: str | None = None
) -> list[datetime]:
    """The slots `participant` is free in: any of the session's slots; a slot already taken
    by a booked meeting stays (cancel the meeting to free it)."""
    slots = set(participant.session.slots())
    wanted = {t for t in free if t in slots}
    taken = set(
        SlotClaim.objects.filter(participant=participant).values_list("starts_at", flat=True)
    )
    wanted |= taken
    Availability.objects.filter(participant=participant).exclude(starts_at__in=wanted).delete()
    have = set(participant.availability.values_list("starts_at", flat=True))
    Availability.objects.bulk_create(
        Availability(participant=participant, starts_at=t) for t in sorted(wanted - have)
    )
    audit.record(
        actor=actor,
        verb="partnering.set_availability",
        target=participant.session,
        changes={"participant": participant.pk, "slots": len(wanted)},
        ip=ip,
    )
    return sorted(wanted)


# -- free slots -------------------------------------------------------------------------------


def free_slots(participant: Participant) -> list[datetime]:
    taken = SlotClaim.objects.filter(participant=participant).values("starts_at")
    return list(
        participant.availability.exclude(starts_at__in=taken).values_list("starts_at", flat=True)
    )


def common_slots(a: Participant, b: Participant) -> list[datetime]:
    """Slots both are free in, in order."""
    return sorted(set(free_slots(a)) & set(free_slots(b)))


def _free_table(session: PartneringSession, slot: datetime) -> int | None:
    used = set(
        Meeting.objects.filter(session=session, starts_at=slot, state__in=OCCUPYING).values_list(
            "table", flat=True
        )
    )
    return next((t for t in range(1, session.tables + 1) if t not in used), None)


# -- the meeting lifecycle --------------------------------------------------------------------


@transaction.atomic
def propose(
    *,
    actor: User,
    a: Participant,
    b: Participant,
    origin: str = Origin.PARTICIPANT,
    starts_at: datetime | None = None,
    message: str = "",
    score: float = 0.0,
    reasons: list[dict[str, Any]] | None = None,
    is_demo: bool = False,
    ip: str | None = None,
) -> Meeting:
    """A meeting between `a` and `b` at `starts_at` (default: their first common free slot).
    Requested by a participant (`a`), it counts as accepted by them; proposed by the
    engine, by nobody yet."""
    if a.session_id != b.session_id or a.pk == b.pk:
        raise ValidationError({"b": [_("Choose another participant of this session.")]})
    live = Meeting.objects.filter(state__in=(*OPEN, *OCCUPYING)).filter(a__in=(a, b), b__in=(a, b))
    if live.exists():
        raise ValidationError({"b": [_("A meeting with this participant is already planned.")]})
    common = common_slots(a, b)
    if starts_at is None:
        if not common:
            raise ValidationError({"starts_at": [_("You have no free slot in common.")]})
        starts_at = common[0]
    elif starts_at not in common:
        raise _not_free()
    meeting = Meeting.objects.create(
        session=a.session,
        a=a,
        b=b,
        origin=origin,
        starts_at=starts_at,
        a_accepted=origin == Origin.PARTICIPANT,
        state=S.PENDING if origin == Origin.PARTICIPANT else S.PROPOSED,
        message=message[:2000],
        score=round(score, 3),
        reasons=reasons or [],
        is_demo=is_demo,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        verb="partnering.propose",
        target=meeting,
        changes={"a": a.pk, "b": b.pk, "origin": origin, "starts_at": starts_at.isoformat()},
        ip=ip,
    )
    notices.proposed(meeting, by=actor)
    return meeting


def _move(meeting: Meeting, state: str) -> None:
    if state != meeting.state and state not in TRANSITIONS[meeting.state]:
        raise ValidationError(
            {
                "state": [
                    _("A meeting cannot move from %(a)s to %(b)s.")
                    % {"a": S(meeting.state).label, "b": S(state).label}
                ]
            }
        )
    meeting.state = state


def _book(meeting: Meeting) -> None:
    """Take both people's slot and a table, or raise "no longer free" (nothing taken)."""
    slot = meeting.starts_at
    if slot is None:
        raise _not_free()
    for side in (meeting.a, meeting.b):
        if not side.availability.filter(starts_at=slot).exists():
            raise _not_free()
        if SlotClaim.objects.filter(participant=side, starts_at=slot).exists():
            raise _not_free()
    table = _free_table(meeting.session, slot)
    if table is None:
        raise ValidationError(
            {"starts_at": [_("Every table is taken in this slot: choose another.")]}
        )
    try:
        with transaction.atomic():  # a concurrent booking won: refuse, take nothing
            SlotClaim.objects.bulk_create(
                SlotClaim(participant=side, starts_at=slot, meeting=meeting)
                for side in (meeting.a, meeting.b)
            )
            meeting.table = table
            meeting.state = S.BOOKED
            meeting.save(update_fields=["table", "state", "updated_at"])
    except IntegrityError as exc:
        meeting.table = None
        raise _not_free() from exc


def _locked(meeting: Meeting, expected_version: int | None) -> Meeting:
    fresh = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("session", "a", "b")
        .get(pk=meeting.pk)
    )
    fresh.version = claim(fresh, expected_version)
    return fresh


@transaction.atomic
def accept(
    *,
    actor: User,
    meeting: Meeting,
    side: Participant | None,
    starts_at: datetime | None = None,
    expected_version: int | None = None,
    ip: str | None = None,
) -> Meeting:
    """`side` accepts (None: an organiser accepts for both). Another slot than the proposed
    one is a counter-proposal: the other side's acceptance is withdrawn. When both have
    accepted, the meeting is booked or, if the slot was taken meanwhile, refused."""
    meeting = _locked(meeting, expected_version)
    if meeting.state not in OPEN:
        raise ValidationError({"state": [_("This meeting is no longer waiting for an answer.")]})
    if starts_at is not None and starts_at != meeting.starts_at:
        if starts_at not in common_slots(meeting.a, meeting.b):
            raise _not_free()
        meeting.starts_at = starts_at
        meeting.a_accepted = meeting.b_accepted = False
    if side is None:
        meeting.a_accepted = meeting.b_accepted = True
    elif side.pk == meeting.a_id:
        meeting.a_accepted = True
    elif side.pk == meeting.b_id:
        meeting.b_accepted = True
    else:
        raise ValidationError({"__all__": [_("You are not a side of this meeting.")]})
    if meeting.a_accepted and meeting.b_accepted:
        _book(meeting)
    else:
        _move(meeting, S.PENDING)
    meeting.save(
        update_fields=["a_accepted", "b_accepted", "starts_at", "state", "version", "updated_at"]
    )
    audit.record(
        actor=actor,
        verb=f"partnering.{'book' if meeting.state == S.BOOKED else 'accept'}",
        target=meeting,
        changes={
            "state": meeting.state,
            "starts_at": str(meeting.starts_at),
            "table": meeting.table,
        },
        ip=ip,
    )
    if meeting.state == S.BOOKED:
        notices.booked(meeting, by=actor)
    return meeting


@transaction.atomic
def schedule(
    *,
    actor: User,
    a: Participant,
    b: Participant,
    starts_at: datetime | None = None,
    is_demo: bool = False,
    ip: str | None = None,
) -> Meeting:
    """An organiser books a meeting between `a` and `b` outright (both must be free)."""
    meeting = propose(
        actor=actor, a=a, b=b, origin=Origin.ORGANISER, starts_at=starts_at, is_demo=is_demo, ip=ip
    )
    return accept(actor=actor, meeting=meeting, side=None, ip=ip)


def _release(meeting: Meeting) -> None:
    SlotClaim.objects.filter(meeting=meeting).delete()


@transaction.atomic
def decline(
    *,
    actor: User,
    meeting: Meeting,
    cancel: bool = False,
    expected_version: int | None = None,
    ip: str | None = None,
) -> Meeting:
    """Decline an open meeting or cancel one (a booked one frees both slots and the table)."""
    meeting = _locked(meeting, expected_version)
    _move(meeting, S.CANCELLED if cancel or meeting.state == S.BOOKED else S.DECLINED)
    _release(meeting)
    meeting.save(update_fields=["state", "version", "updated_at"])
    audit.record(actor=actor, verb=f"partnering.{meeting.state}", target=meeting, ip=ip)
    return meeting


@transaction.atomic
def record_outcome(
    *,
    actor: User,
    meeting: Meeting,
    held: bool,
    outcome: str = "",
    note: str = "",
    no_show_of: Participant | None = None,
    expected_version: int | None = None,
    ip: str | None = None,
) -> Meeting:
    """After the slot: held (with its outcome) or a no-show (of one side)."""
    meeting = _locked(meeting, expected_version)
    if held:
        _move(meeting, S.HELD)
        meeting.outcome, meeting.outcome_note, meeting.no_show_of = outcome, note[:4000], None
    else:
        if no_show_of is not None and no_show_of.pk not in (meeting.a_id, meeting.b_id):
            raise ValidationError({"no_show_of": [_("Choose one side of this meeting.")]})
        _move(meeting, S.NO_SHOW)
        meeting.no_show_of, meeting.outcome_note = no_show_of, note[:4000]
    meeting.save(
        update_fields=["state", "outcome", "outcome_note", "no_show_of", "version", "updated_at"]
    )
    audit.record(
        actor=actor,
        verb=f"partnering.{meeting.state}",
        target=meeting,
        changes={"outcome": meeting.outcome, "no_show_of": no_show_of.pk if no_show_of else None},
        ip=ip,
    )
    return meeting
