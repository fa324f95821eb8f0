"""Who may see and change engagements. Every list, calendar, export and API call starts from a
`*_visible_to(user)` queryset here.

- Staff see and manage everything.
- Signed-in partners (and viewers with a membership) see the visits, meetings and events
  their organization takes part in (organizer, delegation, stop, co-organizer, participant),
  plus every published event and news post; they may record minutes and outcomes for what
  their organization organizes, and run registrations and check-in of events their
  organization organizes or co-organizes.
- The public sees published events (with the registration form) and published news only.

Parks compete for the same projects (招商), so what a visit records about one park is kept from
the others. Per stop, its details — the park's fit score and reasons and its terms (rent
subsidy, grant ceiling, incentives: the stop's fit summary), the hosts met, the minutes taken
there, and the outcomes and follow-ups recorded at that stop — are open to:

- staff;
- members of the stop's own organization;
- the visiting side: members of the organizer, of a delegation organization or of the
  visiting company, unless they are also members of any park. The parks' offers are made to
  them and comparing them is what the visit is for (as on an achievement's matchmaking park
  tab, which shows them every park too); a park stays a competitor whatever seat it takes.

Everybody else who may see the visit — in practice, members of a park (or other place) on the
itinerary — sees the other stops only as name, time and place (organization, label,
coordinates, time window, duration, planned arrival) with a note saying why the rest is
withheld. For them, too:

- the visit summary (it weighs every park against the others) is withheld;
- outcomes and follow-ups are shown only when recorded at one of their own stops or, without
  a stop, with their own organization as counterpart (a follow-up also when it is theirs);
- meetings during the visit are those `meetings_visible_to` lets them see, like everywhere.

Managing a visit does not widen this: a park that organizes a visit may reorder or remove
other parks' stops (name, time and place) but may not read or write their minutes.
Every output applies it through `visit_disclosure` and `shown_stops`: the visit page, the
briefing pack (and so its printout), the visit's .ics file and the visits API.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import time

import rules
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from luodi.accounts.rules import AnyUser, is_staff, org_ids
from luodi.catalog.choices import OrganizationKind
from luodi.catalog.models import Organization
from luodi.engagements.models import (
    Event,
    EventStatus,
    FollowUp,
    Meeting,
    NewsPost,
    Outcome,
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


# -- per-park details of a visit (see the module docstring) ----------------------------------

STOP_WITHHELD = _("Withheld: visible to staff and to this park only.")
SUMMARY_WITHHELD = _(
    "Withheld: visible to staff and to the organizer, delegation and visiting company only."
)
RECORDS_WITHHELD = _(
    "Outcomes and follow-ups recorded at other stops are withheld: visible to staff and to "
    "that park only."
)


def park_ids(user: AnyUser) -> set[int]:
    """The parks the user is a member of; cached on the user object for the request, as
    `org_ids` is (a list of visits asks once per visit)."""
    cached: set[int] | None = getattr(user, "_luodi_park_ids", None)
    if cached is None:
        orgs = org_ids(user)
        parks = Organization.objects.filter(pk__in=orgs, kind=OrganizationKind.PARK)
        cached = set(parks.values_list("pk", flat=True)) if orgs else set()
        setattr(user, "_luodi_park_ids", cached)  # noqa: B010 - a per-request cache
    return cached


@dataclass(frozen=True)
class VisitDisclosure:
    """What one user may see of one visit's per-park details."""

    user_id: int | None
    full: bool  # staff, or the visiting side with no park of its own: every stop in full
    own: frozenset[int]  # the user's organizations: their own stops are open to them

    def stop_open(self, stop: VisitStop) -> bool:
        return self.full or (stop.organization_id is not None and stop.organization_id in self.own)

    @property
    def summary_open(self) -> bool:
        return self.full

    def outcome_open(self, outcome: Outcome) -> bool:
        if self.full:
            return True
        if outcome.stop is not None:
            return self.stop_open(outcome.stop)
        return outcome.counterpart_id is not None and outcome.counterpart_id in self.own

    def follow_up_open(self, follow_up: FollowUp) -> bool:
        if self.full or (self.user_id is not None and follow_up.owner_id == self.user_id):
            return True
        return follow_up.stop is not None and self.stop_open(follow_up.stop)


