"""Dashboard, chart exports, the list behind a chart click, and report jobs. Thin views."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from luodi.accounts.models import User
from luodi.catalog.choices import ChainSegment, OrganizationKind
from luodi.catalog.exports import Columns, export_rows
from luodi.catalog.rules import organizations_visible_to
from luodi.insights import geo, queries, timeline
from luodi.insights.forms import ReportForm
from luodi.insights.layout import gap_candidates, industry_layout
from luodi.insights.models import ReportJob
from luodi.insights.reports import request_report
from luodi.insights.rules import builds_annual_reports, report_jobs_visible_to


def dashboard_context(request: HttpRequest) -> dict[str, Any]:
    """What `insights/_dashboard.html` needs; the home page includes it too."""
    user = request.user
    charts = queries.charts(user)
    return {
        "charts": list(charts.values()),
        "ttl": charts["time_to_landing"].rows[0],
        "aggregate_only": queries.aggregate_only(user),
        "upcoming": queries.upcoming_events(user),
    }


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "insights/dashboard.html", dashboard_context(request))


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@require_GET
def drill(request: HttpRequest) -> HttpResponse:
    """The projects behind a chart click (an htmx fragment). Viewers get counts only."""
    stage = request.GET.get("stage", "")
    park, area = (_int(request.GET.get(k)) for k in ("park", "area"))
    projects = list(queries.drill_projects(request.user, stage=stage, park=park, area=area)[:200])
    return render(
        request,
        "insights/_drill.html",
        {
            "projects": projects,
            "stage": stage,
            "aggregate_only": queries.aggregate_only(request.user),
        },
    )


@require_GET
def export_chart(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    if key not in queries.CHART_KEYS or fmt not in ("csv", "xlsx"):
        raise Http404
    chart = queries.charts(request.user, [key])[key]
    columns: Columns = [(label, key) for key, label in chart.columns]
    return export_rows(chart.rows, columns, fmt, filename=f"luodi-{key}")


def _my_jobs(request: HttpRequest) -> Any:
    return report_jobs_visible_to(request.user)


@require_http_methods(["GET", "POST"])
def report_list(request: HttpRequest) -> HttpResponse:
    form = ReportForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        assert isinstance(request.user, User)
        kind, ref = form.cleaned_data["scope"]
        request_report(
            actor=request.user,
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
            scope=kind,
            ref=ref,
        )
        return redirect("insights:reports")
    jobs = ReportJob.objects.filter(requested_by_id=request.user.pk).select_related(
        "scope_park", "scope_area", "institution"
    )[:20]
    context = {"form": form, "jobs": jobs, "builds_annual": builds_annual_reports(request.user)}
    return render(request, "insights/reports.html", context)


@require_GET
def report_status(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(
        _my_jobs(request).select_related("scope_park", "scope_area", "institution"), pk=pk
    )
    return render(request, "insights/_report_row.html", {"job": job})


@require_GET
def report_download(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    job = get_object_or_404(_my_jobs(request), pk=pk)
    file = {"pdf": job.pdf, "xlsx": job.xlsx}.get(fmt)
    if file is None or not file:
        raise Http404
    return FileResponse(file.open("rb"), as_attachment=True, filename=file.name.rsplit("/", 1)[-1])


@require_GET
def layout(request: HttpRequest) -> HttpResponse:
    """The industry layout matrix for the region, or for one park (`?park=`)."""
    parks = organizations_visible_to(request.user).filter(kind=OrganizationKind.PARK)
    park = (
        parks.filter(pk=request.GET.get("park") or 0).first()
        if request.GET.get("park", "").isdigit()
        else None
    )
    matrix = industry_layout(request.user, park)
    return render(request, "insights/layout.html", {"layout": matrix, "parks": parks, "park": park})


@require_GET
def layout_gap(request: HttpRequest) -> HttpResponse:
    """Achievements and organizations that could fill one cell (an htmx fragment)."""
    segment = request.GET.get("segment", "")
    area = request.GET.get("area", "")
    if segment not in ChainSegment.values or not area.isdigit():
        raise Http404
    achievements, orgs = gap_candidates(request.user, segment, int(area))
    return render(
        request,
        "insights/_gap.html",
        {"achievements": achievements, "orgs": orgs, "segment": ChainSegment(segment).label},
    )


@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    """The map and the graph; their filters are listed here, their data comes from the API."""
    return render(
        request,
        "insights/map.html",
        {
            "layers": geo.MAP_LAYERS,
            "org_kinds": OrganizationKind.choices,
            "link_kinds": geo.LINK_KINDS,
        },
    )


@require_GET
def organization_timeline(request: HttpRequest, org_pk: int) -> HttpResponse:
    """The organization page's timeline (an htmx fragment): 404 for an organization the
    user may not see, as its page would answer."""
    org = get_object_or_404(organizations_visible_to(request.user), pk=org_pk)
    entries, more = timeline.organization_timeline(request.user, org)
    return render(
        request,
        "insights/_timeline.html",
        {"org": org, "entries": entries, "more": more, "limit": timeline.LIMIT},
    )
