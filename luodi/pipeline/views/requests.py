"""Company request pages (企业诉求): the list with filters, one request with its escalation
and resolution, and raising one from a project's page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from luodi import concurrency
from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.concurrency import Conflict
from luodi.htmx import is_htmx
from luodi.pipeline.domain import requests as domain
from luodi.pipeline.models import CompanyRequest
from luodi.pipeline.queries import filter_requests
from luodi.pipeline.request_forms import EscalateForm, RequestFilter, RequestForm, ResolveForm
from luodi.pipeline.rules import linked_visible, requests_visible_to
from luodi.pipeline.views.common import get_project
from luodi.pipeline.views.projects import render_detail


def request_list(request: HttpRequest) -> HttpResponse:
    form = RequestFilter(request.GET or None, user=request.user)
    qs = requests_visible_to(request.user)
    qs = filter_requests(qs, form.cleaned_data if form.is_valid() else {})
    qs = qs.select_related("project", "project__target_park", "project__company", "owner")
    page = Paginator(qs.order_by("due_date", "id"), 25).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {"form": form, "page": page, "query": params.urlencode()}
    template = "pipeline/_request_rows.html" if is_htmx(request) else "pipeline/requests.html"
    return render(request, template, context)


def _get(request: HttpRequest, pk: int, perm: str = "") -> CompanyRequest:
    req = get_object_or_404(
        requests_visible_to(request.user).select_related("project", "owner", "visit", "meeting"),
        pk=pk,
    )
    if perm and not request.user.has_perm(perm, req):
        raise PermissionDenied
    return req


def request_detail(
    request: HttpRequest,
    pk: int,
    escalate_form: EscalateForm | None = None,
    resolve_form: ResolveForm | None = None,
    status: int = 200,
    conflict: concurrency.ConflictView | None = None,
) -> HttpResponse:
    req = _get(request, pk)
    context = {
        "req": req,
        "can_handle": request.user.has_perm("pipeline.handle_request", req),
        "visit": req.visit if linked_visible(request.user, req, "visit") else None,
        "meeting": req.meeting if linked_visible(request.user, req, "meeting") else None,
        "escalate_form": escalate_form or EscalateForm(instance=req, auto_id="esc-%s"),
        "resolve_form": resolve_form or ResolveForm(instance=req, auto_id="res-%s"),
        "conflict": conflict,
    }
    return render(request, "pipeline/request_detail.html", context, status=status)


@require_POST
def request_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project(request, pk, "pipeline.raise_request")
    form = RequestForm(request.POST, user=request.user, project=project, auto_id="req-%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            req = domain.raise_request(
                actor=request_user(request),
                project=project,
                owner=data["owner"],
                values={k: data.get(k) for k in domain.REQUEST_FIELDS if k != "raised_on"},
                ip=audit.client_ip(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Request recorded; %(who)s has it in their tasks.") % {"who": req.owner},
            )
            return redirect("pipeline:request", pk=req.pk)
    return render_detail(request, pk, forms={"request": form}, status=400)


def _handle(
    request: HttpRequest,
    pk: int,
    form_class: type[EscalateForm] | type[ResolveForm],
    act: Callable[[CompanyRequest, dict[str, Any], int | None], Any],
    done: str,
) -> HttpResponse:
    """Escalate or resolve: the form checked, the domain called, a conflict or a refusal
    shown on the request's page with the form as the person filled it in."""
    req = _get(request, pk, "pipeline.handle_request")
    prefix = "esc-%s" if form_class is EscalateForm else "res-%s"
    form = form_class(request.POST, instance=CompanyRequest.objects.get(pk=pk), auto_id=prefix)
    if form.is_valid():
        try:
            act(req, form.cleaned_data, form.expected_version)
        except Conflict as exc:
            return _conflict(request, pk, form, exc)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, done)
            return redirect("pipeline:request", pk=pk)
    if isinstance(form, EscalateForm):
        return request_detail(request, pk, escalate_form=form, status=400)
    return request_detail(request, pk, resolve_form=form, status=400)


@require_POST
def request_escalate(request: HttpRequest, pk: int) -> HttpResponse:
    return _handle(
        request,
        pk,
        EscalateForm,
        lambda req, data, version: domain.escalate(
            actor=request_user(request),
            request=req,
            to=data["escalated_to"],
            expected_version=version,
            ip=audit.client_ip(request),
        ),
        _("Request escalated."),
    )


@require_POST
def request_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    return _handle(
        request,
        pk,
        ResolveForm,
        lambda req, data, version: domain.resolve(
            actor=request_user(request),
            request=req,
            resolution=data["resolution"],
            satisfaction=data.get("satisfaction"),
            expected_version=version,
            ip=audit.client_ip(request),
        ),
        _("Request resolved."),
    )


def _conflict(
    request: HttpRequest, pk: int, form: EscalateForm | ResolveForm, exc: Conflict
) -> HttpResponse:
    fresh = _get(request, pk)
    current = type(form)(instance=fresh)
    view = concurrency.refuse(form, current, exc, fresh)
    if isinstance(form, EscalateForm):
        return request_detail(request, pk, escalate_form=form, status=409, conflict=view)
    return request_detail(request, pk, resolve_form=form, status=409, conflict=view)
