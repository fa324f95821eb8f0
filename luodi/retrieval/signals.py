"""Catalog changes reach the indexes.

Why signal receivers: the catalog must not import what is built on it, and catalog rows
change through many paths (web forms, API, importers, the admin, demo loaders). post_save /
post_delete / m2m_changed see every ORM save; `catalog.signals.records_changed` is sent by
the bulk paths those miss (imports, merges, the taxonomy seed). A receiver only writes queue
rows in the changing transaction and queues the index job after commit
(`indexing.request_on_commit`); the work happens in `luodi worker`, never in the request.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from luodi.catalog.models import (
    Achievement,
    Carrier,
    ClinicalCenterProfile,
    CompanyProfile,
    Organization,
    ParkProfile,
    Term,
)
from luodi.catalog.signals import records_changed
from luodi.disclosure.models import AccessGrant, NdaInvitation
from luodi.retrieval import indexing
from luodi.retrieval.kinds import KIND_OF_MODEL, KINDS

PROFILES = (ParkProfile, ClinicalCenterProfile, CompanyProfile)


@dataclass
class _Batch:
    """What changed inside `batched()`: requested once each when it ends."""

    records: dict[str, set[int]] = field(default_factory=dict)
    organizations: set[int] = field(default_factory=set)


_BATCH: ContextVar[_Batch | None] = ContextVar("luodi_index_batch", default=None)


@contextmanager
def batched() -> Iterator[None]:
    """Gather the index requests of the writes made inside and write them at the end, a
    few queries per kind (an import chunk saves hundreds of rows, each firing several
    signals). Use inside the transaction that makes the writes; when the block raises,
    nothing is requested (the transaction is rolled back with it). Nested blocks join the
    outer one."""
    if _BATCH.get() is not None:
        yield
        return
    batch = _Batch()
    token = _BATCH.set(batch)
    try:
        yield
    finally:
        _BATCH.reset(token)
    for kind, pks in _dependents(batch.organizations).items():
        batch.records.setdefault(kind, set()).update(pks)
    for kind, pks in batch.records.items():
        indexing.request_many_on_commit(kind, pks)


def _request(kind: str, pk: int) -> None:
    batch = _BATCH.get()
    if batch is None:
        indexing.request_on_commit(kind, pk)
    else:
        batch.records.setdefault(kind, set()).add(pk)


def _dependents(org_ids: Iterable[int]) -> dict[str, set[int]]:
    """Records that index an organization's names (and carriers its visibility)."""
    ids = list(org_ids)
    found: dict[str, set[int]] = {}
    if not ids:
        return found
    for kind in KINDS.values():
        if kind.org_fk is None:
            continue
        pks = kind.model._default_manager.filter(**{f"{kind.org_fk}__in": ids}).values_list(
            "pk", flat=True
        )
        found[kind.name] = {int(pk) for pk in pks}
    return found


def _changed(model: type[Model], pks: Iterable[int]) -> None:
    pks = [int(pk) for pk in pks if pk is not None]
    if not pks:
        return
    if model is Term:  # labels are in documents and in the tokenizer's dictionary
        indexing.request_on_commit(indexing.FULL)
        return
    if model in (AccessGrant, NdaInvitation):
        grants = model._default_manager.filter(pk__in=pks)
        for pk in grants.values_list("achievement_id", flat=True):
            _request("achievement", int(pk))
        return
    if model in PROFILES:
        pks = list(
            model._default_manager.filter(pk__in=pks).values_list("organization_id", flat=True)
        )
        model = Organization
    kind = KIND_OF_MODEL.get(model)
    if kind is None:
        return
    for pk in pks:
        _request(kind, pk)
    if model is Organization:
        batch = _BATCH.get()
        if batch is not None:
            batch.organizations.update(pks)
        else:
            for dependent, records in _dependents(pks).items():
                indexing.request_many_on_commit(dependent, records)
    elif model is Carrier:  # a park's document lists its carriers' types
        parks = Carrier.objects.filter(pk__in=pks).values_list("park_id", flat=True)
        for park in parks:
            _request("organization", int(park))


WATCHED = (*KIND_OF_MODEL, *PROFILES, Term, AccessGrant, NdaInvitation)


@receiver(post_save)
def _saved(sender: type[Model], instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw or sender not in WATCHED:
        return
    _changed(sender, [instance.pk])


@receiver(post_delete)
def _deleted(sender: type[Model], instance: Any, **kwargs: Any) -> None:
    if sender not in WATCHED:
        return
    # The row is gone: re-reading it removes it from its index; what pointed at it
    # (an achievement's grant, a park's carrier) is re-read from the fields still in hand.
    if sender in (AccessGrant, NdaInvitation):
        _request("achievement", instance.achievement_id)
    elif sender in PROFILES:
        _request("organization", instance.organization_id)
    elif sender is Term:
        indexing.request_on_commit(indexing.FULL)
    else:
        kind = KIND_OF_MODEL[sender]
        _request(kind, instance.pk)
        if sender is Carrier and instance.park_id:
            _request("organization", instance.park_id)


M2M = {
    Achievement.therapeutic_areas.through: Achievement,
    Achievement.technology_fields.through: Achievement,
    Organization.focus_areas.through: Organization,
    ParkProfile.industry_focus.through: ParkProfile,
    ClinicalCenterProfile.specialties.through: ClinicalCenterProfile,
    CompanyProfile.sectors.through: CompanyProfile,
}


@receiver(m2m_changed)
def _linked(
    sender: type[Model],
    instance: Any,
    action: str,
    reverse: bool,
    pk_set: set[int] | None,
    **kwargs: Any,
) -> None:
    owner = M2M.get(sender)
    if owner is None or action not in {"post_add", "post_remove", "post_clear"}:
        return
    if not reverse:  # achievement.therapeutic_areas.set(...)
        _changed(owner, [instance.pk])
    else:  # term.achievements.add(...): pk_set holds the records' ids
        _changed(owner, pk_set or ())


@receiver(records_changed)
def _bulk(sender: type[Model], pks: list[int], **kwargs: Any) -> None:
    _changed(sender, pks)
