"""Optimistic concurrency for edit forms and API updates: one version number per editable
record, checked and incremented by one conditional UPDATE when a change is saved.

Why: two people open the same form; without a check the second save writes back the values
the first one replaced, and nobody notices (a lost update). Every edit path — catalog records
and organization profiles, projects, agreements, visits, meetings and events; web forms and
the API — carries the version it loaded (a hidden form field, a `version` API field or an
`If-Match` header) and saves through `claim`, so the second save raises `Conflict` and nothing
of it is written.

- `claim(instance, expected)` runs `UPDATE … SET version = version + 1 WHERE pk = … AND
  version = expected` inside the save's transaction, before the save itself. The updated row
  stays locked until commit (a row lock on PostgreSQL, the write lock on SQLite), so of two
  saves that loaded the same version exactly one matches; the other matches no row and raises
  Conflict. The same on both databases, without SELECT … FOR UPDATE.
- Without an expected version (imports, API clients that send none) the version is still
  incremented, so a form opened before such a write conflicts instead of reverting it.
  Writes that change no edited field (status, archive) leave the version alone.
- `VersionedForm` adds the hidden field; `refuse` turns a Conflict into what the form page
  shows (`web/_conflict.html`): each field whose saved value differs from the user's, both
  texts, and the current version in the form, so saving again after reading goes through.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import F, Model, QuerySet
from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from luodi.accounts import audit
from luodi.accounts.models import AuditEntry
from luodi.errors import ApiError, add_errors, from_validation
from luodi.text import join_items

VERSION = "version"
# A token sent back by a client: 7, "7", an ETag '"7"' or a weak one 'W/"7"'.
_TOKEN = re.compile(r'^\s*(?:W/)?"?(\d{1,18})"?\s*$')

# Beside the form (the explanation with both texts is above it, web/_conflict.html).
CONFLICT_MESSAGE = gettext_lazy(
    "Not saved: someone else changed this record after you opened it (see above)."
)


class Conflict(Exception):
    """The record moved past the version the editor loaded; `current` is where it is now."""

    def __init__(self, current: int) -> None:
        super().__init__(f"The record is at version {current}.")
        self.current = current


def has_version(model: type[Model]) -> bool:
    return any(f.name == VERSION for f in model._meta.concrete_fields)


def claim(instance: Model, expected: int | None) -> int:
    """Check `expected` against the stored version and increment it, in one UPDATE; call it
    inside the transaction that saves `instance`, before the save. Returns the new version
    (also set on `instance`); raises Conflict when the stored version is not `expected`."""
    rows = type(instance)._base_manager.filter(pk=instance.pk)
    matched = rows if expected is None else rows.filter(version=expected)
    if not matched.update(version=F(VERSION) + 1):
        raise Conflict(current_version(rows))
    new = expected + 1 if expected is not None else current_version(rows)
    setattr(instance, VERSION, new)
    return new


def save_recorded(
    *,
    actor: Any,
    instance: Model,
    fields: Sequence[str],
    m2m: Mapping[str, Iterable[Any]] | None = None,
    before: dict[str, Any] | None = None,
    expected_version: int | None = None,
    ip: str | None = None,
) -> None:
    """Create `instance`, or save its `fields` claiming `expected_version` first (Conflict when
    the record moved on; nothing is saved then); set its links; leave one audit entry
    ("<model>.create" or ".update") with what changed. Call inside the caller's transaction:
    the catalog's and the engagements' record saves both end here."""
    is_new = instance.pk is None
    if is_new:
        instance.save()
    else:
        if has_version(type(instance)):
            claim(instance, expected_version)
        extra = ["updated_at"] if hasattr(instance, "updated_at") else []
        instance.save(update_fields=[*fields, *extra])
    for name, linked in (m2m or {}).items():
        getattr(instance, name).set(linked)
    changes: dict[str, Any] = (
        {"created": {name: audit.jsonable(getattr(instance, name)) for name in fields}}
        if is_new
        else audit.field_changes(before or {}, instance, fields)
    )
    if m2m:
        changes["links"] = {
            name: sorted(str(getattr(v, "pk", v)) for v in values) for name, values in m2m.items()
        }
    action = "create" if is_new else "update"
    audit.record(
        actor=actor,
        verb=audit.model_verb(instance, action),
        target=instance,
        changes=changes,
        ip=ip,
    )


def save_values(
    *,
    actor: Any,
    instance: Model,
    fields: Sequence[str],
    values: Mapping[str, Any],
    expected_version: int | None = None,
    ip: str | None = None,
) -> None:
    """Set `values` (some of `fields`) on `instance` and save it as `save_recorded` does: the
    form-style edit of a record whose checks ran on its current values merged with these."""
    before = audit.snapshot(instance, fields) if instance.pk is not None else None
    for name, value in values.items():
        setattr(instance, name, value)
    save_recorded(
        actor=actor,
        instance=instance,
        fields=fields,
        before=before,
        expected_version=expected_version,
        ip=ip,
    )


def save_changes(
    *,
    actor: Any,
    instance: Model,
    changes: Mapping[str, Any],
    verb: str,
    expected_version: int | None = None,
    claimed: bool = False,
    ip: str | None = None,
) -> None:
    """Write `changes` to a stored record as one versioned step with one audit entry: the
    version claimed (unless the caller `claimed` it already, e.g. under its own lock with a
    state check), the fields set and saved, and `{field: [old, new]}` recorded under `verb`.
    Call inside the caller's transaction; a Conflict leaves everything as it was."""
    before = audit.snapshot(instance, changes)
    if not claimed:
        claim(instance, expected_version)
    for name, value in changes.items():
        setattr(instance, name, value)
    extra = ["updated_at"] if hasattr(instance, "updated_at") else []
    instance.save(update_fields=[*changes, *extra])
    audit.record(
        actor=actor,
        verb=verb,
        target=instance,
        changes=audit.field_changes(before, instance, changes),
        ip=ip,
    )


