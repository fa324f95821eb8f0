"""Who may see and do what with badges, session check-in, certificates and CME credit.

- Organisers — staff, or members of the event's organizer or a co-organizer (engagements'
  `can_manage` on the event) — check people into sessions, print badges, issue, download and
  revoke certificates, define CME activities, award and revoke credits and export them.
  Everyone else: a 404 for an event they cannot see, a 403 for one they can see but do not
  organise; the lists and the API start from the querysets below, so they see nothing.
- A registrant, without an account, gets their own attendance certificate through the code
  of their ticket (the secret the ticket link already is).
- The public verification page shows, for a serial, the name, event, kind and date only.
"""

from __future__ import annotations

import rules
from django.db.models import Q, QuerySet

from luodi.accounts.rules import AnyUser, is_staff, org_ids
from luodi.credentials.models import (
    Certificate,
    CmeActivity,
    CmeCredit,
    SessionAttendance,
)
from luodi.engagements.models import Event, Registration, RegistrationStatus, Session
from luodi.engagements.rules import can_manage as can_manage_event


def events_organised_by(user: AnyUser) -> QuerySet[Event]:
    """Events the user may manage: engagements' own policy, as a queryset."""
    if is_staff(user):
        return Event.objects.all()
    orgs = org_ids(user) if user.is_authenticated else set()
    if not orgs:
        return Event.objects.none()
    co = Event.co_organizers.through.objects.filter(organization_id__in=orgs).values("event_id")
    return Event.objects.filter(Q(organizer_id__in=orgs) | Q(pk__in=co))


def attendances_visible_to(user: AnyUser) -> QuerySet[SessionAttendance]:
    return SessionAttendance.objects.filter(
        session__event__in=events_organised_by(user).values("pk")
    )


def certificates_visible_to(user: AnyUser) -> QuerySet[Certificate]:
    return Certificate.objects.filter(event__in=events_organised_by(user).values("pk"))


def activities_visible_to(user: AnyUser) -> QuerySet[CmeActivity]:
    return CmeActivity.objects.filter(event__in=events_organised_by(user).values("pk"))


def credits_visible_to(user: AnyUser) -> QuerySet[CmeCredit]:
    return CmeCredit.objects.filter(activity__event__in=events_organised_by(user).values("pk"))


def verifiable_certificates() -> QuerySet[Certificate]:
    """What the public verification page may look up (by serial): every issued certificate,
    revoked ones too, so a verifier learns that it was revoked."""
    return Certificate.objects.all()


def own_attendance_certificate(event_pk: int, code: str) -> Registration | None:
    """The registration behind a ticket link, if it may have an attendance certificate:
    confirmed and checked in. The ticket code is the registrant's secret."""
    return (
        Registration.objects.select_related("event")
        .filter(
            event_id=event_pk,
            code=code.strip().upper(),
            status=RegistrationStatus.CONFIRMED,
            checked_in_at__isnull=False,
        )
        .first()
    )


# -- per-object predicates ------------------------------------------------------------------


def _event_of(obj: object | None) -> Event | None:
    if isinstance(obj, Event):
        return obj
    if isinstance(obj, Certificate | CmeActivity | Session):
        return obj.event
    if isinstance(obj, CmeCredit):
        return obj.activity.event
    return None


@rules.predicate
def organises_event(user: AnyUser, obj: object | None) -> bool:
    event = _event_of(obj)
    return event is not None and bool(can_manage_event(user, event))


rules.add_perm("credentials.manage", organises_event)
