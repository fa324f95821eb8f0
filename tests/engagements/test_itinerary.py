from __future__ import annotations

from luodi.engagements import itinerary
from luodi.engagements.itinerary import Stop, haversine_km, suggest_order

CENTER = (30.657, 104.066)  # Tianfu Square
MEDICAL_CITY = (30.715, 103.835)
BIO_TOWN = (30.405, 104.013)
LIFE_PARK = (30.566, 104.046)


def test_haversine_matches_known_distance() -> None:
    # Chengdu (Tianfu Square) to Chongqing (Jiefangbei): about 268 km great circle.
    km = haversine_km(30.657, 104.066, 29.557, 106.577)
    assert 265 < km < 272


def test_suggest_order_visits_nearest_first_without_windows() -> None:
    stops = [Stop(1, *BIO_TOWN), Stop(2, *MEDICAL_CITY), Stop(3, *LIFE_PARK)]
    plan = suggest_order(CENTER, 9 * 60, stops)
    assert plan.order[0] == 3  # the life science park is nearest to the centre
    assert plan.late == []
    assert len(plan.legs) == 3


def test_suggest_order_respects_time_windows() -> None:
    stops = [
        Stop(1, *BIO_TOWN, duration=90, open_at=14 * 60, close_at=16 * 60 + 30),
        Stop(2, *MEDICAL_CITY, duration=100, open_at=9 * 60 + 30, close_at=11 * 60),
        Stop(3, *LIFE_PARK, duration=60, open_at=11 * 60 + 30, close_at=13 * 60 + 30),
    ]
    plan = suggest_order(CENTER, 8 * 60 + 30, stops)
    assert plan.order == [2, 3, 1]
    assert plan.late == []
    first = plan.legs[0]
    assert first.start >= 9 * 60 + 30  # waits for the window to open


def test_two_opt_never_worse_than_nearest_neighbour() -> None:
    points = [
        (30.60, 104.00),
        (30.70, 104.10),
        (30.62, 104.02),
        (30.72, 104.12),
        (30.58, 103.95),
        (30.75, 104.15),
    ]
    stops = [Stop(i, lat, lon, duration=30) for i, (lat, lon) in enumerate(points)]
    nn = itinerary._nearest_neighbour(CENTER, 9 * 60, stops)
    nn_cost = itinerary.cost(itinerary.schedule(CENTER, 9 * 60, nn))
    plan = suggest_order(CENTER, 9 * 60, stops)
    assert itinerary.cost(plan) <= nn_cost


def test_suggest_order_keeps_stops_without_coordinates_at_the_end() -> None:
    stops = [Stop(1, None, None), Stop(2, *LIFE_PARK)]
    plan = suggest_order(CENTER, 9 * 60, stops)
    assert plan.order == [2, 1]
    assert plan.unplaced == [1]


def test_unreachable_window_is_reported_late() -> None:
    stops = [Stop(1, *MEDICAL_CITY, close_at=9 * 60)]
    plan = suggest_order(CENTER, 9 * 60, stops)
    assert plan.late == [1]
