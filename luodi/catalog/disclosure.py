"""Which fields of a record a user may see: the one field-level disclosure policy.

`rules.py` answers which records a user may see (the `*_visible_to` querysets); this module
answers which fields of a record they see are withheld. Every output asks here — record pages
(`views.detail_context`), API schemas (`api.py` sets the flags `api_schemas.py` nulls by),
both export paths (`ingest.export`, `catalog.exports`), match explanations and reports
(`matchmaking.adapters.achievement_profile`) — so that a new output has nothing to restate.

Field groups (`GROUPS`), each withheld as a whole:

- Achievement dossier (`DOSSIER_FIELDS`: dossier text, inventors, patent numbers, IP status,
  transfer modes, needs, carrier requirements, space): `catalog.view_dossier` — staff, the
  owner's members and the submitter; of a published record, anyone who sees it when it is
  public tier, else only holders of a live access grant. An NDA invitation lists a
  confidential achievement but never opens its dossier; an expired grant opens nothing.
- Person contact (`CONTACT_FIELDS`: email, phone, consent to be contacted):
  `catalog.view_contact` — staff and the person's own organization.
- Person privacy bookkeeping (`PRIVACY_FIELDS`: the PIPL legal basis):
  `catalog.view_legal_basis` — staff only, the privacy page (privacy/views.py) is where it
  is read and changed.

Outputs that have the user at hand call `withheld_fields(user, obj)` / `shown(...)`. Outputs
that are handed rows without the user (the spreadsheet writer) read the rows through
`redacted(row)`: rows that came through `disclosed(qs, user)` carry what that user may not
see; a row of a policed model that did not is read with every group withheld (fail closed),
so an output that forgets to ask shows less, never more.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable

from luodi.accounts.rules import AnyUser
from luodi.catalog.models import Achievement, Person

M = TypeVar("M", bound=Model)

DOSSIER_FIELDS = (
    "dossier_zh",
    "dossier_en",
    "inventors",
    "patent_numbers",
    "ip_status",
    "transfer_modes",
    "needs",
    "carrier_needs",
    "space_needed_m2",
)
CONTACT_FIELDS = ("email", "phone", "consent_to_contact")
PRIVACY_FIELDS = ("legal_basis",)


def _perm(name: str) -> Callable[[AnyUser, Any], bool]:
    return lambda user, obj: bool(user.has_perm(name, obj))


@dataclass(frozen=True)
class FieldGroup:
    """Fields withheld together unless `allows(user, obj)`. `derived` are the model's
    properties computed from them (e.g. `dossier` picks `dossier_zh`/`dossier_en`): a
    redacted row withholds those too, so a template or accessor cannot read around a field."""

    name: str
    model: type[Model]
    fields: tuple[str, ...]
    allows: Callable[[AnyUser, Any], bool]
    derived: tuple[str, ...] = ()

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self.fields) | frozenset(self.derived)


DOSSIER = FieldGroup(
    "dossier",
    Achievement,
    DOSSIER_FIELDS,
    _perm("catalog.view_dossier"),
    derived=("dossier", "transfer_mode_labels", "need_labels", "carrier_need_labels"),
)
CONTACT = FieldGroup("contact", Person, CONTACT_FIELDS, _perm("catalog.view_contact"))
PRIVACY = FieldGroup("privacy", Person, PRIVACY_FIELDS, _perm("catalog.view_legal_basis"))

GROUPS: tuple[FieldGroup, ...] = (DOSSIER, CONTACT, PRIVACY)


def groups_for(model: type[Model]) -> tuple[FieldGroup, ...]:
    return tuple(g for g in GROUPS if issubclass(model, g.model))


def policed_fields(model: type[Model]) -> frozenset[str]:
    """Every name any group of `model` may withhold (fields and derived properties)."""
    out: frozenset[str] = frozenset()
    for group in groups_for(model):
        out |= group.names
    return out


def may_see(user: AnyUser, obj: Model, group: FieldGroup) -> bool:
    return isinstance(obj, group.model) and group.allows(user, obj)


def withheld_groups(user: AnyUser, obj: Model) -> tuple[FieldGroup, ...]:
    return tuple(g for g in groups_for(type(obj)) if not g.allows(user, obj))


def withheld_fields(user: AnyUser, obj: Model) -> frozenset[str]:
    """The names (fields and derived properties) of `obj` that `user` may not see."""
    out: frozenset[str] = frozenset()
    for group in withheld_groups(user, obj):
        out |= group.names
    return out


def shown(user: AnyUser, obj: Model, field: str) -> Any:
    """`obj.field` if `user` may see it, else None."""
    return None if field in withheld_fields(user, obj) else getattr(obj, field)


# -- rows handed on without their user (exports) ----------------------------------------------

_MARK = "_luodi_withheld"


def mark(user: AnyUser, obj: M) -> M:
    """Record on `obj` what `user` may not see of it, for `redacted` to read later."""
    setattr(obj, _MARK, withheld_fields(user, obj))
    return obj


def _marking(user: AnyUser) -> type[ModelIterable]:
    class Marking(ModelIterable):
        def __iter__(self) -> Iterator[Any]:
            for obj in super().__iter__():
                yield mark(user, obj)

    return Marking


def disclosed(qs: QuerySet[M], user: AnyUser) -> QuerySet[M]:
    """`qs` whose objects come out marked with what `user` may not see of each.

    The spreadsheet writer is handed querysets, not users (the export view passes on what
    `ingest.export.queryset_for` gave it), so the user travels with the queryset: as its
    iterable class, which Django keeps through `order_by`, `filter` and `iterator()`."""
    if not groups_for(qs.model):
        return qs
    clone = qs.all()
    if clone._iterable_class is not ModelIterable:
        raise ValueError("disclosed() needs a queryset of model instances")
    clone._iterable_class = _marking(user)
    return clone


class Redacted:
    """A read-only view of a record in which the withheld names read as None; everything else
    (other fields, related objects, methods) is the record's own."""

    __slots__ = ("_obj", "_withheld")

    def __init__(self, obj: Model, withheld: frozenset[str]) -> None:
        self._obj = obj
        self._withheld = withheld

    def __getattr__(self, name: str) -> Any:
        if name in self._withheld:
            return None
        return getattr(self._obj, name)

    def __str__(self) -> str:
        return str(self._obj)


def redacted(row: Any) -> Any:
    """`row` as an output without the user may show it: a row of a policed model hides what
    its mark says (all its groups when unmarked); anything else is returned as it is."""
    if not isinstance(row, Model):
        return row
    names = policed_fields(type(row))
    if not names:
        return row
    withheld: frozenset[str] | None = getattr(row, _MARK, None)
    if withheld is None:
        withheld = names
    return Redacted(row, withheld) if withheld else row
