"""Writes in accounts: one function per change, the actor passed in, one audit entry each."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from luodi.accounts import audit
from luodi.accounts.models import ApiToken, Membership, MembershipRole, Role, User, hash_token
from luodi.catalog.models import Organization

TOKEN_PREFIX = "ld_"


@transaction.atomic
def create_api_token(*, actor: User, name: str, ip: str | None = None) -> tuple[ApiToken, str]:
    """Create a token for `actor`; returns the row and the raw value (shown once)."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor, name=name.strip(), prefix=raw[:8], digest=hash_token(raw)
    )
    audit.record(actor=actor, verb="token.create", target=token, ip=ip)
    return token, raw


@transaction.atomic
def revoke_api_token(*, actor: User, token: ApiToken, ip: str | None = None) -> None:
    audit.record(actor=actor, verb="token.revoke", target=token, ip=ip)
    token.delete()


def authenticate_token(raw: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user").filter(digest=hash_token(raw)).first()
        if raw.startswith(TOKEN_PREFIX)
        else None
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # Touch at most once a minute: a script polling the API should not write on every call.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def add_membership(
    *,
    actor: User | None,
    user: User,
    organization: Organization,
    role: str = MembershipRole.MEMBER,
    ip: str | None = None,
) -> Membership:
    membership, created = Membership.objects.get_or_create(
        user=user, organization=organization, defaults={"role": role}
    )
    if not created and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    audit.record(
        actor=actor,
        verb="membership.add" if created else "membership.change",
        target=membership,
        changes={"role": role, "user": user.get_username(), "organization": str(organization)},
        ip=ip,
    )
    return membership


@transaction.atomic
def set_role(*, actor: User, user: User, role: Role, ip: str | None = None) -> None:
    before = audit.snapshot(user, ["role"])
    user.role = role
    user.save(update_fields=["role"])
    audit.record(
        actor=actor,
        verb="user.set_role",
        target=user,
        changes=audit.field_changes(before, user, ["role"]),
        ip=ip,
    )