def visit_disclosure(user: AnyUser, visit: Visit) -> VisitDisclosure:
    """The policy for `user` on `visit` (which the user may see: check that first)."""
    own = frozenset(org_ids(user))
    if is_staff(user):
        full = True
    elif park_ids(user):
        full = False  # a park is a competitor in whatever seat it takes
    else:
        visiting = {visit.organizer_id, visit.company_id}
        visiting |= {o.pk for o in visit.organizations.all()}  # prefetched by list callers
        full = bool(own & visiting)
    return VisitDisclosure(user.pk if user.is_authenticated else None, full, own)


@dataclass(frozen=True)
class ShownStop:
    """A stop as one user may see it. A withheld stop keeps its name, time and place and
    carries empty details, so that no template or schema can print what is withheld."""

    pk: int
    position: int
    organization: Organization | None
    label: str
    latitude: float | None
    longitude: float | None
    window_start: time | None
    window_end: time | None
    duration_min: int
    arrive_at: time | None
    hosts: str
    fit_summary: str
    minutes: str
    withheld: bool

    @property
    def id(self) -> int:
        return self.pk

    @property
    def organization_id(self) -> int | None:
        return self.organization.pk if self.organization is not None else None

    @property
    def withheld_note(self) -> str:
        return str(STOP_WITHHELD) if self.withheld else ""


def shown_stops(disclosure: VisitDisclosure, stops: Iterable[VisitStop]) -> list[ShownStop]:
    out = []
    for s in stops:
        shown = disclosure.stop_open(s)
        out.append(
            ShownStop(
                pk=s.pk,
                position=s.position,
                organization=s.organization,
                label=s.label,
                latitude=s.latitude,
                longitude=s.longitude,
                window_start=s.window_start,
                window_end=s.window_end,
                duration_min=s.duration_min,
                arrive_at=s.arrive_at,
                hosts=s.hosts if shown else "",
                fit_summary=s.fit_summary if shown else "",
                minutes=s.minutes if shown else "",
                withheld=not shown,
            )
        )
    return out


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


@rules.predicate
def sees_stop_details(user: AnyUser, stop: VisitStop | None) -> bool:
    return stop is not None and visit_disclosure(user, stop.visit).stop_open(stop)


can_manage = is_staff | organizes


# -- registrations' personal data -------------------------------------------------------------
# A registration's invoice details (发票抬头, 税号), answers to the organiser's questions and
# consent record are personal information (PIPL) collected for the event's organisers: open
# to the organisers and co-organisers of that event and to staff, who run the platform and
# answer a person's privacy requests. Nobody else — another organization, a viewer, the
# public — ever gets them, through a page, the API or an export. (The registrant reads their
# own category and fee on the ticket page, reached with the secret code only.)
sees_registration_personal_data = is_staff | organizes


def registration_personal_data_open(user: AnyUser, event: Event) -> bool:
    return bool(sees_registration_personal_data(user, event))


rules.add_perm("engagements.add_engagement", is_staff)
rules.add_perm("engagements.change_visit", can_manage)
# A stop's fit, terms, hosts and minutes (the per-park details above); recording minutes
# needs this as well as changing the visit, since the form shows the minutes so far.
rules.add_perm("engagements.view_stop_details", sees_stop_details)
rules.add_perm("engagements.change_meeting", can_manage)
rules.add_perm("engagements.change_event", can_manage)
rules.add_perm("engagements.manage_registrations", can_manage)
# Categories, questions, the notice and "fee received" are the organisers' to set.
rules.add_perm("engagements.manage_registration_options", can_manage)
rules.add_perm("engagements.view_registration_personal_data", sees_registration_personal_data)
rules.add_perm("engagements.manage_news", is_staff)
