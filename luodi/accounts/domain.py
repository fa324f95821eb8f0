"""Writes in accounts: one function per change, the actor passed in, one audit entry each."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from luodi.accounts import audit
from luodi.accounts.models import (
    ApiToken,
    Membership,
    MembershipRole,
    Role,
    TokenRevocation,
    TokenScope,
    User,
    hash_token,
)

TOKEN_PREFIX = "ld_"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TokenRefused(Exception):
    """A bearer token that may not be used for this request; `code` says why."""

    def __init__(self, code: str, message: str, status: int = 401) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def token_lifetimes() -> list[int]:
    """The lifetimes (days) offered when creating a token; the default is one of them."""
    days = {7, 30, settings.LUODI_TOKEN_DAYS, 180, settings.LUODI_TOKEN_MAX_DAYS}
    return sorted(d for d in days if 0 < d <= settings.LUODI_TOKEN_MAX_DAYS)


@transaction.atomic
def create_api_token(
    *,
    actor: User,
    name: str,
    scope: str = TokenScope.READ,
    days: int | None = None,
    ip: str | None = None,
) -> tuple[ApiToken, str]:
    """Create a token for `actor`; returns the row and the raw value (shown once). It
    expires after `days` (default LUODI_TOKEN_DAYS, at most LUODI_TOKEN_MAX_DAYS)."""
    days = settings.LUODI_TOKEN_DAYS if days is None else days
    if scope not in TokenScope.values:
        raise ValidationError({"scope": [_("Choose read or write.")]})
    if not 1 <= days <= settings.LUODI_TOKEN_MAX_DAYS:
        raise ValidationError(
            {
                "days": [
                    _("Choose between 1 and %(max)s days.") % {"max": settings.LUODI_TOKEN_MAX_DAYS}
                ]
            }
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor,
        name=name.strip(),
        prefix=raw[:8],
        digest=hash_token(raw),
        scope=scope,
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit.record(
        actor=actor,
        verb="token.create",
        target=token,
        changes={"scope": scope, "expires_at": token.expires_at.isoformat()},
        ip=ip,
    )
    return token, raw


@transaction.atomic
def revoke_api_token(*, actor: User, token: ApiToken, ip: str | None = None) -> None:
    """Revoke at once; the row stays (listed as revoked) so the owner sees what happened."""
    if token.revoked_at is not None:
        return
    token.revoked_at, token.revoked_reason = timezone.now(), TokenRevocation.BY_OWNER
    token.save(update_fields=["revoked_at", "revoked_reason"])
    audit.record(actor=actor, verb="token.revoke", target=token, ip=ip)


@transaction.atomic
def revoke_tokens_after_password_change(*, user: User) -> int:
    """A new password ends every live token: one made by whoever knew the old password
    must not outlive it. Called by User.save on every password change."""
    live = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    ids = list(live.values_list("pk", flat=True))
    if not ids:
        return 0
    ApiToken.objects.filter(pk__in=ids).update(
        revoked_at=timezone.now(), revoked_reason=TokenRevocation.PASSWORD_CHANGED
    )
    audit.record(
        actor=user,
        verb="token.revoke_all",
        target=user,
        changes={"reason": "password_changed", "tokens": ids},
    )
    return len(ids)


def authenticate_token(raw: str, *, method: str = "GET") -> User | None:
    """The token's user, or None for a token that does not exist (or an inactive user).
    Raises TokenRefused for a known token that is revoked, expired or read-only on a
    write: the client learns why, nobody learns anything about tokens they do not hold."""
    token = (
        ApiToken.objects.select_related("user").filter(digest=hash_token(raw)).first()
        if raw.startswith(TOKEN_PREFIX)
        else None
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.revoked_at is not None:
        raise TokenRefused("token_revoked", "This token was revoked; create a new one.")
    if token.expires_at <= now:
        raise TokenRefused("token_expired", "This token has expired; create a new one.")
    if method.upper() not in SAFE_METHODS and token.scope != TokenScope.WRITE:
        raise TokenRefused(
            "insufficient_scope",
            "This token may only read; create a token with the write scope for changes.",
            status=403,
        )
    # Touch at most once a minute: a script polling the API should not write on every call.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def add_membership(
    *,
    actor: User | None,
    user: User,
    # A catalog Organization; typed as a model because accounts sits below catalog.
    organization: Model,
    role: str = MembershipRole.MEMBER,
    ip: str | None = None,
) -> Membership:
    membership, created = Membership.objects.get_or_create(
        user=user, organization_id=organization.pk, defaults={"role": role}
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
