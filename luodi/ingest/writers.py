"""Writing one cleaned spreadsheet row per kind: create, update the matching record, or skip
it as a possible duplicate. Called by `domain.import_rows`, one savepoint per row; with a
journal in the context every write is recorded so that it can be undone (journal.py).

Matching ("re-import updates rather than duplicates"):
- organizations: any name or alias with the same key (see dedup.name_key) → update; a similar
  name → reported as a possible duplicate and skipped;
- people: same name in the same organization; achievements: same title and owner;
  clinical needs: same title and organization.
Review states come from the catalog's transition table (`luodi.catalog.review`), as for the
web forms and the API: a partner's new record waits for review (pending); a partner's update
of a published record is proposed as a revision (the published values stay until staff
approve); other updates are written in place, incrementing the record's version so that an
edit form opened before the import conflicts instead of reverting it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from luodi.accounts.models import User
from luodi.accounts.rules import org_ids
from luodi.catalog import review, revisions
from luodi.catalog.models import Achievement, ClinicalNeed, Organization, Person, Reviewed
from luodi.concurrency import claim
from luodi.ingest import dedup, fields
from luodi.ingest.journal import Journal
from luodi.ingest.rules import may_write_for_org, writes_for_any_org
from luodi.ingest.summary import RECORD_LABELS, Duplicate, Summary
from luodi.ingest.tables import Resolver
from luodi.text import join_items


class RowRejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Titles:
    """The titles (names, for people) of the records a chunk has looked among, read once per
    scope: an import of 1,000 achievements of 50 owners asks the database 50 times, not
    1,000. Rows created in the chunk are added as they are written; `domain.write_chunk`
    starts each chunk afresh, so a rolled-back chunk leaves nothing behind."""

    _scopes: dict[tuple[Any, ...], dict[tuple[str, str], int]] = field(default_factory=dict)

    def clear(self) -> None:
        self._scopes.clear()

    @staticmethod
    def _keys(zh: str | None, en: str | None) -> list[tuple[str, str]]:
        return [k for k in (("zh", zh or ""), ("en", (en or "").casefold())) if k[1]]

    def find(
        self,
        model: type[models.Model],
        scope: dict[str, Any],
        fields: tuple[str, str],
        values: dict[str, Any],
    ) -> Any:
        """The record of `scope` with the row's Chinese title, or its English one in any
        letter case; the oldest when they name different records."""
        titles = self._scope(model, scope, fields)
        hits = [
            titles[k]
            for k in self._keys(values.get(fields[0]), values.get(fields[1]))
            if k in titles
        ]
        return model._default_manager.filter(pk=min(hits)).first() if hits else None

    def written(
        self,
        model: type[models.Model],
        scope: dict[str, Any],
        fields: tuple[str, str],
        obj: Any,
        created: bool,
    ) -> None:
        """After a row's write: a new record's titles are added; an updated record may have
        changed its titles, so its scope is read again when next asked."""
        if not created:
            self._scopes.pop(self._name(model, scope, fields), None)
            return
        titles = self._scope(model, scope, fields)
        for key in self._keys(getattr(obj, fields[0]), getattr(obj, fields[1])):
            titles.setdefault(key, obj.pk)

    @staticmethod
    def _name(
        model: type[models.Model], scope: dict[str, Any], fields: tuple[str, str]
    ) -> tuple[Any, ...]:
        return (model, fields, *sorted(scope.items()))

    def _scope(
        self, model: type[models.Model], scope: dict[str, Any], fields: tuple[str, str]
    ) -> dict[tuple[str, str], int]:
        name = self._name(model, scope, fields)
        titles = self._scopes.get(name)
        if titles is None:
            titles = self._scopes[name] = {}
            rows = model._default_manager.filter(**scope).order_by("pk").values_list("pk", *fields)
            for pk, zh, en in rows:
                for key in self._keys(zh, en):
                    titles.setdefault(key, pk)  # the oldest record keeps a shared title
        return titles


@dataclass
class Context:
    # The person importing; None only with `system=True` (the CLI without --user, tests).
    actor: User | None
    resolver: Resolver
    seen: dict[Any, int] = field(default_factory=dict)  # in-file identity → first line
    # Every write, so that a failed import can be undone (journal.py); None: not recorded.
    journal: Journal | None = None
    system: bool = False
    titles: Titles = field(default_factory=Titles, init=False, repr=False)
    _demo_orgs: set[int] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if (self.actor is None) != self.system:
            raise ValueError("an import has an actor, or is the system's (system=True)")

    @property
    def staff(self) -> bool:
        """Whether rows may name any organization, or none (ingest.write_for_any_organization)."""
        return self.system or bool(self.actor is not None and writes_for_any_org(self.actor))

    def is_real_org(self, org_id: int) -> bool:
        """Whether the organization is not demo data (read once per import)."""
        if self._demo_orgs is None:
            self._demo_orgs = set(
                Organization.objects.filter(is_demo=True).values_list("pk", flat=True)
            )
        return org_id not in self._demo_orgs

    def own_org(self, org_id: int | None) -> int:
        """The organization a row writes for: the named one, or a partner's only one."""
        if org_id is None and not self.staff and self.actor is not None:
            mine = org_ids(self.actor)
            if len(mine) == 1:
                org_id = next(iter(mine))
        if org_id is None:
            raise RowRejected(_("the organization is missing"))
        if not self.staff and not may_write_for_org(self.actor, org_id):  # type: ignore[arg-type]
            raise RowRejected(_("you may only import records of your own organizations"))
        return org_id


