"""Writes in the catalog: one function per change, the actor passed in, one audit entry each.

Records created by partners start as `pending` and wait in the staff review queue; records
created by staff are published at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.accounts.rules import is_staff
from luodi.catalog.choices import ReviewStatus


def _verb(instance: models.Model, action: str) -> str:
    return f"{instance._meta.model_name}.{action}"


@transaction.atomic
def save_record(
    *,
    actor: User,
    instance: models.Model,
    fields: Sequence[str],
    m2m: dict[str, Iterable[Any]] | None = None,
    before: dict[str, Any] | None = None,
    ip: str | None = None,
) -> models.Model:
    """Create or update `instance` (already carrying the new values) and its m2m links."""
    is_new = instance.pk is None
    if is_new and hasattr(instance, "status"):
        instance.status = ReviewStatus.PUBLISHED if is_staff(actor) else ReviewStatus.PENDING
        instance.submitted_by = actor  # type: ignore[attr-defined]
    if is_new:
        instance.save()
    else:
        instance.save(
            update_fields=[*fields, *(["updated_at"] if hasattr(instance, "updated_at") else [])]
        )
    for name, values in (m2m or {}).items():
        getattr(instance, name).set(values)
    changes: dict[str, Any] = (
        {"created": {name: audit.jsonable(getattr(instance, name)) for name in fields}}
        if is_new
        else audit.field_changes(before or {}, instance, fields)
    )
    if m2m:
        changes["links"] = {
            name: sorted(str(getattr(v, "pk", v)) for v in values) for name, values in m2m.items()
        }
    audit.record(
        actor=actor,
        verb=_verb(instance, "create" if is_new else "update"),
        target=instance,
        changes=changes,
        ip=ip,
    )
    return instance


@transaction.atomic
def archive(*, actor: User, instance: models.Model, ip: str | None = None) -> None:
    instance.archived_at = timezone.now()  # type: ignore[attr-defined]
    instance.save(update_fields=["archived_at"])
    audit.record(actor=actor, verb=_verb(instance, "archive"), target=instance, ip=ip)


@transaction.atomic
def restore(*, actor: User, instance: models.Model, ip: str | None = None) -> None:
    instance.archived_at = None  # type: ignore[attr-defined]
    instance.save(update_fields=["archived_at"])
    audit.record(actor=actor, verb=_verb(instance, "restore"), target=instance, ip=ip)


@transaction.atomic
def submit_for_review(*, actor: User, instance: models.Model, ip: str | None = None) -> None:
    instance.status = ReviewStatus.PENDING  # type: ignore[attr-defined]
    instance.save(update_fields=["status"])
    audit.record(actor=actor, verb=_verb(instance, "submit"), target=instance, ip=ip)


@transaction.atomic
def approve(*, actor: User, instance: models.Model, ip: str | None = None) -> None:
    instance.status = ReviewStatus.PUBLISHED  # type: ignore[attr-defined]
    instance.review_comment = ""  # type: ignore[attr-defined]
    instance.save(update_fields=["status", "review_comment"])
    audit.record(actor=actor, verb=_verb(instance, "approve"), target=instance, ip=ip)


@transaction.atomic
def return_with_comments(
    *, actor: User, instance: models.Model, comment: str, ip: str | None = None
) -> None:
    instance.status = ReviewStatus.RETURNED  # type: ignore[attr-defined]
    instance.review_comment = comment  # type: ignore[attr-defined]
    instance.save(update_fields=["status", "review_comment"])
    audit.record(
        actor=actor,
        verb=_verb(instance, "return"),
        target=instance,
        changes={"comment": comment},
        ip=ip,
    )
