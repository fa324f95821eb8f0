"""iCalendar documents: one visit, one event, and a person's one feed (everything visible to
them plus their own due dates); plus the per-user feed token (only its digest is stored)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from luodi import ics
from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.engagements.models import Event, FeedToken, Registration, Visit
from luodi.engagements.rules import ShownStop


def ticket_path(registration: Registration) -> str:
    return reverse("engagements_public:ticket", args=[registration.event_id, registration.code])


def _visit_events(visit: Visit, stops: Sequence[ShownStop]) -> list[ics.CalEvent]:
    out = []
    for stop in stops:
        if stop.arrive_at is None:
            continue
        start = timezone.make_aware(datetime.combine(visit.date, stop.arrive_at))
        geo = (
            (stop.latitude, stop.longitude)
            if stop.latitude is not None and stop.longitude is not None
            else None
        )
        out.append(
            ics.CalEvent(
                uid=f"visit-{visit.pk}-stop-{stop.pk}@luodi",
                summary=f"{visit.title} · {stop.label}",
                start=start,
                end=start + timedelta(minutes=stop.duration_min),
                description="\n".join(filter(None, [stop.hosts, stop.fit_summary])),
                location=stop.label,
                geo=geo,
            )
        )
    if not out:  # no planned times yet: the whole day
        out.append(
            ics.CalEvent(
                uid=f"visit-{visit.pk}@luodi",
                summary=visit.title,
                start=visit.date,
                end=visit.date + timedelta(days=1),
                description=visit.purpose,
                location="、".join(s.label for s in stops),
            )
        )
    return out


def visit_ics(visit: Visit, stops: Sequence[ShownStop]) -> str:
    """The visit's calendar file with its stops as the downloading user may see them
    (`rules.shown_stops`): another park's hosts and fit summary are left out."""
    return ics.calendar(_visit_events(visit, stops), name=visit.title)


def _event(event: Event, base_url: str) -> ics.CalEvent:
    return ics.CalEvent(
        uid=f"event-{event.pk}@luodi",
        summary=event.title,
        start=event.starts_at,
        end=event.ends_at,
        description=event.description,
        location=", ".join(filter(None, [event.venue, event.address])),
        url=base_url + reverse("engagements_public:event", args=[event.pk]) if base_url else "",
    )


def event_ics(event: Event, *, base_url: str = "", method: str = "") -> str:
    return ics.calendar([_event(event, base_url)], name=event.title, method=method)


def user_feed(user: User, *, today: date | None = None, base_url: str = "") -> str:
    """Everything the user may see from 60 days back to a year ahead (visits, meetings,
    events, agreement obligations), and the due dates of their own open tasks: one address
    for a person's whole Luodi calendar."""
    from luodi.engagements.queries import calendar_entries
    from luodi.pipeline.ics import task_events
    from luodi.pipeline.rules import tasks_visible_to

    today = today or timezone.localdate()
    entries = calendar_entries(user, today - timedelta(days=60), today + timedelta(days=366))
    items = [
        ics.CalEvent(
            uid=f"{e.uid}@luodi",
            summary=e.title,
            start=e.start,
            end=e.end or e.start + timedelta(hours=1),
            location=e.place,
            url=base_url + e.url if base_url and e.url else "",
        )
        for e in entries
    ]
    tasks = (
        tasks_visible_to(user)
        .filter(owner=user, due_date__isnull=False, status="open")
        .select_related("project")
    )
    items += task_events(
        tasks,
        host="luodi",
        url_for=lambda t: (
            base_url + reverse("pipeline:detail", args=[t.project_id]) if base_url else ""
        ),
    )
    return ics.calendar(items, name="Luodi")


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def reset_feed_token(*, actor: User, ip: str | None = None) -> str:
    """A new secret feed URL token for `actor` (every older address stops working); shown
    once."""
    raw = secrets.token_urlsafe(24)
    FeedToken.objects.filter(user=actor).delete()
    FeedToken.objects.create(user=actor, digest=_digest(raw))
    audit.record(actor=actor, verb="engagements.reset_feed_token", target=actor, ip=ip)
    return raw


def has_feed(user: User) -> bool:
    return FeedToken.objects.filter(user=user).exists()


def user_for_token(raw: str) -> User | None:
    token = FeedToken.objects.select_related("user").filter(digest=_digest(raw)).first()
    if token is None or not token.user.is_active:
        return None
    return token.user
