"""Proposed revisions of published records: a partner's edit kept for staff review while the
published version stays as it is (`review.py` says when). One write function per change, the
actor passed in, one audit entry each:

- `propose`: store the fields that differ from the published record in the record's one open
  revision (created, or replaced by the partner's newer text; withdrawn when nothing differs
  any more);
- `approve`: apply them to the record, as one saved edit (version incremented, indexes told
  by the save's signals);
- `return_revision`: drop them, with a comment for the partner.

Values are stored as JSON (links as ids, dates as ISO text) and turned back into field values
by the model fields when applied. Each of these writes claims the record's version
(luodi/concurrency.py): what an editor of the record sees changed, so an edit form opened
before it must not save over it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.catalog import review
from luodi.catalog.models import (
    ClinicalCenterProfile,
    CompanyProfile,
    Organization,
    ParkProfile,
    Reviewed,
    Revision,
)
from luodi.concurrency import Conflict, claim, current_version

# An organization's profile is part of the organization's record: the organization's review
# state decides about edits of it.
PROFILES = (ParkProfile, ClinicalCenterProfile, CompanyProfile)


def reviewed_status(record: models.Model) -> str | None:
    """The review state that decides about edits of `record`; None when it is not reviewed."""
    if isinstance(record, Reviewed):
        return record.status
    if isinstance(record, PROFILES):
        return record.organization.status
    return None


def jsonable(field: models.Field[Any, Any], value: Any) -> Any:
    """A field's value as stored in a revision."""
    if field.many_to_many:
        return sorted(int(getattr(v, "pk", v)) for v in value)
    if field.is_relation:
        pk = getattr(value, "pk", value)
        return None if pk in (None, "") else int(pk)
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _field(record: models.Model, name: str) -> models.Field[Any, Any]:
    return record._meta.get_field(name)  # type: ignore[return-value]


def current_values(record: models.Model, names: Iterable[str]) -> dict[str, Any]:
    out = {}
    for name in names:
        field = _field(record, name)
        value = getattr(record, name).all() if field.many_to_many else getattr(record, name)
        out[name] = jsonable(field, value)
    return out


def changes_to(record: models.Model, values: dict[str, Any]) -> dict[str, Any]:
    """The proposed values (as JSON) of the fields that differ from `record`."""
    current = current_values(record, values)
    proposed = {name: jsonable(_field(record, name), v) for name, v in values.items()}
    return {name: v for name, v in proposed.items() if v != current[name]}


def organization_of(record: models.Model) -> Organization | None:
    if isinstance(record, Organization):
        return record
    for name in ("owner", "organization"):
        if hasattr(record, f"{name}_id"):
            org: Organization | None = getattr(record, name)
            return org
    return None


def open_revision(record: models.Model) -> Revision | None:
    return (
        Revision.objects.filter(
            content_type=ContentType.objects.get_for_model(record),
            object_id=record.pk,
            state=Revision.State.PENDING,
        )
        .select_related("proposed_by")
        .first()
    )


def latest_revision(record: models.Model) -> Revision | None:
    return (
        Revision.objects.filter(
            content_type=ContentType.objects.get_for_model(record), object_id=record.pk
        )
        .select_related("proposed_by", "decided_by")
        .order_by("-updated_at", "-id")
        .first()
    )


