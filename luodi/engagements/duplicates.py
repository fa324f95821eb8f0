"""Is this already on the record? Field test (issue #18): the same person, stop or meeting
was entered twice and nobody noticed. The forms ask before adding a second one (the user
ticks "add anyway", e.g. for two people of the same name); they never refuse outright."""

from __future__ import annotations

import re
from datetime import datetime

from django.utils import timezone

from luodi.catalog.models import Organization
from luodi.engagements.models import Meeting, Participant, Visit

_SPACE = re.compile(r"\s+")


def same_text(text: str) -> str:
    """Names compare without case and spaces ("张 伟" is "张伟", "Li Na" is "li na")."""
    return _SPACE.sub("", text).casefold()


def participant(record: Visit | Meeting, name: str) -> Participant | None:
    wanted = same_text(name)
    return next((p for p in record.participants.all() if same_text(p.name) == wanted), None)


def stop(visit: Visit, organization: Organization | None, place: str) -> str | None:
    """The label of a stop of `visit` at the same organization or the same named place."""
    for s in visit.stops.select_related("organization"):
        if organization is not None and s.organization_id == organization.pk:
            return s.label
        if place.strip() and same_text(s.place) == same_text(place):
            return s.label
    return None


def meeting(title: str, starts_at: datetime, exclude_pk: int | None = None) -> Meeting | None:
    """A meeting of the same title on the same day (a form sent twice, or entered by two
    colleagues)."""
    day = timezone.localtime(starts_at).date()
    wanted = same_text(title)
    candidates = Meeting.objects.filter(starts_at__date=day)
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    return next((m for m in candidates if same_text(m.title) == wanted), None)
