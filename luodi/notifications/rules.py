"""Who may manage which channels and see which deliveries.

A user manages their own channels and email preferences. A team's (organization's)
channels are managed by its admins (Membership role admin) and by association staff; plain
members neither see nor change them, since a robot address lets anyone post to the group.
Every list, page and API call starts from `channels_visible_to` / `deliveries_visible_to`.
"""

from __future__ import annotations

import rules
from django.db.models import Q, QuerySet

from luodi.accounts.models import MembershipRole
from luodi.accounts.rules import AnyUser, is_staff
from luodi.catalog.models import Organization
from luodi.notifications.models import Channel, Delivery


def _active(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active)


def admin_org_ids(user: AnyUser) -> set[int]:
    """Organizations the user is an admin of; cached on the user object for the request."""
    if not _active(user):
        return set()
    cached: set[int] | None = getattr(user, "_luodi_admin_org_ids", None)
    if cached is None:
        cached = set(
            user.memberships.filter(role=MembershipRole.ADMIN).values_list(  # type: ignore[union-attr]
                "organization_id", flat=True
            )
        )
        setattr(user, "_luodi_admin_org_ids", cached)  # noqa: B010 - per-request cache
    return cached


@rules.predicate
def manages_organization(user: AnyUser, organization: Organization | None) -> bool:
    if organization is None or not _active(user):
        return False
    return is_staff(user) or organization.pk in admin_org_ids(user)


@rules.predicate
def manages_channel(user: AnyUser, channel: Channel | None) -> bool:
    if channel is None or not _active(user):
        return False
    if channel.user_id is not None:
        return bool(channel.user_id == user.pk)
    return is_staff(user) or channel.organization_id in admin_org_ids(user)


rules.add_perm("notifications.manage_organization", manages_organization)
rules.add_perm("notifications.change_channel", manages_channel)


def organizations_managed_by(user: AnyUser) -> QuerySet[Organization]:
    if not _active(user):
        return Organization.objects.none()
    if is_staff(user):
        return Organization.objects.all()
    return Organization.objects.filter(pk__in=admin_org_ids(user))


def channels_visible_to(user: AnyUser) -> QuerySet[Channel]:
    if not _active(user):
        return Channel.objects.none()
    teams = (
        Q(organization__isnull=False)
        if is_staff(user)
        else Q(organization_id__in=admin_org_ids(user))
    )
    return Channel.objects.filter(Q(user_id=user.pk) | teams)


def deliveries_visible_to(user: AnyUser) -> QuerySet[Delivery]:
    if not _active(user):
        return Delivery.objects.none()
    teams = (
        Q(notification__organization__isnull=False)
        if is_staff(user)
        else Q(notification__organization_id__in=admin_org_ids(user))
    )
    return Delivery.objects.filter(Q(notification__user_id=user.pk) | teams)