def leaves_alone(obj: models.Model, created: bool, values: dict[str, Any]) -> bool:
    """A demo row (`is_demo`, system imports only) never rewrites a real record: someone
    entered it, and the demo neither overwrites it nor marks it as demo data."""
    return bool(values.get("is_demo")) and not created and not getattr(obj, "is_demo", True)


def people_of(org_id: int, refs: list[str]) -> list[int]:
    """People of the organization by email or name, in the order given (inventors, a need's
    clinician): a row links only people of its own organization."""
    wanted = {ref.casefold() for ref in refs}
    cond = Q()
    for ref in refs:  # one query for the row
        cond |= Q(email__iexact=ref) | Q(name_zh=ref) | Q(name_en__iexact=ref)
    rows = (
        Person.objects.filter(organization_id=org_id)
        .filter(cond)
        .values_list("pk", "email", "name_zh", "name_en")
    )
    by_ref: dict[str, set[int]] = {}
    for pk, *names in rows:
        for name in names:
            if name and name.casefold() in wanted:
                by_ref.setdefault(name.casefold(), set()).add(pk)
    found: list[int] = []
    for ref in refs:
        matches = by_ref.get(ref.casefold(), set())
        if len(matches) != 1:
            raise RowRejected(
                (
                    _("“%(value)s” names several people of the organization")
                    if matches
                    else _("“%(value)s” is not a person of the organization")
                )
                % {"value": ref}
            )
        if (pk := next(iter(matches))) not in found:
            found.append(pk)
    return found


