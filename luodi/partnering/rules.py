"""Who sees and does what in partnering.

- Organisers of a session are staff and the members of its event's organizer or
  co-organizers: they see every participant and meeting, propose and schedule meetings and
  record outcomes.
- A participant sees the session, the published offers and seeks of the other participants,
  and only their own meetings (the ones they are a side of); they accept, decline, request
  and cancel their own meetings and record the outcome of their own held meetings.
- Everyone else who may see the event sees that a partnering session exists (to register);
  a meeting or participant they are not part of is a 404.
"""

from __future__ import annotations

import rules
from django.db.models import Q, QuerySet

from luodi.accounts.rules import AnyUser, is_partner, is_staff, org_ids
from luodi.engagements.models import Event
from luodi.engagements.rules import events_visible_to
from luodi.partnering.models import Meeting, Participant, PartneringSession


def _organised_events(user: AnyUser) -> QuerySet[Event]:
    orgs = org_ids(user)
    if not orgs:
        return Event.objects.none()
    co = Event.co_organizers.through.objects.filter(organization_id__in=orgs).values("event_id")
    return Event.objects.filter(Q(organizer_id__in=orgs) | Q(pk__in=co))


def sessions_visible_to(user: AnyUser) -> QuerySet[PartneringSession]:
    if is_staff(user):
        return PartneringSession.objects.all()
    if not user.is_authenticated:
        return PartneringSession.objects.none()
    return PartneringSession.objects.filter(event__in=events_visible_to(user))


def sessions_organised_by(user: AnyUser) -> QuerySet[PartneringSession]:
    if is_staff(user):
        return PartneringSession.objects.all()
    return PartneringSession.objects.filter(event__in=_organised_events(user))


def seat_of(user: AnyUser, session: PartneringSession) -> Participant | None:
    if not user.is_authenticated:
        return None
    return (
        Participant.objects.select_related("organization", "user")
        .filter(session=session, user_id=user.pk)
        .first()
    )


def participants_visible_to(user: AnyUser) -> QuerySet[Participant]:
    """Organisers: everyone of their sessions; participants: the published participants of
    their sessions and themselves; others: none."""
    if is_staff(user):
        return Participant.objects.all()
    if not user.is_authenticated:
        return Participant.objects.none()
    mine = Participant.objects.filter(user_id=user.pk).values("session_id")
    return Participant.objects.filter(
        Q(session__in=sessions_organised_by(user))
        | Q(user_id=user.pk)
        | Q(session_id__in=mine, is_published=True)
    )


def meetings_visible_to(user: AnyUser) -> QuerySet[Meeting]:
    if is_staff(user):
        return Meeting.objects.all()
    if not user.is_authenticated:
        return Meeting.objects.none()
    return Meeting.objects.filter(
        Q(session__in=sessions_organised_by(user)) | Q(a__user_id=user.pk) | Q(b__user_id=user.pk)
    )


def _session_of(obj: object | None) -> PartneringSession | None:
    if isinstance(obj, PartneringSession):
        return obj
    if isinstance(obj, Meeting | Participant):
        return obj.session
    return None


@rules.predicate
def organises(user: AnyUser, obj: object | None) -> bool:
    session = _session_of(obj)
    event_id = obj.pk if isinstance(obj, Event) else (session.event_id if session else None)
    if event_id is None or not user.is_authenticated:
        return False
    return _organised_events(user).filter(pk=event_id).exists()


@rules.predicate
def is_side(user: AnyUser, meeting: Meeting | None) -> bool:
    if meeting is None or not user.is_authenticated:
        return False
    return user.pk in (meeting.a.user_id, meeting.b.user_id)


@rules.predicate
def may_join(user: AnyUser, session: PartneringSession | None) -> bool:
    if session is None or not session.is_open or not user.is_authenticated:
        return False
    return bool(org_ids(user))


may_organise = is_staff | organises

rules.add_perm("partnering.add_session", is_staff | organises)
rules.add_perm("partnering.organise", may_organise)
rules.add_perm("partnering.join", is_partner & may_join)
rules.add_perm("partnering.answer_meeting", is_side | may_organise)
rules.add_perm("partnering.record_outcome", is_side | may_organise)
