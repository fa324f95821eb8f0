"""The annual transformation report: choose the institution and the year → preview of every
section built from the records, each with the user's own text → save the draft (re-opened
from the reports list) → issue (the build job writes the PDF and the Excel file). Thin views
over `annual_report` (reads) and `annual_drafts` (writes).

Who: staff and the institutions' members (`rules.builds_annual_reports`); anybody else gets
a 404, as does an institution the user may not see or a draft that is not theirs."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.concurrency import Conflict
from luodi.insights import annual_drafts, annual_report
from luodi.insights.forms import AnnualReportForm
from luodi.insights.models import ReportJob
from luodi.insights.rules import annual_drafts_of, builds_annual_reports

TEMPLATE = "insights/annual.html"


def _language(request: HttpRequest) -> str:
    preferred = request.user.preferred_language()  # type: ignore[union-attr]
    return "en" if preferred.startswith("en") else "zh-hans"


def _guard(request: HttpRequest) -> None:
    if not builds_annual_reports(request.user):
        raise Http404


def _preview(request: HttpRequest, form: AnnualReportForm) -> dict[str, Any]:
    """The sections of a form whose choices are valid, with the text boxes beside them."""
    institution = form.cleaned_data["institution"]
    year = form.cleaned_data["year"]
    data = annual_report.collect(request.user, institution, year)
    boxes = {f.name.removeprefix("text_"): f for f in form.text_fields()}
    return {
        "preview": True,
        "data": data,
        "institution": institution,
        "year": year,
        "sections": [
            (
                s,
                boxes[s.key],
                [(t, [[annual_report.cell_text(c) for c in r] for r in t.rows]) for t in s.tables],
            )
            for s in data.sections
        ],
    }


@require_http_methods(["GET", "POST"])
def annual(request: HttpRequest) -> HttpResponse:
    """Step 1 (GET): institution, year, language. POST: preview, save the draft, or issue."""
    _guard(request)
    if request.method == "POST":
        return _post(request, None)
    today = timezone.localdate()
    initial: dict[str, Any] = {"year": today.year - 1, "language": _language(request)}
    chosen = annual_report.institution_for(request.user, request.GET.get("institution", ""))
    if chosen is not None:
        initial["institution"] = chosen.pk
    form = AnnualReportForm(initial=initial, user=request.user, offer=chosen)
    return render(request, TEMPLATE, {"form": form, "preview": False})


@require_http_methods(["GET", "POST"])
def annual_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """A saved draft: its preview with the texts as saved; POST saves again or issues."""
    _guard(request)
    draft = get_object_or_404(annual_drafts_of(request.user).select_related("institution"), pk=pk)
    institution = annual_report.institution_for(request.user, draft.institution_id or "")
    if institution is None:
        raise Http404
    if request.method == "POST":
        return _post(request, draft)
    initial: dict[str, Any] = {
        "institution": institution.pk,
        "year": draft.period_start.year,
        "language": draft.language or _language(request),
        "version": draft.version,
    }
    initial.update({f"text_{k}": v for k, v in (draft.sections or {}).items()})
    form = AnnualReportForm(initial, user=request.user, offer=institution)
    form.is_valid()
    context = {"form": form, "draft": draft, **_preview(request, form)}
    return render(request, TEMPLATE, context)


def _post(request: HttpRequest, draft: ReportJob | None) -> HttpResponse:
    action = request.POST.get("action", "preview")
    offer = draft.institution if draft is not None else None
    form = AnnualReportForm(request.POST, user=request.user, offer=offer)
    context: dict[str, Any] = {"form": form, "draft": draft, "preview": False}
    if not form.is_valid():
        if form.choices_valid:  # only a text is wrong: stay on the preview, the error beside it
            context.update(_preview(request, form))
        return render(request, TEMPLATE, context, status=400)
    context.update(_preview(request, form))
    if action not in ("save", "issue"):
        return render(request, TEMPLATE, context)
    values = {
        "actor": request_user(request),
        "institution": form.cleaned_data["institution"],
        "year": form.cleaned_data["year"],
        "language": form.cleaned_data["language"],
        "sections": form.sections(),
        "draft": draft,
        "expected_version": form.cleaned_data.get("version"),
        "ip": audit.client_ip(request),
    }
    try:
        if action == "issue":
            annual_drafts.save_and_issue(**values)
        else:
            job = annual_drafts.save_draft(**values)
    except Conflict:
        form.add_error(
            None,
            _(
                "This draft was saved meanwhile in another window. Your text is below: "
                "open the draft again from the reports list to see the saved one."
            ),
        )
        return render(request, TEMPLATE, context, status=409)
    except annual_drafts.AlreadyIssued:
        messages.info(request, _("This report was issued already."))
        return redirect("insights:reports")
    if action == "issue":
        messages.success(request, _("The report is being built."))
        return redirect("insights:reports")
    messages.success(request, _("Draft saved."))
    return redirect("insights:annual-draft", pk=job.pk)
