"""Who may see and change catalog objects. Every catalog list, search, export, match and API
call starts from a `*_visible_to(user)` queryset here.

- Staff see everything. Viewers (government) see published, non-confidential records.
- Partners see published records, plus everything of their own organizations (drafts, pending
  submissions, confidential achievements), plus confidential achievements they hold a live
  access grant for, plus confidential achievements their organization is invited to the NDA
  for (a live `disclosure.NdaInvitation`) — as a teaser only.
- A teaser-only achievement is listed, but its dossier is shown only to staff, the owner and
  live grantees; a confidential one is invisible to everybody else, even in counts. An
  invitation lists it (title, summary, fields) and lets the invitee request access; it never
  opens the dossier: only a live grant does (`catalog.view_dossier`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import rules
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from luodi.accounts.rules import AnyUser, is_partner, is_staff, org_ids
from luodi.catalog.choices import Disclosure, OrganizationKind, ReviewStatus
from luodi.catalog.models import (
    Achievement,
    Carrier,
    ClinicalNeed,
    Organization,
    Person,
    Revision,
    Term,
    Trial,
)

# The NDA invitation lives in matchmaking (it belongs to the NDA flow), but which achievements
# a user may see is answered here only, so this module reads it.
from luodi.disclosure.models import AccessGrant, NdaInvitation

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


def revisions_visible_to(user: AnyUser) -> QuerySet[Revision]:
    """Proposed changes to published records: staff see all; partners those of their own
    organizations' records and those they proposed; nobody else (the public version is what
    others see)."""
    qs = Revision.objects.all()
    if is_staff(user):
        return qs
    if not is_partner(user):
        return qs.none()
    return qs.filter(Q(organization_id__in=org_ids(user)) | Q(proposed_by_id=user.pk))


def organizations_attachable_by(user: AnyUser) -> QuerySet[Organization]:
    """Organizations `user` may attach a record to (its owner, organization or park): any
    visible one for staff, otherwise only the user's own."""
    qs = organizations_visible_to(user)
    return qs if is_staff(user) else qs.filter(pk__in=org_ids(user))


def institutions_kept_by(user: AnyUser) -> QuerySet[Organization]:
    """Institutions whose own books (grants, the transfer ledger, reward distributions)
    `user` may open: staff every one, a partner its own organizations, anyone else none."""
    if is_staff(user):
        return Organization.objects.all()
    if not is_partner(user):
        return Organization.objects.none()
    return Organization.objects.filter(pk__in=org_ids(user))


def institution_picker(user: AnyUser, keeping: QuerySet[Any]) -> QuerySet[Organization]:
    """The institution picker of such books: a member's own organizations; for staff, the
    hospitals and institutes and any organization already `keeping` books (a queryset of
    institution ids), not every company."""
    qs = institutions_kept_by(user)
    if is_staff(user):
        kinds = [OrganizationKind.HOSPITAL, OrganizationKind.INSTITUTE]
        qs = qs.filter(Q(kind__in=kinds) | Q(pk__in=keeping))
    return qs.order_by("name_zh", "name_en", "pk")


def carriers_visible_to(user: AnyUser) -> QuerySet[Carrier]:
    return Carrier.objects.filter(park__in=organizations_visible_to(user))


def trials_visible_to(user: AnyUser) -> QuerySet[Trial]:
    # Trial registrations are public records.
    return Trial.objects.all() if user.is_authenticated else Trial.objects.none()


def terms_visible_to(user: AnyUser) -> QuerySet[Term]:
    return Term.objects.all() if user.is_authenticated else Term.objects.none()


# -- the same rules as audience tokens, for search indexes ----------------------------------
# Every indexed document carries the tokens of who may see it; a user's query asks for any
# of the user's tokens (`user_audience`), so an index filters before it ranks. These mirror
# the querysets above exactly (tests/retrieval/test_audience.py proves it for every persona);
# the querysets stay the authority on what a page shows or counts. Grants and invitations
# end by time, so the index re-reads achievements whose access just expired (retrieval).

