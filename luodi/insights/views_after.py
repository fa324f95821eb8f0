"""The after-landing KPI page, its exports, and the government report (form → preview with
a drafted narrative → issue). Thin views over `insights.landing_kpis` and `insights.gov_report`."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.http import require_GET, require_http_methods

from luodi.accounts.models import User
from luodi.catalog.exports import Columns, export_rows
from luodi.insights import gov_report
from luodi.insights import landing_kpis as kpis
from luodi.insights.base import aggregate_only
from luodi.insights.forms import AfterLandingFilterForm, GovReportForm
from luodi.insights.models import ReportKind
from luodi.insights.reports import request_report

# The numbers shown as cards; every number of the summary is in the table below them.
HEADLINE = ("landed", "producing", "arrived", "output_per_mu", "stalled")


def _filters(request: HttpRequest) -> AfterLandingFilterForm:
    data = QueryDict(mutable=True)
    for name in ("period", "start", "end", "scope"):
        if request.GET.get(name):
            data[name] = request.GET[name]
    return AfterLandingFilterForm(data, user=request.user)


@require_GET
def after_landing(request: HttpRequest) -> HttpResponse:
    form = _filters(request)
    context: dict[str, Any] = {
        "form": form,
        "codes": gov_report.recent_codes(timezone.localdate()),
        "aggregate_only": aggregate_only(request.user),
    }
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        charts = kpis.charts(request.user, start, end, form.scope_obj)
        query = request.GET.urlencode()
        summary = charts.pop("summary")
        context.update(
            {
                "start": start,
                "end": end,
                "scope_label": form.scope_obj.label,
                "charts": list(charts.values()),
                "summary": [
                    (key, label, gov_report.fmt(value) if value != "—" else value)
                    for (key, label), value in zip(summary.columns, summary.cells()[0], strict=True)
                ],
                "headline": HEADLINE,
                "query": query,
                "api": reverse("api:after_landing") + (f"?{query}" if query else ""),
            }
        )
    return render(request, "insights/after_landing.html", context)


@require_GET
def after_landing_export(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    if key not in ["summary", *kpis.CHART_KEYS] or fmt not in ("csv", "xlsx"):
        raise Http404
    form = _filters(request)
    if not form.is_valid():
        raise Http404
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    keys = [] if key == "summary" else [key]
    chart = kpis.charts(request.user, start, end, form.scope_obj, keys=keys or ["summary"])[key]
    columns: Columns = [(label, k) for k, label in chart.columns]
    return export_rows(chart.rows, columns, fmt, filename=f"luodi-after-landing-{key}")


def _preview(request: HttpRequest, form: GovReportForm) -> dict[str, Any]:
    """The key numbers and the narrative draft (in the report's language) of a valid form."""
    code = form.cleaned_data["period"]
    start, end = gov_report.parse_period(code)
    row = gov_report.numbers(request.user, start, end, form.scope_obj)
    with translation.override(form.cleaned_data["language"]):
        draft = gov_report.draft_narrative(code, row)
    return {
        "preview": True,
        "period_label": gov_report.period_label(code),
        "start": start,
        "end": end,
        "scope_label": form.scope_obj.label,
        "key_numbers": [(k, gov_report.fmt(v)) for k, v in gov_report.key_numbers(row)],
        "draft": draft,
    }


@require_http_methods(["GET", "POST"])
def government_report(request: HttpRequest) -> HttpResponse:
    """Step 1 (GET, or POST `preview` with errors): period, scope, language. Step 2 (POST
    `preview`): numbers and the drafted narrative in a textarea. POST `issue`: queue it."""
    codes = gov_report.recent_codes(timezone.localdate())
    context: dict[str, Any] = {"codes": codes, "preview": False}
    if request.method == "GET":
        language = "en" if request.user.preferred_language().startswith("en") else "zh-hans"  # type: ignore[union-attr]
        initial = {"period": gov_report.last_quarter(timezone.localdate()), "language": language}
        context["form"] = GovReportForm(initial=initial, user=request.user)
        return render(request, "insights/gov_report.html", context)
    issuing = request.POST.get("action") == "issue"
    form = GovReportForm(request.POST, user=request.user, issuing=issuing)
    context["form"] = form
    if form.is_valid():
        if issuing:
            assert isinstance(request.user, User)
            kind, ref = form.cleaned_data["scope"]
            start, end = gov_report.parse_period(form.cleaned_data["period"])
            request_report(
                actor=request.user,
                start=start,
                end=end,
                scope=kind,
                ref=ref,
                kind=ReportKind.AFTER_LANDING,
                language=form.cleaned_data["language"],
                narrative=form.cleaned_data["narrative"],
            )
            return redirect("insights:reports")
        context.update(_preview(request, form))
        if not form.cleaned_data["narrative"]:
            data = request.POST.copy()
            data["narrative"] = context["draft"]
            form = GovReportForm(data, user=request.user)
            form.is_valid()
            context["form"] = form
    elif issuing and not {"period", "scope", "language"} & set(form.errors):
        # Only the narrative is wrong: stay on the preview, the error beside the text.
        context.update(_preview(request, form))
    return render(request, "insights/gov_report.html", context)
