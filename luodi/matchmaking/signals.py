"""Catalog changes queue index refreshes.

Why signal receivers here: the catalog's domain layer must not import matchmaking (matchmaking
builds on the catalog, not the other way round), and catalog rows change through several paths
(web forms, API, importers, the admin, demo loaders). A post_save/post_delete/m2m_changed
receiver is the one hook that sees all of them. The receivers only write a queue row (in the
transaction) and queue the index job after the commit (`indexing.request_on_commit`); the work
happens in `luodi worker`, never in the request. Bulk writes fire no signals: importers and
merges call `indexing.enqueue` themselves, and the nightly reconciliation catches the rest.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from luodi.catalog.models import (
    Achievement,
    Carrier,
    ClinicalCenterProfile,
    ClinicalNeed,
    CompanyProfile,
    Organization,
    ParkProfile,
)


def _queue(kind: str, pk: int | None) -> None:
    if pk is None:
        return
    from luodi.matchmaking.indexing import request_on_commit

    request_on_commit(kind, int(pk))


def _target(instance: Any) -> tuple[str, int | None]:
    if isinstance(instance, Achievement):
        return "achievement", instance.pk
    if isinstance(instance, ClinicalNeed):
        return "need", instance.pk
    if isinstance(instance, Organization):
        return "organization", instance.pk
    if isinstance(instance, Carrier):
        return "organization", instance.park_id
    if isinstance(instance, ParkProfile | ClinicalCenterProfile | CompanyProfile):
        return "organization", instance.organization_id
    return "", None


WATCHED = (
    Achievement,
    ClinicalNeed,
    Organization,
    Carrier,
    ParkProfile,
    ClinicalCenterProfile,
    CompanyProfile,
)


@receiver(post_save)
@receiver(post_delete)
def _record_changed(sender: type, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw or sender not in WATCHED:
        return
    kind, pk = _target(instance)
    if kind:
        _queue(kind, pk)


M2M = (
    Achievement.therapeutic_areas.through,
    Achievement.technology_fields.through,
    Organization.focus_areas.through,
    ParkProfile.industry_focus.through,
    ClinicalCenterProfile.specialties.through,
    CompanyProfile.sectors.through,
)


@receiver(m2m_changed)
def _links_changed(sender: type, instance: Any, action: str, **kwargs: Any) -> None:
    if sender in M2M and action in {"post_add", "post_remove", "post_clear"}:
        kind, pk = _target(instance)
        if kind:
            _queue(kind, pk)
