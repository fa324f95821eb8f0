"""Company requests (企业诉求) in the pipeline API: list and read what the caller may see
(those of its projects), raise one on a project, escalate and resolve it. Validation goes
through the web forms so both refuse the same; errors use the shared shape."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field

from luodi.accounts import audit
from luodi.concurrency import Conflict, conflict_error
from luodi.control_chars import InputSchema
from luodi.errors import ApiError, Pagination
from luodi.pipeline.api import _need, _project, _raise_validation, _user, router
from luodi.pipeline.domain import requests as domain
from luodi.pipeline.models import CompanyRequest, RequestCategory
from luodi.pipeline.request_forms import RequestFilter, RequestForm
from luodi.pipeline.rules import requests_visible_to
from luodi.pipeline.views.requests import filter_requests


class RequestOut(Schema):
    id: int
    project_id: int
    category: str
    title: str
    details: str
    raised_on: date
    owner_id: int
    due_date: date
    status: str
    overdue: bool
    escalated_to: str
    escalated_at: datetime | None
    resolution: str
    resolved_at: datetime | None
    satisfaction: int | None
    visit_id: int | None
    task_id: int | None
    version: int

    @staticmethod
    def resolve_overdue(obj: CompanyRequest) -> bool:
        return obj.is_overdue


class RequestIn(InputSchema):
    category: RequestCategory
    title: str = Field(min_length=1, max_length=255)
    details: str = ""
    owner_id: int = Field(description="Staff, or a member of one of the project's parties.")
    due_date: date
    visit_id: int | None = Field(None, description="The visit where it was raised.")


class EscalateIn(InputSchema):
    to: str = Field(min_length=1, max_length=200, description="Who it was escalated to.")
    version: int | None = None


class ResolveIn(InputSchema):
    resolution: str = Field(min_length=1, description="How it was resolved.")
    satisfaction: int | None = Field(None, ge=1, le=5, description="The company's, 1 to 5.")
    version: int | None = None


def _requests(request: HttpRequest) -> QuerySet[CompanyRequest]:
    return requests_visible_to(request.user)


def _form_error(form: Any) -> ApiError:
    fields = {k: [str(m) for m in v] for k, v in form.errors.items()}
    return ApiError(422, "invalid", "The request has invalid fields.", fields)


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
        raise _form_error(form)
    return filter_requests(_requests(request), form.cleaned_data).order_by("due_date", "id")


@router.get("/requests/{request_id}", response=RequestOut)
def get_request(request: HttpRequest, request_id: int) -> CompanyRequest:
    return get_object_or_404(_requests(request), pk=request_id)


@router.post("/projects/{project_id}/requests", response={201: RequestOut})
def raise_request(request: HttpRequest, project_id: int, payload: RequestIn) -> Status[Any]:
    """Record a company request; its owner gets a follow-up task due on the due date."""
    project = _project(request, project_id)
    _need(request, "pipeline.raise_request", project)
    data = {
        "category": payload.category,
        "title": payload.title,
        "details": payload.details,
        "owner": payload.owner_id,
        "due_date": payload.due_date,
        "visit": payload.visit_id or "",
    }
    form = RequestForm(data, user=request.user, project=project)
    if not form.is_valid():
        raise _form_error(form)
    clean = form.cleaned_data
    try:
        req = domain.raise_request(
            actor=_user(request),
            project=project,
            owner=clean["owner"],
            values={k: clean.get(k) for k in domain.REQUEST_FIELDS if k != "raised_on"},
            ip=audit.client_ip(request),
        )
    except ValidationError as exc:
        raise _raise_validation(exc) from None
    return Status(201, req)


@router.post("/requests/{request_id}/escalate", response=RequestOut)
def escalate_request(request: HttpRequest, request_id: int, payload: EscalateIn) -> Any:
    req = get_object_or_404(_requests(request), pk=request_id)
    _need(request, "pipeline.handle_request", req)
    try:
        return domain.escalate(
            actor=_user(request),
            request=req,
            to=payload.to,
            expected_version=payload.version,
            ip=audit.client_ip(request),
        )
    except Conflict as exc:
        raise conflict_error(exc, []) from None
    except ValidationError as exc:
        raise _raise_validation(exc) from None


@router.post("/requests/{request_id}/resolve", response=RequestOut)
def resolve_request(request: HttpRequest, request_id: int, payload: ResolveIn) -> Any:
    req = get_object_or_404(_requests(request), pk=request_id)
    _need(request, "pipeline.handle_request", req)
    try:
        return domain.resolve(
            actor=_user(request),
            request=req,
            resolution=payload.resolution,
            satisfaction=payload.satisfaction,
            expected_version=payload.version,
            ip=audit.client_ip(request),
        )
    except Conflict as exc:
        raise conflict_error(exc, []) from None
    except ValidationError as exc:
        raise _raise_validation(exc) from None
