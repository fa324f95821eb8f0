"""Who may see and change catalog objects. Every catalog list, search, export, match and API
call starts from a `*_visible_to(user)` queryset here.

- Staff see everything. Viewers (government) see published, non-confidential records.
- Partners see published records, plus everything of their own organizations (drafts, pending
  submissions, confidential achievements), plus confidential achievements they hold a live
  access grant for, plus confidential achievements their organization is invited to the NDA
  for (a live `matchmaking.NdaInvitation`) — as a teaser only.
- A teaser-only achievement is listed, but its dossier is shown only to staff, the owner and
  live grantees; a confidential one is invisible to everybody else, even in counts. An
  invitation lists it (title, summary, fields) and lets the invitee request access; it never
  opens the dossier: only a live grant does (`catalog.view_dossier`).
"""

from __future__ import annotations

import rules
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from luodi.accounts.rules import AnyUser, is_partner, is_staff, org_ids
from luodi.catalog.choices import Disclosure, ReviewStatus
from luodi.catalog.models import (
    AccessGrant,
    Achievement,
    Carrier,
    ClinicalNeed,
    Organization,
    Person,
    Term,
    Trial,
)

# The NDA invitation lives in matchmaking (it belongs to the NDA flow), but which achievements
# a user may see is answered here only, so this module reads it.
from luodi.matchmaking.models import NdaInvitation

_PUBLISHED = Q(status=ReviewStatus.PUBLISHED, archived_at__isnull=True)


def live_grants(user: AnyUser) -> QuerySet[AccessGrant]:
    if not user.is_authenticated:
        return AccessGrant.objects.none()
    now = timezone.now()
    return AccessGrant.objects.filter(
        Q(user_id=user.pk) | Q(organization_id__in=org_ids(user)),
        approved_at__isnull=False,
        revoked_at__isnull=True,
        expires_at__gt=now,
    )


def live_invitations(user: AnyUser) -> QuerySet[NdaInvitation]:
    """NDA invitations that currently open a confidential achievement's teaser to the user's
    organizations: not revoked, not expired, for an organization not archived."""
    if not user.is_authenticated:
        return NdaInvitation.objects.none()
    return NdaInvitation.objects.filter(
        organization_id__in=org_ids(user),
        organization__archived_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    )


def organizations_visible_to(user: AnyUser) -> QuerySet[Organization]:
    qs = Organization.objects.filter(merged_into__isnull=True)
    if is_staff(user):
        return qs
    if not user.is_authenticated:
        return qs.none()
    return qs.filter(_PUBLISHED | Q(pk__in=org_ids(user)) | Q(submitted_by_id=user.pk))


def achievements_visible_to(user: AnyUser) -> QuerySet[Achievement]:
    qs = Achievement.objects.all()
    if is_staff(user):
        return qs
    if not user.is_authenticated:
        return qs.none()
    listed = _PUBLISHED & Q(disclosure__in=[Disclosure.PUBLIC, Disclosure.TEASER])
    # Annotated so that has_live_grant answers from the row, without a query per item.
    qs = qs.annotate(
        live_grant=Exists(live_grants(user).filter(achievement_id=OuterRef("pk"))),
        nda_invited=Exists(live_invitations(user).filter(achievement_id=OuterRef("pk"))),
    )
    own = Q(owner_id__in=org_ids(user)) | Q(submitted_by_id=user.pk)
    # An invitation lists the teaser; the dossier stays behind `catalog.view_dossier`.
    opened = Q(live_grant=True) | Q(nda_invited=True)
    return qs.filter(listed | (_PUBLISHED & opened) | own)


def people_visible_to(user: AnyUser) -> QuerySet[Person]:
    qs = Person.objects.all()
    if is_staff(user):
        return qs
    if not user.is_authenticated:
        return qs.none()
    return qs.filter(_PUBLISHED | Q(organization_id__in=org_ids(user)) | Q(submitted_by_id=user.pk))


def needs_visible_to(user: AnyUser) -> QuerySet[ClinicalNeed]:
    qs = ClinicalNeed.objects.all()
    if is_staff(user):
        return qs
    if not user.is_authenticated:
        return qs.none()
    return qs.filter(_PUBLISHED | Q(organization_id__in=org_ids(user)) | Q(submitted_by_id=user.pk))


def carriers_visible_to(user: AnyUser) -> QuerySet[Carrier]:
    return Carrier.objects.filter(park__in=organizations_visible_to(user))


def trials_visible_to(user: AnyUser) -> QuerySet[Trial]:
    # Trial registrations are public records.
    return Trial.objects.all() if user.is_authenticated else Trial.objects.none()


def terms_visible_to(user: AnyUser) -> QuerySet[Term]:
    return Term.objects.all() if user.is_authenticated else Term.objects.none()


# -- per-object predicates ------------------------------------------------------------------


def _owner_org_id(obj: object) -> int | None:
    for attr in ("owner_id", "organization_id", "park_id"):
        value = getattr(obj, attr, None)
        if value is not None:
            return int(value)
    if isinstance(obj, Organization):
        return obj.pk
    return None


@rules.predicate
def is_member_of_owner(user: AnyUser, obj: object | None) -> bool:
    if obj is None:
        return False
    owner = _owner_org_id(obj)
    return owner is not None and owner in org_ids(user)


@rules.predicate
def is_submitter(user: AnyUser, obj: object | None) -> bool:
    return (
        obj is not None
        and user.is_authenticated
        and (getattr(obj, "submitted_by_id", None) == user.pk)
    )


@rules.predicate
def has_live_grant(user: AnyUser, achievement: Achievement | None) -> bool:
    if achievement is None:
        return False
    annotated = getattr(achievement, "live_grant", None)
    if annotated is not None:
        return bool(annotated)
    return live_grants(user).filter(achievement_id=achievement.pk).exists()


@rules.predicate
def is_public_tier(user: AnyUser, achievement: Achievement | None) -> bool:
    return achievement is not None and achievement.disclosure == Disclosure.PUBLIC


@rules.predicate
def is_published(user: AnyUser, obj: object | None) -> bool:
    return obj is not None and getattr(obj, "status", None) == ReviewStatus.PUBLISHED


can_edit = is_staff | (is_partner & (is_member_of_owner | is_submitter))

for model in ("organization", "achievement", "clinicalneed", "person", "carrier"):
    rules.add_perm(f"catalog.change_{model}", can_edit)
    rules.add_perm(f"catalog.archive_{model}", can_edit)
rules.add_perm("catalog.add_record", is_staff | is_partner)
rules.add_perm("catalog.review", is_staff)
rules.add_perm("catalog.merge_organization", is_staff)
rules.add_perm(
    "catalog.view_dossier",
    is_staff
    | is_member_of_owner
    | is_submitter
    | (is_published & (is_public_tier | has_live_grant)),
)
# Contact details (phone, email) of a person: staff and the person's own organization.
rules.add_perm("catalog.view_contact", is_staff | is_member_of_owner)
