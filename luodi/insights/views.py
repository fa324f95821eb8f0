"""Dashboard, chart exports, the list behind a chart click, and report jobs. Thin views."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from luodi.accounts.models import User
from luodi.accounts.rules import is_staff
from luodi.catalog.choices import OrganizationKind
from luodi.catalog.rules import organizations_visible_to
from luodi.ingest.export import Columns, export_rows
from luodi.insights import queries
from luodi.insights.layout import SEGMENT_KEYS, gap_candidates, industry_layout, segment_labels
from luodi.insights.models import ReportJob
from luodi.insights.reports import request_report


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


class ReportForm(forms.Form):
    PERIODS = [("month", _("Last month")), ("quarter", _("Last quarter")), ("custom", _("Custom"))]
    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, initial="month")
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end or start > end:
                raise forms.ValidationError(_("Give a start date on or before the end date."))
        else:
            start, end = period_bounds(data.get("period", "month"), timezone.localdate())
        data["start"], data["end"] = start, end
        return data


def period_bounds(period: str, today: date) -> tuple[date, date]:
    """The last complete month, or the last complete quarter, before `today`."""
    first_this_month = today.replace(day=1)
    if period == "quarter":
        q_start_month = 3 * ((today.month - 1) // 3) + 1
        end = today.replace(month=q_start_month, day=1) - timedelta(days=1)
        return end.replace(month=end.month - 2, day=1), end
    end = first_this_month - timedelta(days=1)
    return end.replace(day=1), end


def _my_jobs(request: HttpRequest) -> Any:
    qs = ReportJob.objects.all()
    return qs if is_staff(request.user) else qs.filter(requested_by_id=request.user.pk)


@require_http_methods(["GET", "POST"])
def report_list(request: HttpRequest) -> HttpResponse:
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        assert isinstance(request.user, User)
        request_report(
            actor=request.user, start=form.cleaned_data["start"], end=form.cleaned_data["end"]
        )
        return redirect("insights:reports")
    jobs = ReportJob.objects.filter(requested_by_id=request.user.pk)[:20]
    return render(request, "insights/reports.html", {"form": form, "jobs": jobs})


@require_GET
def report_status(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(_my_jobs(request), pk=pk)
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
    if segment not in SEGMENT_KEYS or not area.isdigit():
        raise Http404
    achievements, orgs = gap_candidates(request.user, segment, int(area))
    return render(
        request,
        "insights/_gap.html",
        {"achievements": achievements, "orgs": orgs, "segment": segment_labels()[segment]},
    )


@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    return render(request, "insights/map.html")