def _validation_reason(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{k}: {' '.join(str(m) for m in v)}" for k, v in exc.message_dict.items())
    return "; ".join(str(m) for m in exc.messages)


def apply_values(obj: models.Model, values: dict[str, Any], names: list[str]) -> list[str]:
    changed = []
    for name in names:
        if name in values and getattr(obj, name) != values[name]:
            setattr(obj, name, values[name])
            changed.append(name)
    return changed


def asked_links(
    obj: models.Model, name: str, ids: list[int] | None, replace: bool = True
) -> dict[str, list[int]]:
    """The links a row asks for, when they differ from the record's: {name: ids}."""
    if ids is None:
        return {}
    current = set(getattr(obj, name).values_list("pk", flat=True)) if obj.pk else set()
    wanted = set(ids) if replace else current | set(ids)
    return {} if wanted == current else {name: sorted(wanted)}


def save_row(
    obj: models.Model,
    changed: list[str],
    created: bool,
    ctx: Context,
    links: dict[str, list[int]] | None = None,
) -> bool:
    """Write the row as the review table says; whether anything was written or proposed."""
    links = links or {}
    actor = ctx.actor if ctx.actor is not None and ctx.actor.pk else None
    if created and isinstance(obj, Reviewed):
        obj.status = review.decide(review.CREATE, ctx.actor, review.NEW).result(review.NEW)
        obj.submitted_by = actor
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise RowRejected(_validation_reason(exc)) from exc
    if not created and not changed and not links:
        return False
    if not created and isinstance(obj, Reviewed) and review.proposes(ctx.actor, obj.status):
        published = type(obj)._default_manager.get(pk=obj.pk)
        values: dict[str, Any] = {name: getattr(obj, name) for name in changed} | links
        before = ctx.journal.revision_before(published) if ctx.journal else None
        revision = revisions.propose(actor=actor, record=published, values=values)
        if ctx.journal:
            ctx.journal.proposed(before, revision)
        return True
    old = ctx.journal.old_values(obj, changed, links) if ctx.journal and not created else None
    if created:
        obj.save()
    else:
        claim(obj, None)
        stamped = ["updated_at"] if hasattr(obj, "updated_at") else []
        obj.save(update_fields=[*changed, *stamped])
    for name, ids in links.items():
        if created:
            _link_new(obj, name, ids)
        else:
            getattr(obj, name).set(ids)
    if ctx.journal:
        if old is None:
            ctx.journal.created(obj)
        else:
            ctx.journal.updated(obj, old)
    return True


def _link_new(obj: models.Model, name: str, ids: list[int]) -> None:
    """A new record's links, inserted in one query. No m2m_changed is sent: its post_save
    already asked for it to be indexed, and the index reads it after the commit, links and
    all; the signal per link table cost an import of a thousand rows seconds (issue #23)."""
    manager = getattr(obj, name)
    through = manager.through
    src, tgt = manager.source_field_name, manager.target_field_name
    rows = [through(**{f"{src}_id": obj.pk, f"{tgt}_id": pk}) for pk in ids]
    through._default_manager.bulk_create(rows)


def outcome(created: bool, changed: bool) -> str:
    return "created" if created else ("updated" if changed else "unchanged")


_ORG_FIELDS = [
    "name_zh",
    "name_en",
    "kind",
    "province",
    "city",
    "district",
    "address",
    "website",
    "description_zh",
    "description_en",
    "latitude",
    "longitude",
    "chain_segments",
    "is_demo",
]


def write_organization(values: dict[str, Any], line: int, ctx: Context, summary: Summary) -> str:
    names = [
        n for n in (values.get("name_zh"), values.get("name_en"), *values.get("aliases", [])) if n
    ]
    label = values.get("name_zh") or values.get("name_en") or ""
    keys = {dedup.name_key(n) for n in names} - {""}
    for key in keys:
        if key in ctx.seen:
            first = ctx.seen[key]
            summary.duplicates.append(
                Duplicate(
                    line,
                    label,
                    None,
                    _("line %(n)s") % {"n": first},
                    _("same organization as line %(n)s") % {"n": first},
                )
            )
            return "duplicate"
    index = ctx.resolver.orgs
    ids = index.find_exact(names)
    real = Organization.objects.filter(pk__in=ids, is_demo=False)
    if len(ids) > 1 and values.get("is_demo") and real.exists():
        return "unchanged"  # a real organization of the name: see leaves_alone
    if len(ids) > 1:
        raise RowRejected(
            _("matches several existing organizations: %(names)s")
            % {"names": join_items(index.labels.get(i, str(i)) for i in ids)}
        )
    # A similar name is a question for the person importing; the demo's curated rows name
    # distinct organizations (四川大学 beside 四川大学华西医院), exactly matched or new.
    if not ids and not values.get("is_demo"):
        near = index.find_similar(names)
        if near is not None:
            summary.duplicates.append(
                Duplicate(
                    line,
                    label,
                    near.org_id,
                    near.label,
                    _("possible duplicate of “%(name)s”") % {"name": near.label},
                )
            )
            return "duplicate"
    created = not ids
    org = Organization(province="", city="") if created else Organization.objects.get(pk=ids[0])
    if leaves_alone(org, created, values):
        for key in keys:
            ctx.seen[key] = line
        return "unchanged"
    extra_names: list[str] = []
    if not created:  # a matched organization keeps its names; new variants become aliases
        values = dict(values)
        for name_field in ("name_zh", "name_en"):
            new, old = values.get(name_field), getattr(org, name_field)
            if new and old:
                del values[name_field]
                if dedup.name_key(new) != dedup.name_key(old):
                    extra_names.append(new)
    changed = apply_values(org, values, _ORG_FIELDS)
    own = {org.name_zh, org.name_en}
    aliases = [
        a
        for a in dict.fromkeys([*extra_names, *values.get("aliases", [])])
        if a not in own and a not in org.aliases
    ]
    if aliases:
        org.aliases = [*org.aliases, *aliases]
        changed.append("aliases")
    links = asked_links(org, "focus_areas", values.get("focus_areas"), replace=False)
    written = save_row(org, changed, created, ctx, links)
    for key in keys:
        ctx.seen[key] = line
    index.add(org.pk, org.name_zh or org.name_en, [org.name_zh, org.name_en, *org.aliases])
    return outcome(created, written)


def in_file_duplicate(identity: Any, line: int, label: str, ctx: Context, summary: Summary) -> bool:
    """Whether an earlier row of the same file named the same record (then reported)."""
    if identity in ctx.seen:
        first = ctx.seen[identity]
        summary.duplicates.append(
            Duplicate(
                line,
                label,
                None,
                _("line %(n)s") % {"n": first},
                _("same record as line %(n)s") % {"n": first},
            )
        )
        return True
    ctx.seen[identity] = line
    return False


_NAMES = ("name_zh", "name_en")
_TITLES = ("title_zh", "title_en")
_PERSON_FIELDS = [
    "name_zh",
    "name_en",
    "title",
    "email",
    "phone",
    "expertise",
    "consent_to_contact",
    "is_demo",
]


def write_person(values: dict[str, Any], line: int, ctx: Context, summary: Summary) -> str:
    org_id: int | None = values.get("organization")
    if not ctx.staff or org_id is not None:
        org_id = ctx.own_org(org_id)
    label = values.get("name_zh") or values.get("name_en") or ""
    identity = ("person", org_id, dedup.normalize(label))
    if in_file_duplicate(identity, line, label, ctx, summary):
        return "duplicate"
    scope: dict[str, Any] = (
        {"organization__isnull": True} if org_id is None else {"organization_id": org_id}
    )
    person = ctx.titles.find(Person, scope, _NAMES, values)
    created = person is None
    if person is None:
        person = Person(organization_id=org_id)
    if leaves_alone(person, created, values):
        return "unchanged"
    changed = apply_values(person, values, _PERSON_FIELDS)
    written = save_row(person, changed, created, ctx)
    if written:
        ctx.titles.written(Person, scope, _NAMES, person, created)
    return outcome(created, written)


_ACHIEVEMENT_FIELDS = [
    "title_zh",
    "title_en",
    "summary_zh",
    "summary_en",
    "dossier_zh",
    "dossier_en",
    "kind",
    "stage",
    "patent_numbers",
    "ip_status",
    "transfer_modes",
    "needs",
    "carrier_needs",
    "space_needed_m2",
    "amount_sought_wan",
    "disclosure",
    "is_demo",
]


def write_achievement(values: dict[str, Any], line: int, ctx: Context, summary: Summary) -> str:
    owner_id = ctx.own_org(values.get("owner"))
    label = values.get("title_zh") or values.get("title_en") or ""
    if in_file_duplicate(
        ("achievement", owner_id, dedup.normalize(label)), line, label, ctx, summary
    ):
        return "duplicate"
    item = ctx.titles.find(Achievement, {"owner_id": owner_id}, _TITLES, values)
    created = item is None
    if item is None:
        item = Achievement(owner_id=owner_id)
    if leaves_alone(item, created, values):
        return "unchanged"
    changed = apply_values(item, values, _ACHIEVEMENT_FIELDS)
    links = asked_links(item, "therapeutic_areas", values.get("therapeutic_areas"))
    links |= asked_links(item, "technology_fields", values.get("technology_fields"))
    if "inventors" in values:
        links |= asked_links(item, "inventors", people_of(owner_id, values["inventors"]))
    written = save_row(item, changed, created, ctx, links)
    if written:
        ctx.titles.written(Achievement, {"owner_id": owner_id}, _TITLES, item, created)
    return outcome(created, written)


_NEED_FIELDS = [
    "title_zh",
    "title_en",
    "problem",
    "current_practice",
    "desired_solution",
    "constraints",
    "is_demo",
]


def write_need(values: dict[str, Any], line: int, ctx: Context, summary: Summary) -> str:
    org_id = ctx.own_org(values.get("organization"))
    label = values.get("title_zh") or values.get("title_en") or ""
    if in_file_duplicate(("need", org_id, dedup.normalize(label)), line, label, ctx, summary):
        return "duplicate"
    if values.get("is_demo") and ctx.is_real_org(org_id):
        return "unchanged"  # a real hospital's own needs are not the demo's to write
    need = ctx.titles.find(ClinicalNeed, {"organization_id": org_id}, _TITLES, values)
    created = need is None
    if need is None:
        need = ClinicalNeed(organization_id=org_id)
    if leaves_alone(need, created, values):
        return "unchanged"
    changed = apply_values(need, values, _NEED_FIELDS)
    if "specialty" in values and need.specialty_id != values["specialty"]:
        need.specialty_id = values["specialty"]
        changed.append("specialty")
    if "clinician" in values:
        clinician_id = people_of(org_id, [values["clinician"]])[0]
        if need.clinician_id != clinician_id:
            need.clinician_id = clinician_id
            changed.append("clinician")
    written = save_row(need, changed, created, ctx)
    if written:
        ctx.titles.written(ClinicalNeed, {"organization_id": org_id}, _TITLES, need, created)
    return outcome(created, written)


Writer = Callable[[dict[str, Any], int, Context, Summary], str]

WRITERS: dict[str, tuple[Writer, str]] = {
    fields.ORGANIZATIONS: (write_organization, "organization"),
    fields.PEOPLE: (write_person, "person"),
    fields.ACHIEVEMENTS: (write_achievement, "achievement"),
    fields.NEEDS: (write_need, "clinical_need"),
}


def register(kind: str, write: Writer, record_kind: str, record_label: Promise) -> None:
    """The writer of a kind registered by another app (see `fields.register_kind`):
    `write(values, line, ctx, summary)` answers "created", "updated", "unchanged" or
    "duplicate", raises RowRejected, and records its writes in `ctx.journal` when there is
    one (so that a failed import is undone)."""
    WRITERS[kind] = (write, record_kind)
    RECORD_LABELS[record_kind] = record_label