def current_version(rows: QuerySet[Any]) -> int:
    return int(rows.values_list(VERSION, flat=True).first() or 0)


def parse_token(value: Any) -> int | None:
    """A version sent by a client; None when none was sent (or If-Match: *). Raises
    ValueError for anything else, so a garbled token is refused rather than ignored."""
    if value is None or value == "" or value == "*":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    match = _TOKEN.match(str(value))
    if match is None:
        raise ValueError(value)
    return int(match.group(1))


def etag(version: int) -> str:
    return f'"{version}"'


# -- forms -------------------------------------------------------------------------------------


class VersionedForm(forms.BaseForm):
    """Form base for editing a versioned record: a hidden `version` holding the version the
    page was rendered from. Added in `__init__` (not declared) so that it follows the model
    form's own fields and exists only when editing a record that has a version."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk is not None and has_version(type(instance)):
            self.fields[VERSION] = forms.CharField(required=False, widget=forms.HiddenInput)
            self.initial.setdefault(VERSION, getattr(instance, VERSION))

    def clean_version(self) -> int | None:
        try:
            return parse_token(self.cleaned_data.get(VERSION))
        except ValueError:
            # A hidden field's own error would not be shown: say it for the whole form.
            self.add_error(None, _("This form is damaged; open it again from the record."))
            return None

    @property
    def expected_version(self) -> int | None:
        """The version the editor loaded (None: not sent, the save is not checked)."""
        value = self.cleaned_data.get(VERSION) if VERSION in self.fields else None
        return int(value) if value is not None else None

    def rebase(self, version: int) -> None:
        """Carry `version` in the re-rendered form: the editor has now seen the saved values."""
        data = self.data.copy() if isinstance(self.data, QueryDict) else dict(self.data)
        data[self.add_prefix(VERSION)] = str(version)
        self.data = data


@dataclass(frozen=True)
class Row:
    """One field two people changed: its saved value and the value the user sent."""

    name: str
    label: str
    theirs: str
    yours: str


@dataclass(frozen=True)
class ConflictView:
    version: int
    rows: list[Row]
    by: str = ""
    at: datetime | None = None


def display(field: forms.Field, value: Any) -> str:
    """A form value (an initial value or posted data) as a person reads it: labels of
    choices, names of linked records, yes/no; "" when empty."""
    if isinstance(field, forms.ModelChoiceField):
        items = value if isinstance(value, (list, tuple, QuerySet)) else [value]
        pks = [getattr(v, "pk", v) for v in items if v not in (None, "")]
        if not pks:
            return ""
        queryset: QuerySet[Any] = field.queryset  # type: ignore[assignment]
        try:
            found = {str(o.pk): o for o in queryset.filter(pk__in=pks)}
        except (ValueError, TypeError):
            return join_items(pks)
        return join_items(found.get(str(pk), pk) for pk in pks)
    if isinstance(field, forms.ChoiceField):
        labels = _choice_labels(cast(Iterable[Any], field.choices))
        items = value if isinstance(value, (list, tuple)) else [value]
        return join_items(labels.get(str(v), v) for v in items if v not in (None, ""))
    if isinstance(field, forms.BooleanField):
        return _("yes") if field.to_python(value) else _("no")
    prepared = field.prepare_value(value)
    return "" if prepared is None else str(prepared)


def _choice_labels(choices: Iterable[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, label in choices:
        if isinstance(label, (list, tuple)):  # an option group
            out.update(_choice_labels(label))
        else:
            out[str(key)] = label
    return out


def differing(
    form: forms.BaseForm, current: forms.BaseForm, names: Iterable[str] | None = None
) -> list[Row]:
    """The fields whose value in `current` (an unbound form on the record as saved now) differs
    from what `form` (bound to the user's data) holds, with both values for reading."""
    rows = []
    for name in names if names is not None else form.fields:
        field = form.fields.get(name)
        if name == VERSION or field is None or field.disabled or name not in current.fields:
            continue
        theirs = current[name].initial
        yours = form[name].data
        if field.has_changed(theirs, yours):
            label = str(field.label or name)
            rows.append(Row(name, label, display(field, theirs), display(field, yours)))
    return rows


def refuse(
    form: VersionedForm, current: forms.BaseForm, conflict: Conflict, target: Model
) -> ConflictView:
    """What the edit page shows on a conflict: the message as a form error, both texts of
    every field that differs, who saved last and when; the form carries the current version."""
    form.add_error(None, str(CONFLICT_MESSAGE))
    form.rebase(conflict.current)
    last = (
        AuditEntry.objects.filter(
            target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk)
        )
        .order_by("-created_at", "-id")
        .first()
    )
    return ConflictView(
        version=conflict.current,
        rows=differing(form, current),
        by=last.actor_label if last else "",
        at=last.created_at if last else None,
    )


