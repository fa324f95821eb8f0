"""Who may see and change conferences. Every list, page and API call starts from a
`*_visible_to(user)` queryset here.

- Organisers — staff, or members of the event's organizer or a co-organizer (engagements'
  `can_manage` on the event) — configure the call, assign reviewers, see every abstract and
  review of their conference, decide and place abstracts in the timetable.
- A reviewer sees only the abstracts assigned to them, and of the reviews only their own.
- Someone who submitted with an account sees their own abstracts; without one, the signed
  private link in the confirmation mail shows that one abstract.
- The public sees, of a published event, only accepted abstracts placed in the programme:
  rejected and undecided abstracts never appear on a public page.
"""

from __future__ import annotations

import rules
from django.db.models import Q, QuerySet

from luodi.accounts.rules import AnyUser, is_staff
from luodi.conferences.choices import ACCEPTED
from luodi.conferences.models import Abstract, AbstractReview, Conference
from luodi.engagements.models import Event, EventStatus
from luodi.engagements.rules import can_manage as can_manage_event
from luodi.engagements.rules import events_visible_to


def _organized_events(user: AnyUser) -> QuerySet[Event]:
    """Events the user may manage (engagements' own policy, as a queryset)."""
    if is_staff(user):
        return Event.objects.all()
    from luodi.accounts.rules import org_ids

    orgs = org_ids(user)
    if not orgs:
        return Event.objects.none()
    return Event.objects.filter(
        Q(organizer_id__in=orgs)
        | Q(
            pk__in=Event.co_organizers.through.objects.filter(organization_id__in=orgs).values(
                "event_id"
            )
        )
    )


def conferences_visible_to(user: AnyUser) -> QuerySet[Conference]:
    """Conferences whose event the user may see (published ones for everybody)."""
    return Conference.objects.filter(event__in=events_visible_to(user).values("pk"))


def organized_conferences(user: AnyUser) -> QuerySet[Conference]:
    return Conference.objects.filter(event__in=_organized_events(user).values("pk"))


def abstracts_visible_to(user: AnyUser) -> QuerySet[Abstract]:
    if is_staff(user):
        return Abstract.objects.all()
    if not user.is_authenticated:
        return Abstract.objects.none()
    return Abstract.objects.filter(
        Q(conference__in=organized_conferences(user).values("pk"))
        | Q(pk__in=AbstractReview.objects.filter(reviewer_id=user.pk).values("abstract_id"))
        | Q(submitted_by_id=user.pk)
    )


def reviews_visible_to(user: AnyUser) -> QuerySet[AbstractReview]:
    """Organisers see every review of their conferences; a reviewer only their own."""
    if is_staff(user):
        return AbstractReview.objects.all()
    if not user.is_authenticated:
        return AbstractReview.objects.none()
    return AbstractReview.objects.filter(
        Q(abstract__conference__in=organized_conferences(user).values("pk"))
        | Q(reviewer_id=user.pk)
    )


def public_conferences() -> QuerySet[Conference]:
    return Conference.objects.filter(event__status=EventStatus.PUBLISHED)


def public_abstracts() -> QuerySet[Abstract]:
    """What a public page may show: accepted, placed, of a published event."""
    return Abstract.objects.filter(
        status__in=ACCEPTED,
        session__isnull=False,
        conference__event__status=EventStatus.PUBLISHED,
    )


# -- per-object predicates ------------------------------------------------------------------


def _event_of(obj: object | None) -> Event | None:
    if isinstance(obj, Conference):
        return obj.event
    if isinstance(obj, Abstract):
        return obj.conference.event
    if isinstance(obj, Event):
        return obj
    return None


@rules.predicate
def organizes_conference(user: AnyUser, obj: object | None) -> bool:
    event = _event_of(obj)
    return event is not None and bool(can_manage_event(user, event))


@rules.predicate
def reviews_abstract(user: AnyUser, obj: object | None) -> bool:
    if not user.is_authenticated:
        return False
    if isinstance(obj, AbstractReview):
        return obj.reviewer_id == user.pk
    if isinstance(obj, Abstract):
        return obj.reviews.filter(reviewer_id=user.pk).exists()
    return False


def may_see_authors(user: AnyUser, abstract: Abstract) -> bool:
    """Who wrote an abstract, where they work and how to reach them: withheld from its
    reviewers while the conference reviews blind. Organisers and the submitter always see
    them; once an abstract is public (accepted, placed, published) the programme names its
    authors anyway, so hiding them from a reviewer would hide nothing."""
    if not abstract.conference.blind_review or organizes_conference(user, abstract):
        return True
    if user.is_authenticated and abstract.submitted_by_id == user.pk:
        return True
    return public_abstracts().filter(pk=abstract.pk).exists()


rules.add_perm("conferences.manage_conference", organizes_conference)
rules.add_perm("conferences.review_abstract", reviews_abstract)
