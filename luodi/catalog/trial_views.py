"""Clinical trials: imported public records (ClinicalTrials.gov), read-only in the UI.

Each trial links to its sites (clinical centers) and to the multi-center site ranking.
"""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from luodi.catalog.rules import trials_visible_to
from luodi.control_chars import NoControlChars
from luodi.htmx import is_htmx


class TrialFilter(NoControlChars, forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.SearchInput(attrs={"placeholder": _("Title or condition")}),
    )
    phase = forms.CharField(label=_("phase"), required=False, max_length=64)
    status = forms.CharField(label=_("status"), required=False, max_length=64)


def trial_list(request: HttpRequest) -> HttpResponse:
    form = TrialFilter(request.GET or None)
    qs = (
        trials_visible_to(request.user)
        .select_related("sponsor")
        .annotate(n_sites=Count("site_links"))
        # Meta.ordering does not apply to an aggregating query; pages need a stable order.
        .order_by("-start_date", "registry_id")
    )
    if form.is_valid():
        data = form.cleaned_data
        for term in (data.get("q") or "").split():
            qs = qs.filter(
                Q(title__icontains=term)
                | Q(conditions__icontains=term)
                | Q(registry_id__iexact=term)
            )
        if data.get("phase"):
            qs = qs.filter(phase__icontains=data["phase"])
        if data.get("status"):
            qs = qs.filter(status__icontains=data["status"])
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    template = "catalog/_trial_rows.html" if is_htmx(request) else "catalog/trials.html"
    return render(request, template, {"form": form, "page": page})


def trial_detail(request: HttpRequest, pk: int) -> HttpResponse:
    trial = get_object_or_404(trials_visible_to(request.user).select_related("sponsor"), pk=pk)
    links = trial.site_links.select_related("organization").order_by("location")
    return render(request, "catalog/trial_detail.html", {"trial": trial, "links": links})
