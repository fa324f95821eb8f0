"""Insights API: the data behind every dashboard chart. Mounted at /api/insights/.

    GET /charts              every chart of the signed-in user's dashboard
    GET /charts/{key}        one chart: {key, title, kind, columns, rows, x, series, drill}

Numbers follow `queries.py`: permission-aware, viewers get aggregates only, small groups
that would identify a confidential achievement are suppressed (null values).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from luodi.errors import ApiError
from luodi.insights import geo, queries

router = Router(tags=["insights"])


@router.get("/charts", response=dict[str, Any], summary="All dashboard charts")
def all_charts(request: HttpRequest) -> dict[str, Any]:
    charts = queries.charts(request.user)
    return {"charts": [c.as_dict() for c in charts.values()]}


@router.get("/charts/{key}", response=dict[str, Any], summary="One dashboard chart")
def one_chart(request: HttpRequest, key: str) -> dict[str, Any]:
    if key not in queries.CHART_KEYS:
        raise ApiError(404, "not_found", "No such chart.")
    return queries.charts(request.user, [key])[key].as_dict()


@router.get("/map", response=dict[str, Any], summary="Parks, hospitals and landings per park")
def map_data(request: HttpRequest) -> dict[str, Any]:
    return geo.map_points(request.user)


@router.get(
    "/graph",
    response=dict[str, Any],
    summary="Organizations linked by projects, agreements, visits",
)
def graph_data(request: HttpRequest) -> dict[str, Any]:
    return geo.relation_graph(request.user)
