"""A visit's itinerary: stops, the suggested order (accepted or overridden), minutes, and a
"precise inspection" itinerary drafted from the best-fitting parks (ranked by matchmaking's
park tab, see park_fit.py)."""

from __future__ import annotations

from datetime import time

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.catalog.models import Organization
from luodi.engagements import itinerary, park_fit
from luodi.engagements.models import Visit, VisitStop


def _minutes(value: time | None) -> int | None:
    return None if value is None else value.hour * 60 + value.minute


def _time(minutes: int) -> time:
    return time(minutes // 60 % 24, minutes % 60)


def plan_for(visit: Visit, stops: list[VisitStop]) -> itinerary.Plan:
    """The suggested order of `stops` (in their current order) for `visit`."""
    start = (
        (visit.start_latitude, visit.start_longitude)
        if visit.start_latitude is not None and visit.start_longitude is not None
        else None
    )
    items = [
        itinerary.Stop(
            key=s.pk,
            lat=s.latitude,
            lon=s.longitude,
            duration=s.duration_min,
            open_at=_minutes(s.window_start),
            close_at=_minutes(s.window_end),
        )
        for s in stops
    ]
    return itinerary.suggest_order(start, _minutes(visit.start_time) or 0, items)


def current_plan(visit: Visit, stops: list[VisitStop]) -> itinerary.Plan:
    """Times and distances of the stops in their current order."""
    start = (
        (visit.start_latitude, visit.start_longitude)
        if visit.start_latitude is not None and visit.start_longitude is not None
        else next(
            (
                (s.latitude, s.longitude)
                for s in stops
                if s.latitude is not None and s.longitude is not None
            ),
            (0.0, 0.0),
        )
    )
    items = [
        itinerary.Stop(
            key=s.pk,
            lat=s.latitude,
            lon=s.longitude,
            duration=s.duration_min,
            open_at=_minutes(s.window_start),
            close_at=_minutes(s.window_end),
        )
        for s in stops
    ]
    assert start[0] is not None and start[1] is not None
    return itinerary.schedule((start[0], start[1]), _minutes(visit.start_time) or 0, items)


@transaction.atomic
def add_stop(
    *,
    actor: User,
    visit: Visit,
    organization: Organization | None = None,
    place: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    window_start: time | None = None,
    window_end: time | None = None,
    duration_min: int = 60,
    hosts: str = "",
    fit_summary: str = "",
    ip: str | None = None,
) -> VisitStop:
    """Append a stop; coordinates default to the organization's."""
    if organization is not None:
        latitude = organization.latitude if latitude is None else latitude
        longitude = organization.longitude if longitude is None else longitude
    last = visit.stops.aggregate(m=Max("position"))["m"]
    stop = VisitStop.objects.create(
        visit=visit,
        position=0 if last is None else last + 1,
        organization=organization,
        place=place,
        latitude=latitude,
        longitude=longitude,
        window_start=window_start,
        window_end=window_end,
        duration_min=duration_min,
        hosts=hosts,
        fit_summary=fit_summary,
    )
    _order_changed(visit)
    audit.record(
        actor=actor, verb="visit.add_stop", target=visit, changes={"stop": stop.label}, ip=ip
    )
    return stop


@transaction.atomic
def remove_stop(*, actor: User, stop: VisitStop, ip: str | None = None) -> None:
    visit, label = stop.visit, stop.label
    stop.delete()
    _order_changed(visit)
    audit.record(
        actor=actor, verb="visit.remove_stop", target=visit, changes={"stop": label}, ip=ip
    )


def _order_changed(visit: Visit) -> None:
    if visit.order_accepted_at is not None:
        visit.order_accepted_at = None
        visit.save(update_fields=["order_accepted_at", "updated_at"])


@transaction.atomic
def set_order(
    *, actor: User, visit: Visit, order: list[int], accept: bool = False, ip: str | None = None
) -> list[VisitStop]:
    """Put the stops in `order` (stop ids, all of them) and plan their arrival times.
    `accept` marks the order as accepted by the user (the suggestion or their override)."""
    stops = {s.pk: s for s in visit.stops.select_related("organization")}
    if sorted(order) != sorted(stops):
        raise ValueError("order must list every stop of the visit exactly once")
    ordered = [stops[pk] for pk in order]
    plan = current_plan(visit, ordered)
    for position, (stop, leg) in enumerate(zip(ordered, plan.legs, strict=True)):
        stop.position = position
        stop.arrive_at = _time(leg.start)
    VisitStop.objects.bulk_update(ordered, ["position", "arrive_at"])
    visit.order_accepted_at = timezone.now() if accept else None
    visit.save(update_fields=["order_accepted_at", "updated_at"])
    audit.record(
        actor=actor,
        verb="visit.accept_order" if accept else "visit.reorder",
        target=visit,
        changes={"order": [s.label for s in ordered]},
        ip=ip,
    )
    return ordered


def move_stop(*, actor: User, stop: VisitStop, up: bool, ip: str | None = None) -> list[VisitStop]:
    """The user's override: move one stop up or down, then re-plan the times."""
    order = list(stop.visit.stops.values_list("pk", flat=True))
    i = order.index(stop.pk)
    j = i - 1 if up else i + 1
    if 0 <= j < len(order):
        order[i], order[j] = order[j], order[i]
    return set_order(actor=actor, visit=stop.visit, order=order, accept=True, ip=ip)


@transaction.atomic
def record_minutes(*, actor: User, stop: VisitStop, minutes: str, ip: str | None = None) -> None:
    before = stop.minutes
    stop.minutes = minutes
    stop.save(update_fields=["minutes"])
    audit.record(
        actor=actor,
        verb="visit.record_minutes",
        target=stop.visit,
        changes={"stop": stop.label, "minutes": [before, minutes]},
        ip=ip,
    )


class NotYetHappened(Exception):
    """A visit dated after today cannot be done: its record would claim what did not happen."""


@transaction.atomic
def mark_done(*, actor: User, visit: Visit, summary: str, ip: str | None = None) -> None:
    if visit.date > timezone.localdate():
        raise NotYetHappened(visit.date)
    visit.status, visit.summary = "done", summary
    visit.save(update_fields=["status", "summary", "updated_at"])
    audit.record(actor=actor, verb="visit.done", target=visit, ip=ip)


@transaction.atomic
def draft_from_fit(
    *,
    actor: User,
    visit: Visit,
    limit: int = 3,
    ip: str | None = None,
) -> list[VisitStop]:
    """Precise inspection: add the best-fitting parks for the visit's achievement (else its
    company) that are not yet on the itinerary as stops, each with its fit summary, then
    put the whole itinerary in the suggested order. Parks are ranked as on the
    achievement's matchmaking park tab, over the parks `actor` may see. Returns the new
    stops in ranking order; park_fit.NoSource when `actor` may see neither."""
    source = park_fit.visit_source(actor, visit)
    if source is None:
        raise park_fit.NoSource(visit.pk)
    on_route = {
        pk for pk in visit.stops.values_list("organization_id", flat=True) if pk is not None
    }
    fits = park_fit.pick_stops(actor, source, on_route, limit)
    last = visit.stops.aggregate(m=Max("position"))["m"]
    position = -1 if last is None else last
    created = []
    for fit in fits:
        position += 1
        org = fit.park
        created.append(
            VisitStop.objects.create(
                visit=visit,
                position=position,
                organization=org,
                latitude=org.latitude,
                longitude=org.longitude,
                duration_min=75,
                fit_summary=fit.summary(),
            )
        )
    stops = list(visit.stops.all())
    plan = plan_for(visit, stops)
    set_order(actor=actor, visit=visit, order=plan.order, accept=False, ip=ip)
    audit.record(
        actor=actor,
        verb="visit.draft_from_fit",
        target=visit,
        changes={
            "parks": [f.park.display_name for f in fits],
            "scores": [f.scored.score for f in fits],
        },
        ip=ip,
    )
    return created
