"""Merging organization B (source) into A (target), keeping every link.

Every relation pointing at Organization is found through the model's meta, so links added
by other apps later move too:
- foreign keys (achievements.owner, people.organization, clinical_needs.organization,
  carriers.park, trials.sponsor, trial sites, memberships, organizations merged earlier…)
  are re-pointed; where a unique constraint would be broken (a trial listing both A and B as
  sites, a user member of both) B's row is dropped and A's kept (an admin role is kept);
- one-to-one profiles: B's moves to A when A has none; otherwise A's keeps its values and
  fills blanks from B's (lists and many-to-many sets are united);
- reverse many-to-many links through auto-created tables are re-pointed without duplicates;
- A's own many-to-many sets (focus areas) gain B's; A's blank fields are filled from B's;
  A's aliases gain B's names and aliases.
B is then archived with `merged_into = A`. The caller holds the transaction and audits.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from luodi.accounts.models import Membership, MembershipRole
from luodi.catalog import signals as catalog_signals
from luodi.catalog.models import Organization, TrialSite

_FILL_FIELDS = [
    "name_zh",
    "name_en",
    "province",
    "city",
    "district",
    "address",
    "latitude",
    "longitude",
    "website",
    "description_zh",
    "description_en",
]
# (model, the other half of its unique key with the organization)
_UNIQUE_WITH_ORG: dict[type[models.Model], str] = {TrialSite: "trial", Membership: "user"}


class MergeError(Exception):
    pass


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def relations() -> list[Any]:
    return [rel for rel in Organization._meta.related_objects if rel.related_model is not None]


def relation_label(rel: Any) -> str:
    return f"{rel.related_model._meta.verbose_name_plural} · {rel.field.verbose_name}"


def link_counts(org: Organization) -> dict[str, int]:
    """Linked records per relation, for the side-by-side preview."""
    counts: dict[str, int] = {}
    for rel in relations():
        n = rel.related_model._base_manager.filter(**{rel.field.name: org}).count()
        if n:
            counts[relation_label(rel)] = n
    for m2m in Organization._meta.many_to_many:
        n = getattr(org, m2m.name).count()
        if n:
            counts[str(m2m.verbose_name)] = n
    return counts


def check(target: Organization, source: Organization) -> None:
    if target.pk == source.pk:
        raise MergeError(_("An organization cannot be merged into itself."))
    if source.merged_into_id is not None:
        raise MergeError(_("“%(name)s” has already been merged.") % {"name": source})
    if target.merged_into_id is not None or target.archived_at is not None:
        raise MergeError(
            _("“%(name)s” is archived; merge into a live organization.") % {"name": target}
        )


def _drop_conflicts(
    model: type[models.Model], fname: str, other: str, target: Organization, source: Organization
) -> int:
    clash = model._base_manager.filter(**{fname: target, other: OuterRef(other)})
    doomed = model._base_manager.filter(**{fname: source}).filter(Exists(clash))
    if model is Membership:  # B's admins stay admins of A
        admins = doomed.filter(role=MembershipRole.ADMIN).values("user_id")
        Membership.objects.filter(organization=target, user_id__in=admins).update(
            role=MembershipRole.ADMIN
        )
    count, _detail = doomed.delete()
    return count


def _merge_one_to_one(rel: Any, target: Organization, source: Organization) -> int:
    model, fname = rel.related_model, rel.field.name
    theirs = model._base_manager.filter(**{fname: source}).first()
    if theirs is None:
        return 0
    ours = model._base_manager.filter(**{fname: target}).first()
    if ours is None:
        setattr(theirs, fname, target)
        theirs.save(update_fields=[rel.field.attname])
        return 1
    changed = []
    for f in model._meta.concrete_fields:
        if f.primary_key or f.is_relation:
            continue
        mine, other = getattr(ours, f.attname), getattr(theirs, f.attname)
        if _blank(mine) and not _blank(other):
            setattr(ours, f.attname, other)
            changed.append(f.attname)
        elif isinstance(mine, list) and isinstance(other, list):
            union = mine + [v for v in other if v not in mine]
            if union != mine:
                setattr(ours, f.attname, union)
                changed.append(f.attname)
    if changed:
        ours.save(update_fields=changed)
    for m2m in model._meta.many_to_many:
        getattr(ours, m2m.name).add(*getattr(theirs, m2m.name).all())
    return 1


def _move_reverse_m2m(rel: Any, target: Organization, source: Organization) -> int:
    through = rel.through
    org_field = rel.field.m2m_reverse_field_name()
    other = rel.field.m2m_field_name()
    _drop_conflicts(through, org_field, other, target, source)
    return int(through._base_manager.filter(**{org_field: source}).update(**{org_field: target}))


def merge(*, target: Organization, source: Organization) -> dict[str, int]:
    """Move B's links to A and archive B. Returns moved counts per relation."""
    check(target, source)
    moved: dict[str, int] = {}
    for rel in relations():
        model, label = rel.related_model, relation_label(rel)
        if rel.one_to_one:
            n = _merge_one_to_one(rel, target, source)
        elif rel.many_to_many:
            if not rel.through._meta.auto_created:
                continue  # an explicit through model: moved as its own foreign keys
            n = _move_reverse_m2m(rel, target, source)
        else:
            fname = rel.field.name
            if model in _UNIQUE_WITH_ORG:
                _drop_conflicts(model, fname, _UNIQUE_WITH_ORG[model], target, source)
            qs = model._base_manager.filter(**{fname: source})
            if model is Organization:
                qs = qs.exclude(pk=target.pk)
            try:
                with transaction.atomic():
                    n = qs.update(**{fname: target})
            except IntegrityError as exc:
                raise MergeError(
                    _("Cannot move %(what)s: %(error)s") % {"what": label, "error": exc}
                ) from exc
        if n:
            moved[label] = n
    for m2m in Organization._meta.many_to_many:
        getattr(target, m2m.name).add(*getattr(source, m2m.name).all())

    changed = []
    for name in _FILL_FIELDS:
        if _blank(getattr(target, name)) and not _blank(getattr(source, name)):
            setattr(target, name, getattr(source, name))
            changed.append(name)
    own = {target.name_zh, target.name_en, ""}
    aliases = list(target.aliases)
    for name in [source.name_zh, source.name_en, *source.aliases]:
        if name and name not in own and name not in aliases:
            aliases.append(name)
    if aliases != target.aliases:
        target.aliases = aliases
        changed.append("aliases")
    if changed:
        target.save(update_fields=[*changed, "updated_at"])
    source.merged_into = target
    source.archived_at = timezone.now()
    source.save(update_fields=["merged_into", "archived_at", "updated_at"])
    # The moves above were queryset updates (no signals): the indexes re-read both
    # organizations and everything that now carries the target's name.
    catalog_signals.changed(Organization, [target.pk, source.pk])
    return moved
