"""Ordering a visit's stops by location and time windows. Pure Python, no Django.

The delegation leaves a start point at a start time, drives between stops (great-circle
distance × a road factor at an average city speed), spends each stop's duration there, and
may not arrive after a stop's window closes; arriving before it opens means waiting.

`suggest_order` builds a route by nearest neighbour (among the stops still reachable in
their windows, the one that can be *started* earliest, ties by distance) and improves it by
2-opt (reverse a segment when that lowers the cost: lateness first, then finish time, then
distance). Stops without coordinates keep their relative order at the end.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

EARTH_RADIUS_KM = 6371.0088
ROAD_FACTOR = 1.3  # roads are longer than the great circle
SPEED_KMH = 35.0  # average speed in Chengdu's traffic, ring roads included
LATE_PENALTY = 10_000.0  # minutes of cost per minute late: windows dominate everything


@dataclass(frozen=True)
class Stop:
    key: int
    lat: float | None
    lon: float | None
    duration: int = 60  # minutes on site
    open_at: int | None = None  # minutes since midnight
    close_at: int | None = None  # latest arrival, minutes since midnight


@dataclass(frozen=True)
class Leg:
    key: int
    arrive: int  # minutes since midnight
    start: int  # after waiting for the window to open
    leave: int
    km: float
    late_by: int


@dataclass
class Plan:
    order: list[int]
    legs: list[Leg] = field(default_factory=list)
    km: float = 0.0
    finish: int = 0
    late: list[int] = field(default_factory=list)  # keys of stops reached after their window
    unplaced: list[int] = field(default_factory=list)  # keys without coordinates


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def drive_minutes(km: float) -> int:
    return math.ceil(km * ROAD_FACTOR / SPEED_KMH * 60)


def _km(a: tuple[float, float], b: Stop) -> float:
    assert b.lat is not None and b.lon is not None
    return haversine_km(a[0], a[1], b.lat, b.lon)


def schedule(start: tuple[float, float], start_min: int, stops: list[Stop]) -> Plan:
    """Times and distances of visiting `stops` in the given order."""
    plan = Plan(order=[s.key for s in stops])
    here, now = start, start_min
    for stop in stops:
        if stop.lat is None or stop.lon is None:
            km, arrive = 0.0, now
        else:
            km = _km(here, stop)
            arrive = now + drive_minutes(km)
            here = (stop.lat, stop.lon)
        begin = max(arrive, stop.open_at) if stop.open_at is not None else arrive
        late = max(0, arrive - stop.close_at) if stop.close_at is not None else 0
        now = begin + stop.duration
        plan.legs.append(Leg(stop.key, arrive, begin, now, round(km, 1), late))
        plan.km += km
        if late:
            plan.late.append(stop.key)
    plan.km = round(plan.km, 1)
    plan.finish = now
    return plan


def cost(plan: Plan) -> float:
    lateness = sum(leg.late_by for leg in plan.legs)
    return lateness * LATE_PENALTY + plan.finish + plan.km / 100


def _rank(here: tuple[float, float], now: int, s: Stop) -> tuple[int, float, float]:
    """Reachable stops first, the one that can start earliest (ties: the nearest); stops
    that can no longer be reached in their window go last, the most urgent first."""
    km = _km(here, s)
    arrive = now + drive_minutes(km)
    if s.close_at is None or arrive <= s.close_at:
        begin = max(arrive, s.open_at) if s.open_at is not None else arrive
        return (0, begin, km)
    return (1, float(s.close_at), km)


def _nearest_neighbour(start: tuple[float, float], start_min: int, stops: list[Stop]) -> list[Stop]:
    route: list[Stop] = []
    left = list(stops)
    here, now = start, start_min
    while left:
        best = min(left, key=lambda s, here=here, now=now: _rank(here, now, s))  # type: ignore[misc]
        left.remove(best)
        route.append(best)
        assert best.lat is not None and best.lon is not None
        arrive = now + drive_minutes(_km(here, best))
        now = (max(arrive, best.open_at) if best.open_at is not None else arrive) + best.duration
        here = (best.lat, best.lon)
    return route


def _two_opt(start: tuple[float, float], start_min: int, route: list[Stop]) -> list[Stop]:
    best, best_cost = route, cost(schedule(start, start_min, route))
    improved = True
    while improved:
        improved = False
        for i in range(len(best) - 1):
            for j in range(i + 1, len(best)):
                candidate = best[:i] + best[i : j + 1][::-1] + best[j + 1 :]
                c = cost(schedule(start, start_min, candidate))
                if c < best_cost - 1e-9:
                    best, best_cost, improved = candidate, c, True
    return best


def suggest_order(start: tuple[float, float] | None, start_min: int, stops: list[Stop]) -> Plan:
    """The suggested visiting order. Without a start point, the first located stop is used."""
    located = [s for s in stops if s.lat is not None and s.lon is not None]
    unplaced = [s for s in stops if s.lat is None or s.lon is None]
    if start is None and located:
        first = min(located, key=lambda s: s.open_at if s.open_at is not None else start_min)
        assert first.lat is not None and first.lon is not None
        start = (first.lat, first.lon)
    route = located
    if start is not None and located:
        route = _two_opt(start, start_min, _nearest_neighbour(start, start_min, located))
    plan = schedule(start or (0.0, 0.0), start_min, route + unplaced)
    plan.unplaced = [s.key for s in unplaced]
    return plan


def hhmm(minutes: int) -> str:
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"
