"""The weekly stall digest: on Mondays, each person responsible for a stalled project (its
association staff member) and each member of the park it landed in gets one message listing
the stalled projects they may see, with the reasons. Claimed per person and week by a
unique row in the sender's transaction, as the daily task digest is."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from luodi.accounts.models import Membership, User
from luodi.aftercare.models import StallDigestSent
from luodi.aftercare.rules import (
    landed_projects_visible_to,
    project_label,
    visible_project_ids,
)
from luodi.aftercare.stalls import Stall, followed, stalled
from luodi.notifications.domain import Message, notify
from luodi.notifications.models import EventKind
from luodi.pipeline.models import Project

log = logging.getLogger(__name__)


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def recipients(projects: list[Project]) -> dict[int, User]:
    """The staff member of each project and the members of the park it landed in."""
    out: dict[int, User] = {p.staff.pk: p.staff for p in projects if p.staff and p.staff.is_active}
    parks = [i for p in projects if (i := p.landing.park_id or p.target_park_id) is not None]
    for m in Membership.objects.filter(
        organization_id__in=parks, user__is_active=True
    ).select_related("user"):
        out[m.user.pk] = m.user
    return out


def _claim(user: User, week: date) -> bool:
    try:
        with transaction.atomic():
            StallDigestSent.objects.create(user=user, week=week)
    except IntegrityError:
        return False
    return True


def send_stall_digests(now: datetime | None = None, *, weekday: int = 0) -> int:
    """Send this week's digests if today is `weekday` (0 = Monday); returns how many."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if today.weekday() != weekday:
        return 0
    found = stalled(Project.objects.all(), today)
    if not found:
        return 0
    projects = list(
        followed(Project.objects.filter(pk__in=found)).select_related("staff", "landing")
    )
    sent = 0
    for user in recipients(projects).values():
        mine = set(
            landed_projects_visible_to(user).filter(pk__in=found).values_list("pk", flat=True)
        )
        visible = visible_project_ids(user, list(mine))
        items: list[tuple[str, Stall]] = [
            (project_label(user, p, visible), found[p.pk]) for p in projects if p.pk in mine
        ]
        if not items:
            continue
        try:
            with transaction.atomic():
                if not _claim(user, week_of(today)):
                    continue

                def compose(
                    recipient: User | None, language: str, items: list[Any] = items
                ) -> Message:
                    text = render_to_string(
                        "aftercare/email/stall_digest.txt",
                        {"items": items, "today": today, "user": recipient},
                    )
                    subject, _sep, body = text.strip().partition("\n")
                    return Message(subject=subject.strip(), body=body.strip() + "\n")

                notify(
                    kind=EventKind.REMINDER,
                    compose=compose,
                    users=[user],
                    actor_label="stall_digest",
                )
            sent += 1
        except Exception:
            log.exception("Stall digest for user %s failed", user.pk)
    return sent
