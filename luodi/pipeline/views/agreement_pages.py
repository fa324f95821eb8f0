"""The agreements list (every agreement the user may see, with filters) and an agreement's
own page: its parties, obligations, documents, and the projects, visits, meetings and events
that carry it out — each list cut to what the user may see."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from luodi.htmx import is_htmx
from luodi.pipeline import links
from luodi.pipeline.forms import AgreementFilter, DocumentForm, ObligationForm
from luodi.pipeline.queries import filter_agreements
from luodi.pipeline.rules import agreements_visible_to, may_see_agreements, projects_visible_to
from luodi.pipeline.views.common import get_agreement
from luodi.pipeline.views.registration import registration_context


def agreement_list(request: HttpRequest) -> HttpResponse:
    form = AgreementFilter(request.GET or None, user=request.user)
    qs = agreements_visible_to(request.user)
    if form.is_valid():
        qs = filter_agreements(qs, form.cleaned_data)
    qs = (
        qs.select_related("project", "registration")
        .prefetch_related("parties")
        .annotate(open_obligations=Count("obligations", filter=Q(obligations__status="open")))
        .order_by("-signed_on", "-created_at", "-id")
    )
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": params.urlencode(),
        "can_add": request.user.has_perm("pipeline.manage_agreements", None),
        # Viewers see no agreements at all; say so rather than show an empty filter.
        "may_see": bool(may_see_agreements(request.user)),
    }
    template = "pipeline/_agreement_rows.html" if is_htmx(request) else "pipeline/agreements.html"
    return render(request, template, context)


def agreement_detail(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = get_agreement(request, agreement_id)
    user = request.user
    can_manage = user.has_perm("pipeline.manage_agreements", agreement.project)
    agreement.obligation_form = ObligationForm(  # type: ignore[attr-defined]
        agreement=agreement, auto_id=f"ob{agreement.pk}-%s"
    )
    agreement.document_form = DocumentForm(  # type: ignore[attr-defined]
        auto_id=f"doc{agreement.pk}-%s"
    )
    context = {
        "a": agreement,
        "can_manage": can_manage,
        "related_projects": projects_visible_to(user)
        .filter(framework_agreements=agreement)
        .select_related("target_park")
        .order_by("title"),
        "visits": links.visible("visit", user).filter(agreements=agreement).order_by("-date"),
        "meetings": links.visible("meeting", user)
        .filter(agreements=agreement)
        .order_by("-starts_at"),
        "events": links.visible("event", user).filter(agreements=agreement).order_by("-starts_at"),
        # The technology-contract registration section (技术合同认定登记).
        **registration_context(request, agreement),
    }
    return render(request, "pipeline/agreement_detail.html", context)
