"""Who may see and keep an institution's reward distributions, policies and contributor
shares, and which parts of a distribution a user sees.

The ledger's rule, unchanged: staff see and keep every institution's; a member of the
institution (a partner whose organization it is) its own; a viewer and every other partner
nothing — a 404 on pages and in the API, so not even an institution's having rewards is
confirmed. Contributor shares follow the achievement's owner.

Field-level: what the income entry links to (achievement, agreement) is read through
`ledger.rules.visible_links` only, so a record the user may not see stays unnamed.
"""

from __future__ import annotations

import rules
from django.db.models import QuerySet

from luodi.accounts.rules import AnyUser, is_partner, is_staff, org_ids
from luodi.catalog.models import Achievement, Organization
from luodi.ledger.models import LedgerEntry
from luodi.ledger.rules import Links, institutions_visible_to, visible_links
from luodi.rewards.models import RewardDistribution

__all__ = ["Links", "institutions_visible_to", "visible_links"]


def distributions_visible_to(user: AnyUser) -> QuerySet[RewardDistribution]:
    if is_staff(user):
        return RewardDistribution.objects.all()
    if not is_partner(user):
        return RewardDistribution.objects.none()
    return RewardDistribution.objects.filter(institution_id__in=org_ids(user))


def achievements_kept_by(user: AnyUser) -> QuerySet[Achievement]:
    """Achievements whose contributor shares `user` may open: those of the institutions
    whose rewards the user sees."""
    if is_staff(user):
        return Achievement.objects.all()
    if not is_partner(user):
        return Achievement.objects.none()
    return Achievement.objects.filter(owner_id__in=org_ids(user))


def entries_kept_by(user: AnyUser) -> QuerySet[LedgerEntry]:
    if is_staff(user):
        return LedgerEntry.objects.all()
    if not is_partner(user):
        return LedgerEntry.objects.none()
    return LedgerEntry.objects.filter(institution_id__in=org_ids(user))


Target = Organization | RewardDistribution | Achievement | LedgerEntry | None


def _institution_id(target: Target) -> int | None:
    if isinstance(target, RewardDistribution):
        return target.institution_id
    if isinstance(target, Achievement):
        return target.owner_id
    if isinstance(target, LedgerEntry):
        return target.institution_id
    return target.pk if target is not None else None


@rules.predicate
def is_member_of_institution(user: AnyUser, target: Target) -> bool:
    """A member of the institution the target belongs to (without a target: of any)."""
    mine = org_ids(user)
    if target is None:
        return bool(mine)
    return _institution_id(target) in mine


may_keep = is_staff | (is_partner & is_member_of_institution)

rules.add_perm("rewards.keep_rewards", may_keep)
