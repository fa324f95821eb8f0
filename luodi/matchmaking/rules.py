"""Who may see and act on matchmaking objects. Match lists themselves start from the catalog's
`*_visible_to(user)` querysets (see queries.py); these rules cover records and requests.

- Acting on a pair (shortlist, introduce, decline): staff, members of the source's owner, and
  members of the counterparty (who record their own answer).
- A match record is listed to staff and to members of either side, and never when it involves
  an achievement the user may not see (a confidential one without a live grant).
- Access requests: staff, the achievement owner's members (who decide) and the requester.
- NDA invitations (confidential achievements): staff and the owner's partner members invite
  and revoke; they list all of them, an invited organization lists only its live ones.
- Parks compete for the same projects (招商): a member of a park sees, on a park tab, only its
  own parks' fit, never how the other parks score or where its own ranks among them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import rules
from django.db.models import Q, QuerySet

from luodi.accounts.models import AuditEntry
from luodi.accounts.rules import AnyUser, is_institution_member, is_partner, is_staff, org_ids
from luodi.catalog import rules as catalog_rules
from luodi.catalog.choices import OrganizationKind, ReviewStatus
from luodi.catalog.models import Achievement, Organization
from luodi.disclosure.models import NdaInvitation
from luodi.matchmaking.models import AccessRequest, MatchRecord


def comparable_parks(user: AnyUser, parks: QuerySet[Organization]) -> QuerySet[Organization]:
    """The parks of a park tab the user may compare: all of them for staff and for
    organizations that are not parks, only its own for a member of a park."""
    if is_staff(user):
        return parks
    own_parks = Organization.objects.filter(
        pk__in=org_ids(user), kind=OrganizationKind.PARK
    ).values_list("pk", flat=True)
    own = set(own_parks)
    return parks.filter(pk__in=own) if own else parks


def source_owner_id(obj: Any) -> int | None:
    """The organization that owns a match source (achievement, need, organization)."""
    if isinstance(obj, Organization):
        return obj.pk
    for attr in ("owner_id", "organization_id", "sponsor_id"):
        value = getattr(obj, attr, None)
        if value is not None:
            return int(value)
    return None


@rules.predicate
def owns_source(user: AnyUser, obj: Any) -> bool:
    owner = source_owner_id(obj)
    return owner is not None and owner in org_ids(user)


@rules.predicate
def is_record_party(user: AnyUser, rec: MatchRecord | None) -> bool:
    if rec is None:
        return False
    mine = org_ids(user)
    return rec.source_owner_id in mine or rec.counterparty_id in mine


@rules.predicate
def owns_requested(user: AnyUser, req: AccessRequest | None) -> bool:
    return req is not None and req.achievement.owner_id in org_ids(user)


@rules.predicate
def is_requester(user: AnyUser, req: AccessRequest | None) -> bool:
    return (
        req is not None
        and user.is_authenticated
        and (req.requested_by_id == user.pk or req.organization_id in org_ids(user))
    )


@dataclass(frozen=True)
class Pair:
    """A suggested pair to act on: its source (achievement, need, organization…) and the
    organization on the other side, which records its own answer."""

    source: Any
    counterparty_id: int | None


may_act_on_source = is_staff | (is_partner & owns_source)


@rules.predicate
def is_pair_counterparty(user: AnyUser, pair: Pair | None) -> bool:
    return bool(
        pair is not None
        and user.is_active
        and pair.counterparty_id is not None
        and pair.counterparty_id in org_ids(user)
    )


@rules.predicate
def may_act_on_pair(user: AnyUser, pair: Pair | None) -> bool:
    return pair is not None and bool(
        may_act_on_source(user, pair.source) or is_pair_counterparty(user, pair)
    )


# The staff member who converts a match becomes the new project's responsible person
# (Project.staff, domain._open_project); a partner who converts one does not.
leads_converted_projects = is_staff

rules.add_perm("matchmaking.act_on_source", may_act_on_source)
# obj: a Pair. Shortlist, introduce, decline one suggested pair (actions.act, the panel).
rules.add_perm("matchmaking.act_on_pair", may_act_on_pair)
rules.add_perm("matchmaking.change_record", is_staff | (is_partner & is_record_party))
rules.add_perm("matchmaking.decide_access", is_staff | (is_partner & owns_requested))
rules.add_perm("matchmaking.accept_nda", is_requester)
rules.add_perm("matchmaking.run_report", is_staff)


# What matchmaking learned about an organization (its rules and the achievements it answered):
# its own members (accounts' membership predicate, given the organization) and staff.
rules.add_perm("matchmaking.see_learned", is_staff | is_institution_member)
# obj: the achievement (to invite) or the invitation's achievement (to revoke).
rules.add_perm("matchmaking.invite_nda", is_staff | (is_partner & owns_source))


def records_visible_to(user: AnyUser) -> QuerySet[MatchRecord]:
    qs = MatchRecord.objects.select_related("achievement", "counterparty", "source_owner")
    if is_staff(user):
        return qs
    if not user.is_authenticated:
        return qs.none()
    mine = org_ids(user)
    visible = catalog_rules.achievements_visible_to(user).values("pk")
    return qs.filter(Q(source_owner_id__in=mine) | Q(counterparty_id__in=mine)).filter(
        Q(achievement__isnull=True) | Q(achievement_id__in=visible)
    )


def access_requests_visible_to(user: AnyUser) -> QuerySet[AccessRequest]:
    qs = AccessRequest.objects.select_related(
        "achievement", "organization", "requested_by", "grant"
    )
    if is_staff(user):
        return qs
    if not user.is_authenticated:
        return qs.none()
    mine = org_ids(user)
    return qs.filter(
        Q(achievement__owner_id__in=mine) | Q(requested_by_id=user.pk) | Q(organization_id__in=mine)
    )


def invitations_visible_to(user: AnyUser) -> QuerySet[NdaInvitation]:
    qs = NdaInvitation.objects.select_related("achievement", "organization", "invited_by")
    if is_staff(user):
        return qs
    if not user.is_authenticated:
        return qs.none()
    mine = org_ids(user)
    # The invitee sees only what currently opens the teaser to it, so a revoked or expired
    # invitation does not keep showing the achievement's title.
    live = catalog_rules.live_invitations(user).filter(
        achievement__status=ReviewStatus.PUBLISHED, achievement__archived_at__isnull=True
    )
    return qs.filter(Q(achievement__owner_id__in=mine) | Q(pk__in=live.values("pk")))


def dossier_views_visible_to(user: AnyUser) -> QuerySet[AuditEntry]:
    """Audit entries of dossier views of the user's own achievements (all, for staff)."""
    qs = AuditEntry.objects.filter(
        verb="achievement.view_dossier", target_type__model="achievement"
    )
    if is_staff(user):
        return qs
    if not user.is_authenticated:
        return qs.none()
    own = Achievement.objects.filter(owner_id__in=org_ids(user)).values_list("pk", flat=True)
    return qs.filter(target_id__in=[str(pk) for pk in own])
