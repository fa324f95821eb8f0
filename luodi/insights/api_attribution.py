"""Attribution in the insights API (mounted with insights' router at /api/insights/):

    GET /attribution?year=&park=     landed projects the caller may see, the touches before
                                     each landing (hidden ones only counted), and the summary

A year out of range or a park the caller may not see is a 422 naming the field.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Schema

from luodi.errors import invalid
from luodi.insights import attribution
from luodi.insights.api import router
from luodi.insights.views_attribution import YEAR_MAX, YEAR_MIN, parks_for


class AttributionTouchOut(Schema):
    kind: str
    kind_label: str
    date: date
    title: str
    url: str


class AttributionProjectOut(Schema):
    project_id: int
    title: str
    landed_on: date
    park_id: int | None
    park: str
    touches: list[AttributionTouchOut]
    hidden_touches: int
    days_from_first_touch: int | None


class AttributionSummaryOut(Schema):
    landed: int
    with_visit: int
    with_event: int
    with_partnering: int
    with_any: int
    visit_share: int | None
    event_share: int | None
    partnering_share: int | None
    median_days_first_touch_to_landing: float | None
    touches_per_project: float | None
    hidden_touches: int


class AttributionOut(Schema):
    year: int | None
    park_id: int | None
    summary: AttributionSummaryOut
    projects: list[AttributionProjectOut]


@router.get(
    "/attribution",
    response=AttributionOut,
    summary="What preceded each landed project (visits, meetings, events, one-to-one meetings)",
)
def attribution_api(
    request: HttpRequest, year: int | None = None, park: int | None = None
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if year is not None and not YEAR_MIN <= year <= YEAR_MAX:
        errors["year"] = [f"A year from {YEAR_MIN} to {YEAR_MAX}."]
    if park is not None and not parks_for(request.user).filter(pk=park).exists():
        errors["park"] = ["No such park."]
    if errors:
        raise invalid(errors)
    result = attribution.attribution(request.user, year=year, park_id=park)
    s = result.summary
    return {
        "year": year,
        "park_id": park,
        "summary": {
            "landed": s.landed,
            "with_visit": s.with_visit,
            "with_event": s.with_event,
            "with_partnering": s.with_partnering,
            "with_any": s.with_any,
            "visit_share": s.visit_share,
            "event_share": s.event_share,
            "partnering_share": s.partnering_share,
            "median_days_first_touch_to_landing": s.median_days,
            "touches_per_project": s.touches_per_project,
            "hidden_touches": s.hidden,
        },
        "projects": [
            {
                "project_id": p.pk,
                "title": p.title,
                "landed_on": p.landed_on,
                "park_id": p.park_id,
                "park": p.park,
                "touches": [
                    {
                        "kind": t.kind,
                        "kind_label": t.kind_label,
                        "date": t.day,
                        "title": t.title,
                        "url": t.url,
                    }
                    for t in p.touches
                ],
                "hidden_touches": p.hidden,
                "days_from_first_touch": p.days_from_first_touch,
            }
            for p in result.projects
        ],
    }
