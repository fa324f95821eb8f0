"""Company requests (企业诉求) in the pipeline API: list and read what the caller may see
(those of its projects), raise one on a project, escalate and resolve it. Validation goes
through the web forms so both refuse the same; errors use the shared shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja.pagination import paginate
from ninja.responses import Status

from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.concurrency import Conflict, conflict_error
from luodi.errors import Pagination, invalid, require_perm
from luodi.pipeline.api import _project, _raise_validation, router
from luodi.pipeline.domain import requests as domain
from luodi.pipeline.models import CompanyRequest
from luodi.pipeline.queries import filter_requests
from luodi.pipeline.request_forms import RequestFilter, RequestForm
from luodi.pipeline.rules import requests_visible_to
from luodi.pipeline.schemas import CompanyRequestIn, EscalateIn, RequestOut, ResolveIn


def _requests(request: HttpRequest) -> QuerySet[CompanyRequest]:
    return requests_visible_to(request.user)


@router.get("/requests", response=list[RequestOut])
@paginate(Pagination)
def list_requests(
    request: HttpRequest,
    status: str = "",
    category: str = "",
    park: int | None = None,
    overdue: bool = False,
) -> QuerySet[CompanyRequest]:
    """Requests of the caller's projects; by default those not resolved (`status=all` for
    every one)."""
    form = RequestFilter(
        {"status": status, "category": category, "park": park or "", "overdue": overdue},
        user=request.user,
    )
    if not form.is_valid():
        raise invalid(form.errors)
    return filter_requests(_requests(request), form.cleaned_data).order_by("due_date", "id")


@router.get("/requests/{request_id}", response=RequestOut)
def get_request(request: HttpRequest, request_id: int) -> CompanyRequest:
    return get_object_or_404(_requests(request), pk=request_id)


@router.post("/projects/{project_id}/requests", response={201: RequestOut})
def raise_request(request: HttpRequest, project_id: int, payload: CompanyRequestIn) -> Status[Any]:
    """Record a company request; its owner gets a follow-up task due on the due date."""
    project = _project(request, project_id)
    require_perm(request, "pipeline.raise_request", project)
    data = {
        "category": payload.category,
        "title": payload.title,
        "details": payload.details,
        "owner": payload.owner_id,
        "due_date": payload.due_date,
        "visit": payload.visit_id or "",
        "meeting": payload.meeting_id or "",
    }
    form = RequestForm(data, user=request.user, project=project)
    if not form.is_valid():
        raise invalid(form.errors)
    clean = form.cleaned_data
    try:
        req = domain.raise_request(
            actor=request_user(request),
            project=project,
            owner=clean["owner"],
            values={k: clean.get(k) for k in domain.REQUEST_FIELDS if k != "raised_on"},
            ip=audit.client_ip(request),
        )
    except ValidationError as exc:
        raise _raise_validation(exc) from None
    return Status(201, req)


def _handle(request: HttpRequest, request_id: int, act: Callable[[CompanyRequest], Any]) -> Any:
    req = get_object_or_404(_requests(request), pk=request_id)
    require_perm(request, "pipeline.handle_request", req)
    try:
        return act(req)
    except Conflict as exc:
        raise conflict_error(exc, []) from None
    except ValidationError as exc:
        raise _raise_validation(exc) from None


@router.post("/requests/{request_id}/escalate", response=RequestOut)
def escalate_request(request: HttpRequest, request_id: int, payload: EscalateIn) -> Any:
    return _handle(
        request,
        request_id,
        lambda req: domain.escalate(
            actor=request_user(request),
            request=req,
            to=payload.to,
            expected_version=payload.version,
            ip=audit.client_ip(request),
        ),
    )


@router.post("/requests/{request_id}/resolve", response=RequestOut)
def resolve_request(request: HttpRequest, request_id: int, payload: ResolveIn) -> Any:
    return _handle(
        request,
        request_id,
        lambda req: domain.resolve(
            actor=request_user(request),
            request=req,
            resolution=payload.resolution,
            satisfaction=payload.satisfaction,
            expected_version=payload.version,
            ip=audit.client_ip(request),
        ),
    )
