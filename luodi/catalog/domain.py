"""Writes in the catalog: one function per change, the actor passed in, one audit entry each.

Review states move only as the table in `review.py` says: a partner's new record waits for
review (pending), staff's is published at once; a partner's edit of a published record is
kept as a revision (`revisions.py`) while the published version stays visible; a returned
record is edited and resubmitted. Every edit claims the record's version first
(luodi/concurrency.py), so a second editor who loaded an older version gets a Conflict.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.catalog import review, revisions
from luodi.catalog.models import Reviewed, Revision
from luodi.concurrency import save_recorded


@dataclass(frozen=True)
class Saved:
    """What an edit did: `proposed` when the changes were kept for review instead of saved
    (then `revision` is the open revision, or None when nothing differed any more)."""

    record: models.Model
    proposed: bool = False
    revision: Revision | None = None


@transaction.atomic
def save_record(
    *,
    actor: User,
    instance: models.Model,
    fields: Sequence[str],
    m2m: dict[str, Iterable[Any]] | None = None,
    before: dict[str, Any] | None = None,
    expected_version: int | None = None,
    resubmit: bool = False,
    ip: str | None = None,
) -> Saved:
    """Create or edit `instance` (already carrying the new values) and its m2m links.

    An edit the table turns into a revision leaves `instance`'s row alone: its values are
    proposed instead. An organization's profile follows the organization's state.
    `resubmit` sends an edited draft or returned record back to review."""
    is_new = instance.pk is None
    rule: review.Rule | None = None
    if isinstance(instance, Reviewed):
        action, status = (review.CREATE, review.NEW) if is_new else (review.EDIT, instance.status)
        rule = review.decide(action, actor, status)
        if is_new:
            instance.status, instance.submitted_by = rule.result(status), actor
    elif (state := revisions.reviewed_status(instance)) is not None:
        rule = review.decide(review.EDIT, actor, state)  # a profile: its organization's state
    if rule is not None and rule.revision:
        if is_new:  # a profile the published organization lacked: an empty one, then proposed
            published = type(instance)(organization_id=instance.organization_id)  # type: ignore[attr-defined]
            published.save()
        else:
            published = type(instance)._default_manager.get(pk=instance.pk)
        values = {name: getattr(instance, name) for name in fields}
        values.update({name: list(items) for name, items in (m2m or {}).items()})
        revision = revisions.propose(
            actor=actor,
            record=published,
            values=values,
            expected_version=expected_version,
            ip=ip,
        )
        return Saved(published, proposed=True, revision=revision)
    save_recorded(
        actor=actor,
        instance=instance,
        fields=fields,
        m2m=m2m,
        before=before,
        expected_version=expected_version,
        ip=ip,
    )
    if resubmit and not is_new:
        submit(actor=actor, instance=instance, ip=ip)
    return Saved(instance)


@transaction.atomic
def archive(*, actor: User, instance: models.Model, ip: str | None = None) -> None:
    instance.archived_at = timezone.now()  # type: ignore[attr-defined]
    instance.save(update_fields=["archived_at"])
    audit.record(actor=actor, verb=audit.model_verb(instance, "archive"), target=instance, ip=ip)


@transaction.atomic
def restore(*, actor: User, instance: models.Model, ip: str | None = None) -> None:
    instance.archived_at = None  # type: ignore[attr-defined]
    instance.save(update_fields=["archived_at"])
    audit.record(actor=actor, verb=audit.model_verb(instance, "restore"), target=instance, ip=ip)


def _move(
    *,
    actor: User,
    instance: models.Model,
    action: str,
    comment: str | None = None,
    ip: str | None = None,
) -> None:
    """Move `instance` to the state the table gives for `action` from its stored state. The
    move is claimed by a conditional UPDATE (`WHERE status = <the state decided from>`), so of
    two reviewers deciding at once only the first moves it; the other gets IllegalTransition
    from the state it finds. The save after it sends the model signals (search indexes)."""
    rows = type(instance)._default_manager.filter(pk=instance.pk)
    old = str(rows.values_list("status", flat=True).get())
    new = review.decide(action, actor, old).result(old)
    if not rows.filter(status=old).update(status=new):
        now = str(rows.values_list("status", flat=True).get())
        raise review.IllegalTransition(action, now)
    instance.status = new  # type: ignore[attr-defined]
    fields = ["status"]
    if comment is not None:
        instance.review_comment = comment  # type: ignore[attr-defined]
        fields.append("review_comment")
    instance.save(update_fields=fields)
    audit.record(
        actor=actor,
        verb=audit.model_verb(instance, action),
        target=instance,
        changes={"status": [old, new]} | ({"comment": comment} if comment else {}),
        ip=ip,
    )


@transaction.atomic
def submit(*, actor: User, instance: models.Model, ip: str | None = None) -> None:
    """Send a draft or returned record (back) to the review queue."""
    _move(actor=actor, instance=instance, action=review.SUBMIT, ip=ip)


@transaction.atomic
def approve(*, actor: User, instance: models.Model, ip: str | None = None) -> None:
    _move(actor=actor, instance=instance, action=review.APPROVE, comment="", ip=ip)


@transaction.atomic
def return_with_comments(
    *, actor: User, instance: models.Model, comment: str, ip: str | None = None
) -> None:
    _move(actor=actor, instance=instance, action=review.RETURN, comment=comment, ip=ip)
