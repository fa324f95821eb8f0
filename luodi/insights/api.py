"""Insights API: the data behind every dashboard chart. Mounted at /api/insights/.

    GET /charts              every chart of the signed-in user's dashboard
    GET /charts/{key}        one chart: {key, title, kind, columns, rows, x, series, drill}
    GET/POST /reports        the user's report jobs; request one (period + scope)
    GET /reports/{id}        one job's status; GET /reports/{id}/file/{pdf|xlsx} its file

Numbers follow `queries.py`: permission-aware, viewers get aggregates only, small groups
that would identify a confidential achievement are suppressed (null values).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from luodi.accounts.models import User
from luodi.catalog.rules import organizations_visible_to
from luodi.control_chars import InputSchema
from luodi.errors import ApiError
from luodi.insights import geo, queries, timeline
from luodi.insights import scope as scopes
from luodi.insights.forms import ReportForm
from luodi.insights.models import ReportJob
from luodi.insights.reports import request_report
from luodi.insights.rules import report_jobs_visible_to

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


class TimelineEntryOut(Schema):
    day: date
    kind: Literal["project", "agreement", "visit", "meeting", "event"]
    kind_label: str
    title: str
    detail: str
    url: str = Field(description="The page of the project, visit, meeting or event.")


class TimelineOut(Schema):
    organization: int
    entries: list[TimelineEntryOut]
    more: bool = Field(description="True when some kind had more than the latest 50 rows.")


@router.get(
    "/organizations/{org_id}/timeline",
    response=TimelineOut,
    summary="An organization's projects, agreements, visits, meetings and events",
)
def organization_timeline(request: HttpRequest, org_id: int) -> dict[str, Any]:
    """Newest first; each row is one the user may see on its own page. 404 for an
    organization the user may not see."""
    org = organizations_visible_to(request.user).filter(pk=org_id).first()
    if org is None:
        raise ApiError(404, "not_found", "No such organization.")
    entries, more = timeline.organization_timeline(request.user, org)
    return {"organization": org.pk, "entries": [vars(e) for e in entries], "more": more}


# -- reports ------------------------------------------------------------------------------


class ReportIn(InputSchema):
    model_config = ConfigDict(extra="forbid")

    period: Literal["month", "quarter", "custom"] = "month"
    start: date | None = Field(None, description="First day, with period `custom`.")
    end: date | None = Field(None, description="Last day, with period `custom`.")
    scope: Literal["all", "park", "area"] = Field(
        "all", description="The whole portfolio you may see, one park, or one therapeutic area."
    )
    scope_id: int | None = Field(
        None,
        description="Organization id of the park (partners: their own park only), or the "
        "term id of a top-level therapeutic area. Required unless scope is `all`.",
    )


class ReportOut(Schema):
    id: int
    period_start: date
    period_end: date
    scope: str
    scope_id: int | None
    scope_label: str
    status: str
    progress: int
    error: str
    created_at: datetime
    finished_at: datetime | None
    pdf_url: str | None
    xlsx_url: str | None


def _report_out(job: ReportJob) -> dict[str, Any]:
    done = job.status == "done"

    def url(fmt: str) -> str | None:
        return reverse("api:report_file", args=[job.pk, fmt]) if done else None

    return {
        "id": job.pk,
        "period_start": job.period_start,
        "period_end": job.period_end,
        "scope": job.scope,
        "scope_id": job.scope_park_id or job.scope_area_id,
        "scope_label": job.scope_label,
        "status": job.status,
        "progress": job.progress,
        "error": job.error,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "pdf_url": url("pdf"),
        "xlsx_url": url("xlsx"),
    }


def _jobs(request: HttpRequest) -> Any:
    return report_jobs_visible_to(request.user).select_related("scope_park", "scope_area")


@router.get("/reports", response=list[ReportOut], summary="My report jobs (newest first)")
def list_reports(request: HttpRequest) -> list[dict[str, Any]]:
    jobs = _jobs(request).filter(requested_by_id=request.user.pk)[:50]
    return [_report_out(job) for job in jobs]


@router.post("/reports", response={201: ReportOut}, summary="Request a report (PDF + xlsx)")
def create_report(request: HttpRequest, payload: ReportIn) -> Status:
    """Validated like the web form: a scope the user may not choose is a 422 on `scope`."""
    if payload.scope != scopes.ALL and payload.scope_id is None:
        raise ApiError(
            422,
            "invalid",
            "The request has invalid fields.",
            {"scope_id": ["Required unless scope is `all`."]},
        )
    data = {
        "period": payload.period,
        "start": payload.start.isoformat() if payload.start else "",
        "end": payload.end.isoformat() if payload.end else "",
        "scope": scopes.encode(payload.scope, payload.scope_id),
    }
    form = ReportForm(data, user=request.user)
    if not form.is_valid():
        fields = {name: [str(m) for m in errors] for name, errors in form.errors.items()}
        raise ApiError(422, "invalid", "The request has invalid fields.", fields)
    assert isinstance(request.user, User)
    kind, ref = form.cleaned_data["scope"]
    job = request_report(
        actor=request.user,
        start=form.cleaned_data["start"],
        end=form.cleaned_data["end"],
        scope=kind,
        ref=ref,
    )
    job = _jobs(request).get(pk=job.pk)
    return Status(201, _report_out(job))


@router.get("/reports/{report_id}", response=ReportOut, summary="One report job")
def get_report(request: HttpRequest, report_id: int) -> dict[str, Any]:
    return _report_out(get_object_or_404(_jobs(request), pk=report_id))


@router.get(
    "/reports/{report_id}/file/{fmt}",
    response={200: None},
    summary="Download a finished report (pdf or xlsx)",
    url_name="report_file",
)
def report_file(request: HttpRequest, report_id: int, fmt: Literal["pdf", "xlsx"]) -> Any:
    job = get_object_or_404(_jobs(request), pk=report_id)
    file = job.pdf if fmt == "pdf" else job.xlsx
    if not file:
        raise ApiError(404, "not_found", "The report is not finished.")
    return FileResponse(file.open("rb"), as_attachment=True, filename=file.name.rsplit("/", 1)[-1])
