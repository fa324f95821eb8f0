"""Who sees and does what with surveys.

- A survey belongs to its event's organisers: staff and the members of the event's organizer
  or co-organizers (engagements' `can_manage`). They create it, edit its questions, send it,
  close it and read the results — aggregate answers only: no page, API answer or export
  names who answered what.
- An attendee answers through their private link (tokens.py), without an account; the link
  shows their own invitation and nothing else.
- Everyone else: a survey they may not manage is a 404.
"""

from __future__ import annotations

import rules
from django.db.models import Q, QuerySet

from luodi.accounts.rules import AnyUser, is_staff, org_ids
from luodi.engagements.models import Event
from luodi.engagements.rules import can_manage
from luodi.surveys.models import Survey


def _managed_events(user: AnyUser) -> QuerySet[Event]:
    if is_staff(user):
        return Event.objects.all()
    orgs = org_ids(user) if user.is_authenticated else set()
    if not orgs:
        return Event.objects.none()
    co = Event.co_organizers.through.objects.filter(organization_id__in=orgs).values("event_id")
    return Event.objects.filter(Q(organizer_id__in=orgs) | Q(pk__in=co))


def surveys_visible_to(user: AnyUser) -> QuerySet[Survey]:
    """Surveys of the events the user organises (staff: all)."""
    if is_staff(user):
        return Survey.objects.all()
    return Survey.objects.filter(event__in=_managed_events(user))


@rules.predicate
def manages_event(user: AnyUser, obj: object | None) -> bool:
    event = obj.event if isinstance(obj, Survey) else obj
    return isinstance(event, Event) and bool(can_manage(user, event))


rules.add_perm("surveys.manage_survey", manages_event)