EVERYONE = "all"  # any signed-in user
LISTED = "pub"  # published, not archived (achievements: public or teaser tier)


def org_token(org_id: int) -> str:
    return f"o{org_id}"


def user_token(user_id: int) -> str:
    return f"u{user_id}"


def user_audience(user: AnyUser) -> list[str] | None:
    """The tokens a user's queries ask for; None for staff (no filter), [] for nobody."""
    if is_staff(user):
        return None
    if not user.is_authenticated:
        return []
    return [
        EVERYONE,
        LISTED,
        user_token(user.pk),
        *(org_token(o) for o in sorted(org_ids(user))),
    ]


def _own(owner_id: int | None, submitted_by_id: int | None) -> list[str]:
    out = [org_token(owner_id)] if owner_id else []
    return out + ([user_token(submitted_by_id)] if submitted_by_id else [])


def _published(obj: Any) -> bool:
    return obj.status == ReviewStatus.PUBLISHED and obj.archived_at is None


def organization_audience(o: Organization) -> list[str]:
    return ([LISTED] if _published(o) else []) + _own(o.pk, o.submitted_by_id)


def owned_audience(obj: ClinicalNeed | Person) -> list[str]:
    """Clinical needs and people: published, or their organization's, or the submitter's."""
    return ([LISTED] if _published(obj) else []) + _own(obj.organization_id, obj.submitted_by_id)


def carrier_audience(park: Organization) -> list[str]:
    return organization_audience(park)


def achievement_audiences(rows: list[Achievement]) -> dict[int, list[str]]:
    """Tokens per achievement, with live grants and NDA invitations read in two queries."""
    now = timezone.now()
    ids = [a.pk for a in rows]
    opened: dict[int, set[str]] = {}
    for aid, org_id, user_id in AccessGrant.objects.filter(
        achievement_id__in=ids,
        approved_at__isnull=False,
        revoked_at__isnull=True,
        expires_at__gt=now,
    ).values_list("achievement_id", "organization_id", "user_id"):
        opened.setdefault(aid, set()).update(_own(org_id, user_id))
    for aid, org_id in NdaInvitation.objects.filter(
        achievement_id__in=ids,
        organization__archived_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=now,
    ).values_list("achievement_id", "organization_id"):
        opened.setdefault(aid, set()).add(org_token(org_id))
    out: dict[int, list[str]] = {}
    for a in rows:
        tokens = _own(a.owner_id, a.submitted_by_id)
        if _published(a):
            if a.disclosure in (Disclosure.PUBLIC, Disclosure.TEASER):
                tokens.append(LISTED)
            tokens += sorted(opened.get(a.pk, ()))
        out[a.pk] = sorted(set(tokens))
    return out


def access_expiring(since: datetime, until: datetime) -> set[int]:
    """Achievements whose live grant or invitation ran out between `since` and `until`: the
    time passing changes who may see them, with no write to notice."""
    grants = AccessGrant.objects.filter(expires_at__gt=since, expires_at__lte=until)
    invites = NdaInvitation.objects.filter(expires_at__gt=since, expires_at__lte=until)
    return set(grants.values_list("achievement_id", flat=True)) | set(
        invites.values_list("achievement_id", flat=True)
    )


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

# The actors of the review table (review.py): reviewers decide submissions, and what they
# create or edit is published at once (a system import acts as one too); a submitter's
# records and edits wait for review. Viewers change nothing. Reviewers' pending counts are
# everything waiting, everybody else's their own submissions (queries.home_counts).
may_review = is_staff
submits_for_review = is_partner

for model in ("organization", "achievement", "clinicalneed", "person", "carrier"):
    rules.add_perm(f"catalog.change_{model}", can_edit)
    rules.add_perm(f"catalog.archive_{model}", can_edit)
rules.add_perm("catalog.add_record", is_staff | is_partner)
rules.add_perm("catalog.review", may_review)
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
# A person's privacy bookkeeping (the PIPL legal basis, disclosure.PRIVACY_FIELDS): staff
# only; it is read and changed where it is managed (accounts.manage_personal_data).
rules.add_perm("catalog.view_legal_basis", is_staff)
