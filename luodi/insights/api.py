"""Insights API: the data behind every dashboard chart. Mounted at /api/insights/.

    GET /charts              every chart of the signed-in user's dashboard
    GET /charts/{key}        one chart: {key, title, kind, columns, rows, x, series, drill}
    GET /after-landing       the after-landing KPI charts (period, scope)
    GET/POST /reports        the user's report jobs; request one (period + scope; kind
                             after_landing: the government report, language, narrative)
    GET /reports/{id}        one job's status; GET /reports/{id}/file/{pdf|xlsx} its file
    /annual/…                the annual transformation report (api_annual.py)

Numbers follow `queries.py`: permission-aware, viewers get aggregates only, small groups
that would identify a confidential achievement are suppressed (null values).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
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
from luodi.insights.forms import AfterLandingFilterForm, ReportForm
from luodi.insights.models import ReportJob, ReportKind
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


# -- after landing ------------------------------------------------------------------------


class AfterLandingOut(Schema):
    start: date
    end: date
    scope_label: str
    charts: list[dict[str, Any]] = Field(
        description="`summary` (one row of key numbers) first, then each chart: "
        "{key, title, kind, columns, rows, x, series, drill, y2, note}."
    )


def _invalid(form: Any) -> ApiError:
    fields = {name: [str(m) for m in errors] for name, errors in form.errors.items()}
    return ApiError(422, "invalid", "The request has invalid fields.", fields)


@router.get(
    "/after-landing", response=AfterLandingOut, summary="After-landing KPIs (charts as dicts)"
)
def after_landing(
    request: HttpRequest,
    period: str | None = None,
    start: date | None = None,
    end: date | None = None,
    scope: Literal["all", "park", "area"] = "all",
    scope_id: int | None = None,
) -> dict[str, Any]:
    """`period` is a month (2026-09) or a quarter (2026-Q3); else `start`/`end`; else this
    year to date. Parks see their own projects' figures; viewers get aggregates with small
    groups suppressed (null values) and no per-person rows."""
    from luodi.insights import landing_kpis as kpis

    if scope != scopes.ALL and scope_id is None:
        raise ApiError(
            422,
            "invalid",
            "The request has invalid fields.",
            {"scope_id": ["Required unless scope is `all`."]},
        )
    data = {
        "period": period or "",
        "start": start.isoformat() if start else "",
        "end": end.isoformat() if end else "",
        "scope": scopes.encode(scope, scope_id),
    }
    form = AfterLandingFilterForm(data, user=request.user)
    if not form.is_valid():
        raise _invalid(form)
    first, last = form.cleaned_data["start"], form.cleaned_data["end"]
    charts = kpis.charts(request.user, first, last, form.scope_obj)
    return {
        "start": first,
        "end": last,
        "scope_label": form.scope_obj.label,
        "charts": [c.as_dict() for c in charts.values()],
    }


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
    kind: Literal["portfolio", "after_landing"] = Field(
        "portfolio",
        description="`portfolio` (the default) or `after_landing`: the government report "
        "after landing, for a month or a quarter (`period_code`).",
    )
    period_code: str | None = Field(
        None,
        description="after_landing: a month (2026-09) or a quarter (2026-Q3); without it, "
        "the last month or quarter as `period` says (`custom` is refused).",
    )
    language: Literal["zh-hans", "en"] | None = Field(
        None,
        description="after_landing: the language the report is written in; default the "
        "requester's.",
    )
    narrative: str | None = Field(
        None,
        max_length=5000,
        description="after_landing: the narrative that opens the report; omitted, the draft "
        "written from the numbers; empty is refused.",
    )


class ReportOut(Schema):
    id: int
    kind: str
    language: str
    period_start: date
    period_end: date
    scope: str
    scope_id: int | None
    scope_label: str = Field(description="The park or area; an annual report's institution.")
    institution_id: int | None = Field(description="An annual report's institution.")
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
        "kind": job.kind,
        "language": job.language,
        "period_start": job.period_start,
        "period_end": job.period_end,
        "scope": job.scope,
        "scope_id": job.scope_park_id or job.scope_area_id,
        "scope_label": job.scope_label,
        "institution_id": job.institution_id,
        "status": job.status,
        "progress": job.progress,
        "error": job.error,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "pdf_url": url("pdf"),
        "xlsx_url": url("xlsx"),
    }


def _jobs(request: HttpRequest) -> Any:
    return report_jobs_visible_to(request.user).select_related(
        "scope_park", "scope_area", "institution"
    )


@router.get("/reports", response=list[ReportOut], summary="My report jobs (newest first)")
def list_reports(request: HttpRequest) -> list[dict[str, Any]]:
    jobs = _jobs(request).filter(requested_by_id=request.user.pk)[:50]
    return [_report_out(job) for job in jobs]


@router.post("/reports", response={201: ReportOut}, summary="Request a report (PDF + xlsx)")
def create_report(request: HttpRequest, payload: ReportIn) -> Status:
    """Validated like the web form: a scope the user may not choose is a 422 on `scope`."""
    if payload.kind == ReportKind.AFTER_LANDING:
        return _create_gov_report(request, payload)
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


def _create_gov_report(request: HttpRequest, payload: ReportIn) -> Status:
    from django.utils import timezone, translation

    from luodi.insights import gov_report
    from luodi.insights.forms import GovReportForm

    errors: dict[str, list[str]] = {}
    if payload.scope != scopes.ALL and payload.scope_id is None:
        errors["scope_id"] = ["Required unless scope is `all`."]
    if payload.period_code is None and payload.period == "custom":
        errors["period"] = ["The government report covers a month or a quarter: give period_code."]
    if errors:
        raise ApiError(422, "invalid", "The request has invalid fields.", errors)
    assert isinstance(request.user, User)
    code = payload.period_code
    if code is None:
        today = timezone.localdate()
        code = (
            gov_report.last_quarter(today)
            if payload.period == "quarter"
            else (f"{today.replace(day=1) - timedelta(days=1):%Y-%m}")
        )
    language = payload.language or (
        "en" if request.user.preferred_language().startswith("en") else "zh-hans"
    )
    data = {
        "period": code,
        "scope": scopes.encode(payload.scope, payload.scope_id),
        "language": language,
        "narrative": "" if payload.narrative is None else payload.narrative,
    }
    form = GovReportForm(data, user=request.user, issuing=payload.narrative is not None)
    if not form.is_valid():
        raise _invalid(form)
    start, end = gov_report.parse_period(form.cleaned_data["period"])
    narrative = form.cleaned_data["narrative"]
    if payload.narrative is None:
        row = gov_report.numbers(request.user, start, end, form.scope_obj)
        with translation.override(language):
            narrative = gov_report.draft_narrative(form.cleaned_data["period"], row)
    kind, ref = form.cleaned_data["scope"]
    job = request_report(
        actor=request.user,
        start=start,
        end=end,
        scope=kind,
        ref=ref,
        kind=ReportKind.AFTER_LANDING,
        language=language,
        narrative=narrative,
    )
    return Status(201, _report_out(_jobs(request).get(pk=job.pk)))


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


# Modules that add routes to this router (imported last: they import `router`).
from luodi.insights import (  # noqa: E402
    api_annual,  # noqa: F401 - registers the /annual routes
    api_attribution,  # noqa: F401 - registers /attribution
)
