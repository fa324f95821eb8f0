"""Reads shared by several callers (home page, dashboards)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.functional import Promise

from luodi.accounts.rules import AnyUser
from luodi.catalog.choices import ReviewStatus
from luodi.catalog.models import Revision
from luodi.catalog.resources import RESOURCES
from luodi.catalog.rules import may_review, revisions_visible_to


@dataclass(frozen=True)
class Count:
    slug: str
    label: str | Promise
    total: int
    pending: int


def home_counts(user: AnyUser) -> list[Count]:
    """Live records the user may see per type; `pending` = waiting for review (reviewers:
    staff) or the user's own unpublished submissions (others), with changes proposed to
    published records (all of them for reviewers, the user's own for others)."""
    reviews = bool(may_review(user))
    revisions = revisions_visible_to(user).filter(state=Revision.State.PENDING)
    if not reviews:
        revisions = revisions.filter(proposed_by_id=user.pk)
    proposed = dict(
        revisions.values("content_type")
        .annotate(n=models.Count("id"))
        .values_list("content_type", "n")
    )
    out = []
    for res in RESOURCES.values():
        qs = res.visible(user).filter(archived_at__isnull=True)
        pending = 0
        if res.reviewed:
            waiting = qs.filter(status=ReviewStatus.PENDING)
            pending = (waiting if reviews else waiting.filter(submitted_by_id=user.pk)).count()
            pending += proposed.get(ContentType.objects.get_for_model(res.model).pk, 0)
            qs = qs.filter(status=ReviewStatus.PUBLISHED)
        out.append(Count(res.slug, res.label_plural, qs.count(), pending))
    return out