# -- the API -------------------------------------------------------------------------------------


def expected_from(request: Any, sent: dict[str, Any]) -> int | None:
    """The version an API client loaded: the `version` field of the body, else If-Match.
    A garbled one is a 422 on `version`."""
    raw = sent.pop(VERSION, None)
    if raw is None:
        raw = request.headers.get("If-Match")
    try:
        return parse_token(raw)
    except ValueError:
        raise ApiError(
            422,
            "invalid",
            "The request has invalid fields.",
            {VERSION: ["Not a version: send the number from `version` or the ETag."]},
        ) from None


def conflict_error(conflict: Conflict, rows: list[Row]) -> ApiError:
    """409 in the shared error shape: `fields.version` is the current version; each field the
    client sent that someone else changed lists its saved value."""
    fields = {VERSION: [str(conflict.current)], **{row.name: [row.theirs] for row in rows}}
    return ApiError(
        409,
        "conflict",
        "The record changed since you loaded it; nothing was saved. Load it again (the "
        "current version is in `fields.version`), merge, and send the new version.",
        fields,
    )


@contextmanager
def refusals(rename: Mapping[str, str] | None = None) -> Iterator[None]:
    """An API write's domain refusals as API errors: a stale version a 409, a ValidationError a
    422 naming the fields as the API spells them (`rename`: domain name → API name)."""
    try:
        yield
    except Conflict as exc:
        raise conflict_error(exc, []) from None
    except ValidationError as exc:
        raise from_validation(exc, rename) from None


@dataclass
class FormOutcome:
    """What `form_refusals` saw: `ok` when the write went through; otherwise `status` for
    the page that shows the form again (409 for a stale version, 400 for a refusal)."""

    ok: bool = False
    status: int = 400
    conflict: ConflictView | None = None  # with `rebase`: what differs, who saved last
    fresh: Model | None = None  # with `rebase`: the record as the other writer left it


@contextmanager
def form_refusals(
    form: forms.BaseForm,
    *,
    conflict: str | Promise = CONFLICT_MESSAGE,
    field_of: Mapping[str, str] | None = None,
    unnamed: str | None = None,
    rebase: Callable[[], tuple[forms.BaseForm, Model]] | None = None,
) -> Iterator[FormOutcome]:
    """A web form's domain refusals shown on the form, the web side of `refusals`: a stale
    version above it (`conflict`, the page's own words), a ValidationError beside the fields
    it names (`errors.add_errors`). The block's write either went through (`ok`) or left
    its reason on the form.

    Edit pages of versioned records pass `rebase`, which reads the record again and gives
    (a form of it, the record): a stale version then shows both texts of every field that
    differs and who saved last (`refuse`), and the form carries the current version."""
    outcome = FormOutcome()
    try:
        yield outcome
    except Conflict as exc:
        outcome.status = 409
        if rebase is None:
            form.add_error(None, str(conflict))
        else:
            assert isinstance(form, VersionedForm)
            current, outcome.fresh = rebase()
            outcome.conflict = refuse(form, current, exc, outcome.fresh)
    except ValidationError as exc:
        add_errors(form, exc, field_of=field_of, unnamed=unnamed)
    else:
        outcome.ok = True
