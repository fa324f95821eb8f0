"""Who may see and change engagements. Every list, calendar, export and API call starts from a
`*_visible_to(user)` queryset here.

- Staff see and manage everything.
- Signed-in partners (and viewers with a membership) see the visits, meetings and events
  their organization takes part in (organizer, delegation, stop, co-organizer, participant),
  plus every published event and news post; they may record minutes and outcomes for what
  their organization organizes, and run registrations and check-in of events their
  organization organizes or co-organizes.
- The public sees published events (with the registration form) and published news only.
"""

from __future__ import annotations

import rules
from django.db.models import Q, QuerySet

from luodi.accounts.rules import AnyUser, is_staff, org_ids
from luodi.engagements.models import (
    Event,
    EventStatus,
    Meeting,
    NewsPost,
    PostStatus,
    Registration,
    Visit,
    VisitStop,
)


def visits_visible_to(user: AnyUser) -> QuerySet[Visit]:
    qs = Visit.objects.all()
    if is_staff(user):
        return qs
    orgs = org_ids(user)
    if not orgs:
        return qs.none()
    at_stop = VisitStop.objects.filter(organization_id__in=orgs).values("visit_id")
    return qs.filter(
        Q(organizer_id__in=orgs)
        | Q(
            pk__in=Visit.organizations.through.objects.filter(organization_id__in=orgs).values(
                "visit_id"
            )
        )
        | Q(pk__in=at_stop)
        | Q(company_id__in=orgs)
    )


def meetings_visible_to(user: AnyUser) -> QuerySet[Meeting]:
    qs = Meeting.objects.all()
    if is_staff(user):
        return qs
    orgs = org_ids(user)
    if not orgs:
        return qs.none()
    return qs.filter(
        pk__in=Meeting.organizations.through.objects.filter(organization_id__in=orgs).values(
            "meeting_id"
        )
    )


def _organizing(orgs: set[int]) -> Q:
    return Q(organizer_id__in=orgs) | Q(
        pk__in=Event.co_organizers.through.objects.filter(organization_id__in=orgs).values(
            "event_id"
        )
    )


def events_visible_to(user: AnyUser) -> QuerySet[Event]:
    qs = Event.objects.all()
    if is_staff(user):
        return qs
    published = Q(status=EventStatus.PUBLISHED)
    orgs = org_ids(user)
    return qs.filter(published | _organizing(orgs)) if orgs else qs.filter(published)


def public_events() -> QuerySet[Event]:
    return Event.objects.filter(status=EventStatus.PUBLISHED)


def registrations_visible_to(user: AnyUser) -> QuerySet[Registration]:
    qs = Registration.objects.all()
    if is_staff(user):
        return qs
    orgs = org_ids(user)
    if not orgs:
        return qs.none()
    return qs.filter(event__in=Event.objects.filter(_organizing(orgs)))


def news_visible_to(user: AnyUser) -> QuerySet[NewsPost]:
    if is_staff(user):
        return NewsPost.objects.all()
    return public_news()


def public_news() -> QuerySet[NewsPost]:
    return NewsPost.objects.filter(status=PostStatus.PUBLISHED)


# -- per-object predicates ------------------------------------------------------------------


@rules.predicate
def organizes(user: AnyUser, obj: object | None) -> bool:
    if obj is None or not user.is_authenticated:
        return False
    orgs = org_ids(user)
    if isinstance(obj, Event):
        return obj.organizer_id in orgs or any(o.pk in orgs for o in obj.co_organizers.all())
    if isinstance(obj, Visit):
        return obj.organizer_id in orgs
    if isinstance(obj, Meeting):
        return any(o.pk in orgs for o in obj.organizations.all())
    return False


can_manage = is_staff | organizes

rules.add_perm("engagements.add_engagement", is_staff)
rules.add_perm("engagements.change_visit", can_manage)
rules.add_perm("engagements.change_meeting", can_manage)
rules.add_perm("engagements.change_event", can_manage)
rules.add_perm("engagements.manage_registrations", can_manage)
rules.add_perm("engagements.manage_news", is_staff)
