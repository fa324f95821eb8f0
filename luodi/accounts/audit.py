"""The audit log's single write path. Domain functions call `record` once per action."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from axes.helpers import get_client_ip_address
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest

from luodi.accounts.models import AuditEntry, User


def client_ip(request: HttpRequest) -> str | None:
    """The client's address exactly as the login lockout (django-axes) reads it: REMOTE_ADDR,
    or behind LUODI_PROXY_COUNT trusted proxies the X-Forwarded-For entry they added (ipware
    with the AXES_IPWARE_* settings). One function for the lockout, the rate limits and the
    audit log, so a client forging X-Forwarded-For fools none of them."""
    return get_client_ip_address(request) or None


def record(
    *,
    actor: User | None,
    verb: str,
    target: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    ip: str | None = None,
    actor_label: str = "",
) -> AuditEntry:
    label = actor_label or (actor.get_username() if actor is not None else "")
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_label=label[:150],
        verb=verb,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:255] if target is not None else "",
        changes=changes or {},
        ip=ip,
    )


def model_verb(instance: models.Model, action: str) -> str:
    """The audit verb for an action on a record: "achievement.update", "visit.create"."""
    return f"{instance._meta.model_name}.{action}"


def field_changes(
    before: dict[str, Any], instance: models.Model, fields: Iterable[str]
) -> dict[str, list[Any]]:
    """`{field: [old, new]}` for the fields whose value differs, JSON-safe."""
    out: dict[str, list[Any]] = {}
    for name in fields:
        old, new = before.get(name), getattr(instance, name)
        if old != new:
            out[name] = [jsonable(old), jsonable(new)]
    return out


def snapshot(instance: models.Model | None, fields: Iterable[str]) -> dict[str, Any]:
    """The values of `fields` on `instance` ({} for a record not made yet)."""
    if instance is None:
        return {}
    return {name: getattr(instance, name) for name in fields}


def jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, models.Model):
        return str(value.pk)
    return str(value)
