"""Who may do what in accounts, and which accounts objects each user may see.

Every list, API call and export of accounts data starts from a `*_visible_to` queryset here.
Other apps build on the predicates below (is_staff, is_partner, org_ids, sees_people).
"""

from __future__ import annotations

from dataclasses import dataclass

import rules
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from luodi.accounts.models import ApiToken, AuditEntry, Role, User

AnyUser = User | AnonymousUser


@rules.predicate
def is_staff(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_association_staff)


@rules.predicate
def is_partner(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == Role.PARTNER)


@rules.predicate
def is_viewer(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == Role.VIEWER)


@rules.predicate
def is_token_owner(user: AnyUser, token: ApiToken | None) -> bool:
    return token is not None and user.is_authenticated and token.user_id == user.pk


def org_ids(user: AnyUser) -> set[int]:
    """Organizations the user belongs to; cached on the user object for the request."""
    if not user.is_authenticated:
        return set()
    cached: set[int] | None = getattr(user, "_luodi_org_ids", None)
    if cached is None:
        cached = set(user.memberships.values_list("organization_id", flat=True))
        setattr(user, "_luodi_org_ids", cached)  # noqa: B010 - a per-request cache on the object
    return cached


# Whether pages, charts and histories may name the people behind records (who recorded a
# figure, overdue work by owner): everyone but a viewer. A viewer (a government bureau)
# reads numbers, never who typed them or who is behind on what.
sees_people = ~is_viewer

rules.add_perm("accounts.view_auditentry", is_staff)
# Account applications are decided by association staff (approving one publishes an org).
rules.add_perm("accounts.decide_application", is_staff)
# A person's legal basis, export and anonymisation (luodi/privacy): staff only.
rules.add_perm("accounts.manage_personal_data", is_staff)
rules.add_perm("accounts.manage_token", is_token_owner)
rules.add_perm("accounts.create_token", rules.is_authenticated & rules.is_active)


@rules.predicate
def is_institution_member(user: AnyUser, target: object | None) -> bool:
    """A member of the institution whose books `target` is in (an organization, or a record
    with an `institution_id`: a ledger entry, a grant); without a target, of any organization
    (may keep some institution's books: the "New …" buttons). The ledger and the grants
    (赋权) both ask it."""
    mine = org_ids(user)
    if target is None:
        return bool(mine)
    institution_id = getattr(target, "institution_id", None)
    if institution_id is None:
        institution_id = getattr(target, "pk", None)
    return institution_id in mine


@dataclass(frozen=True)
class Link:
    """A linked record as a user may see it: its id and its title (or name)."""

    id: int
    title: str


def audit_visible_to(user: AnyUser) -> QuerySet[AuditEntry]:
    if is_staff(user):
        return AuditEntry.objects.all()
    return AuditEntry.objects.none()


def tokens_visible_to(user: AnyUser) -> QuerySet[ApiToken]:
    if not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user_id=user.pk)
