"""Accounts API: who am I, my tokens, and the audit log (staff)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field

from luodi.accounts import audit, domain, rules
from luodi.accounts.models import ApiToken, AuditEntry, User, language_codes
from luodi.accounts.request_user import request_user
from luodi.control_chars import InputSchema
from luodi.errors import ApiError, Pagination

router = Router(tags=["accounts"])


class MembershipOut(Schema):
    organization_id: int
    organization: str
    role: str


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    email: str
    role: str
    language: str = Field(description="stored language choice; empty: the site default")
    preferred_language: str = Field(description="language mails and reports are written in")
    memberships: list[MembershipOut]


class MeIn(InputSchema):
    language: str = Field(max_length=16, description="a language code, or empty to reset")


class TokenIn(InputSchema):
    name: str = Field(min_length=1, max_length=80)
    scope: Literal["read", "write"] = Field(
        "read", description="read: GET only; write: also POST, PUT, PATCH and DELETE"
    )
    days: int | None = Field(
        None, ge=1, description="lifetime in days (default 90, at most LUODI_TOKEN_MAX_DAYS)"
    )


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    scope: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    revoked_reason: str = Field(description="owner | password (changed); empty while live")


class TokenCreatedOut(TokenOut):
    token: str


class AuditOut(Schema):
    id: int
    actor: str = Field(validation_alias="actor_label")
    verb: str
    target_type: str | None
    target_id: str
    target: str = Field(validation_alias="target_repr")
    changes: dict
    ip: str | None
    created_at: datetime

    @staticmethod
    def resolve_target_type(obj: AuditEntry) -> str | None:
        return obj.target_type.model if obj.target_type else None


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> MeOut:
    return _me(request_user(request))


@router.patch("/me", response=MeOut)
def update_me(request: HttpRequest, payload: MeIn) -> MeOut:
    """Change the stored language (what the web page's language switcher also sets)."""
    user = request_user(request)
    known = language_codes()
    if payload.language and payload.language not in known:
        raise ApiError(
            422,
            "invalid",
            "Unknown language.",
            {"language": [f"Choose one of: {', '.join(known)}, or empty."]},
        )
    if user.language != payload.language:
        user.language = payload.language
        user.save(update_fields=["language"])
    return _me(user)


def _me(user: User) -> MeOut:
    memberships = [
        MembershipOut(
            organization_id=m.organization_id, organization=str(m.organization), role=m.role
        )
        for m in user.memberships.select_related("organization")
    ]
    return MeOut(
        id=user.pk,
        username=user.get_username(),
        display_name=str(user),
        email=user.email,
        role=user.role,
        language=user.language,
        preferred_language=user.preferred_language(),
        memberships=memberships,
    )


@router.get("/tokens", response=list[TokenOut])
def list_tokens(request: HttpRequest) -> list[ApiToken]:
    return list(rules.tokens_visible_to(request.user))


@router.post("/tokens", response={201: TokenCreatedOut})
def create_token(request: HttpRequest, payload: TokenIn) -> Status[TokenCreatedOut]:
    """Signed in with the browser only: a token that could mint tokens would let a leaked
    one outlive its own expiry and revocation."""
    if request.headers.get("Authorization", "").lower().startswith("bearer "):
        raise ApiError(403, "forbidden", "Create tokens on the profile page or in a session.")
    token, raw = domain.create_api_token(
        actor=request_user(request),
        name=payload.name,
        scope=payload.scope,
        days=payload.days,
        ip=audit.client_ip(request),
    )
    return Status(
        201,
        TokenCreatedOut(
            id=token.pk,
            name=token.name,
            prefix=token.prefix,
            scope=token.scope,
            created_at=token.created_at,
            expires_at=token.expires_at,
            last_used_at=None,
            revoked_at=None,
            revoked_reason="",
            token=raw,
        ),
    )


# Its answer holds the new secret, which must never be stored for replaying (luodi/api.py).
create_token.replay_stored = False  # type: ignore[attr-defined]


@router.delete("/tokens/{token_id}", response={204: None})
def revoke_token(request: HttpRequest, token_id: int) -> Status[None]:
    token = get_object_or_404(rules.tokens_visible_to(request.user), pk=token_id)
    domain.revoke_api_token(actor=request_user(request), token=token, ip=audit.client_ip(request))
    return Status(204, None)


@router.get("/audit", response=list[AuditOut])
@paginate(Pagination)
def list_audit(request: HttpRequest, verb: str = "") -> QuerySet[AuditEntry]:
    if not request.user.has_perm("accounts.view_auditentry"):
        raise ApiError(403, "forbidden", "Only association staff may read the audit log.")
    qs = rules.audit_visible_to(request.user).select_related("target_type")
    return qs.filter(verb__startswith=verb) if verb else qs
