"""Proposed revisions as people read them: per field, its label, the value the record has
now and the proposed one, shown through the record's edit form fields (choice labels, names
of linked records), so the review queue, the record page and the API say the same."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Model

from luodi.accounts.rules import AnyUser
from luodi.catalog import review, revisions
from luodi.catalog.models import Organization, Revision
from luodi.catalog.resources import RESOURCES, Resource
from luodi.concurrency import display


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    current: str
    proposed: str


def resource_of(model: type[Model]) -> Resource | None:
    return next((r for r in RESOURCES.values() if r.model is model), None)


def page_of(record: Model) -> tuple[str, int]:
    """(resource slug, pk) of the catalog page showing `record`: a profile is shown on its
    organization's page."""
    if isinstance(record, revisions.PROFILES):
        return "organizations", record.organization_id
    res = resource_of(type(record))
    return (res.slug if res else ""), record.pk


def field_path(record: Model, name: str) -> str:
    """A field as the API's organization output nests it: "park.rent_subsidy_pct"."""
    if isinstance(record, revisions.PROFILES):
        return f"{type(record)._meta.get_field('organization').remote_field.related_name}.{name}"
    return name


def edit_form(record: Model, user: AnyUser, **kwargs: Any) -> forms.ModelForm | None:
    """The (unbound) form `record` is edited with: its resource's, or its profile form."""
    from luodi.catalog.profile_forms import PROFILE_FORMS

    res = resource_of(type(record))
    if res is not None:
        return res.form(instance=record, user=user, **kwargs)
    for form_class, _accessor in PROFILE_FORMS.values():
        if form_class._meta.model is type(record):
            return form_class(instance=record, **kwargs)
    return None


def changes(revision: Revision, record: Model, user: AnyUser) -> list[Change]:
    form = edit_form(record, user)
    if form is None:
        return []
    out = []
    for name, value in revision.data.items():
        field = form.fields.get(name)
        if field is None:
            continue
        current = display(field, form[name].initial)
        out.append(Change(name, str(field.label or name), current, display(field, value)))
    return out


def proposal_for(user: AnyUser, record: Model | None) -> Revision | None:
    """The open revision `user`'s edits of `record` continue, if the table keeps this user's
    edits of it as proposals (a partner editing a published record or its profile)."""
    if record is None or record.pk is None:
        return None
    status = revisions.reviewed_status(record)
    if status is None or not review.proposes(user, status):
        return None
    return revisions.open_revision(record)


@dataclass(frozen=True)
class Shown:
    revision: Revision
    record: Model
    changes: list[Change]


def shown_revisions(user: AnyUser, record: Model, can_edit: bool) -> list[Shown]:
    """What a record's page says about proposed changes, to staff and to those who may edit
    it: per part (an organization and its profile), the open revision, else the latest one if
    it was returned (with its comment)."""
    if not can_edit or revisions.reviewed_status(record) is None:
        return []
    parts = [record, *_profiles_of(record)] if isinstance(record, Organization) else [record]
    out = []
    for part in parts:
        latest = revisions.latest_revision(part)
        if latest is not None and latest.state in (Revision.State.PENDING, Revision.State.RETURNED):
            out.append(Shown(latest, part, changes(latest, part, user)))
    return out


def _profiles_of(org: Organization) -> list[Model]:
    # hasattr: a missing reverse one-to-one raises on access.
    return [
        getattr(org, accessor)
        for accessor in ("park", "clinical_center", "company")
        if hasattr(org, accessor)
    ]


def initial_of(revision: Revision | None) -> dict[str, Any] | None:
    return dict(revision.data) if revision is not None else None
