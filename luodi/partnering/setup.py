"""Changing a partnering session after it was created: its tables, whether it takes requests,
and its meeting windows. What is already booked never moves: a change that would strand a
booked meeting (its table gone, its window removed, its slot no longer a slot) is refused
with the reason, and the session stays as it was. Versioned like every shared record."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.concurrency import claim
from luodi.partnering.choices import OCCUPYING, OPEN
from luodi.partnering.models import Availability, Meeting, PartneringSession, Window


def _locked(session: PartneringSession) -> PartneringSession:
    return PartneringSession.objects.select_for_update(of=("self",)).get(pk=session.pk)


@transaction.atomic
def update_session(
    *,
    actor: User,
    session: PartneringSession,
    tables: int,
    is_open: bool,
    expected_version: int | None = None,
    ip: str | None = None,
) -> PartneringSession:
    """Change the number of tables and whether participants may request meetings. Fewer
    tables are refused while a booked meeting sits at a table that would go."""
    session = _locked(session)
    if not 1 <= tables <= 500:
        raise ValidationError({"tables": [_("Enter between 1 and 500 tables.")]})
    highest = (
        Meeting.objects.filter(session=session, state__in=OCCUPYING).aggregate(t=Max("table"))["t"]
        or 0
    )
    if tables < highest:
        raise ValidationError(
            {
                "tables": [
                    _("A booked meeting is at table %(label)s: keep at least %(n)d tables.")
                    % {"label": session.table_label(highest), "n": highest}
                ]
            }
        )
    before = {"tables": session.tables, "is_open": session.is_open}
    claim(session, expected_version)
    session.tables, session.is_open = tables, is_open
    session.save(update_fields=["tables", "is_open"])
    audit.record(
        actor=actor,
        verb="partnering.update_session",
        target=session,
        changes={"before": before, "after": {"tables": tables, "is_open": is_open}},
        ip=ip,
    )
    return session


@transaction.atomic
def add_window(
    *,
    actor: User,
    session: PartneringSession,
    starts_at: datetime,
    ends_at: datetime,
    ip: str | None = None,
) -> Window:
    """Another stretch of meeting time; it may not overlap one the session has."""
    session = _locked(session)
    if ends_at - starts_at < timedelta(minutes=session.slot_minutes):
        raise ValidationError(
            {"end": [_("Each window must end at least one slot after it starts.")]}
        )
    if session.windows.filter(starts_at__lt=ends_at, ends_at__gt=starts_at).exists():
        raise ValidationError({"start": [_("This window overlaps one the session already has.")]})
    window = Window.objects.create(session=session, starts_at=starts_at, ends_at=ends_at)
    claim(session, None)  # pages holding the old version see that the session changed
    audit.record(
        actor=actor,
        verb="partnering.add_window",
        target=session,
        changes={"starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()},
        ip=ip,
    )
    return window


@transaction.atomic
def remove_window(*, actor: User, window: Window, ip: str | None = None) -> None:
    """Remove a window with nothing booked in it: participants' availability in it goes,
        requests proposed in it stay open without a slot (accepting one means choosing a slot,
    and both sides answer again). The
        last window stays: a session without meeting time cannot book anything."""
    session = _locked(window.session)
    inside = {"starts_at__gte": window.starts_at, "starts_at__lt": window.ends_at}
    booked = Meeting.objects.filter(session=session, state__in=OCCUPYING, **inside).count()
    if booked:
        raise ValidationError(
            _("%(n)d booked meetings are in this window: move or cancel them first.")
            % {"n": booked}
        )
    if session.windows.count() <= 1:
        raise ValidationError(_("A session needs at least one meeting window."))
    Availability.objects.filter(participant__session=session, **inside).delete()
    Meeting.objects.filter(session=session, state__in=OPEN, **inside).update(
        starts_at=None, a_accepted=False, b_accepted=False
    )
    changes = {"starts_at": window.starts_at.isoformat(), "ends_at": window.ends_at.isoformat()}
    window.delete()
    claim(session, None)
    audit.record(
        actor=actor, verb="partnering.remove_window", target=session, changes=changes, ip=ip
    )