@transaction.atomic
def propose(
    *,
    actor: User | None,
    record: models.Model,
    values: dict[str, Any],
    expected_version: int | None = None,
    ip: str | None = None,
) -> Revision | None:
    """Keep `values` (field → new value, links as objects or ids) as the changes `actor`
    proposes to the published `record`. Returns the open revision; None when nothing differs
    from the published values (an open revision is then withdrawn)."""
    status = reviewed_status(record) or ""
    if not review.decide(review.EDIT, actor, status).revision:
        raise review.IllegalTransition(review.EDIT, status)
    changes = changes_to(record, values)
    revision = open_revision(record)
    if not changes and revision is None:
        return None
    claim(record, expected_version)
    if not changes:
        assert revision is not None
        revision.state = Revision.State.WITHDRAWN
        revision.decided_at = timezone.now()
        revision.save(update_fields=["state", "decided_at", "updated_at"])
        audit.record(
            actor=actor, verb=audit.model_verb(record, "withdraw_revision"), target=record, ip=ip
        )
        return None
    if revision is None:
        revision = Revision(
            content_type=ContentType.objects.get_for_model(record),
            object_id=record.pk,
            organization=organization_of(record),
        )
    revision.data, revision.proposed_by = changes, actor
    try:
        with transaction.atomic():
            revision.save()
    except IntegrityError:  # another proposal was opened at the same moment
        raise Conflict(current_version(type(record)._base_manager.filter(pk=record.pk))) from None
    current = current_values(record, changes)
    audit.record(
        actor=actor,
        verb=audit.model_verb(record, "propose"),
        target=record,
        changes={name: [current[name], value] for name, value in changes.items()},
        ip=ip,
    )
    return revision


def _decided(revision: Revision, action: str, actor: User) -> tuple[Revision, models.Model]:
    """The revision, locked, and the record it changes, if `actor` may decide on it now."""
    locked = Revision.objects.select_for_update().get(pk=revision.pk)
    if locked.state != Revision.State.PENDING:
        label = Revision.State(locked.state).label
        raise review.IllegalTransition(action, locked.state, label)
    record = locked.record
    if record is None:  # deleted under it (records are archived, never deleted, by the UI)
        raise review.IllegalTransition(action, locked.state)
    review.decide(action, actor, reviewed_status(record) or "")
    return locked, record


def _close(revision: Revision, state: str, actor: User, comment: str = "") -> None:
    revision.state, revision.comment = state, comment
    revision.decided_by, revision.decided_at = actor, timezone.now()
    revision.save(update_fields=["state", "comment", "decided_by", "decided_at", "updated_at"])


@transaction.atomic
def approve(
    *,
    actor: User,
    revision: Revision,
    expected_version: int | None = None,
    ip: str | None = None,
) -> Revision:
    """Apply the proposed changes to the published record (one saved edit) and close it."""
    revision, record = _decided(revision, review.APPROVE_REVISION, actor)
    claim(record, expected_version)
    before = current_values(record, revision.data)
    plain, links = [], {}
    for name, value in revision.data.items():
        field = _field(record, name)
        if field.many_to_many:
            model = field.related_model
            links[name] = model._default_manager.filter(pk__in=value)  # type: ignore[union-attr]
        elif field.is_relation:
            setattr(record, field.attname, value)
            plain.append(name)
        else:
            setattr(record, name, field.to_python(value))
            plain.append(name)
    stamp = ["updated_at"] if hasattr(record, "updated_at") else []
    if plain:
        record.save(update_fields=[*plain, *stamp])
    for name, items in links.items():
        getattr(record, name).set(items)
    _close(revision, Revision.State.APPROVED, actor)
    after = current_values(record, revision.data)
    audit.record(
        actor=actor,
        verb=audit.model_verb(record, "approve_revision"),
        target=record,
        changes={name: [before[name], after[name]] for name in revision.data},
        ip=ip,
    )
    return revision


@transaction.atomic
def return_revision(
    *,
    actor: User,
    revision: Revision,
    comment: str,
    expected_version: int | None = None,
    ip: str | None = None,
) -> Revision:
    """Close the proposal without applying it; the partner sees `comment` on the record."""
    revision, record = _decided(revision, review.RETURN_REVISION, actor)
    claim(record, expected_version)
    _close(revision, Revision.State.RETURNED, actor, comment)
    audit.record(
        actor=actor,
        verb=audit.model_verb(record, "return_revision"),
        target=record,
        changes={"comment": comment, "fields": sorted(revision.data)},
        ip=ip,
    )
    return revision
