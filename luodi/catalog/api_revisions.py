"""Catalog API: changes partners proposed to published records (`revisions.py`), added to
the catalog router by `api.py` (`register`), so under /api/catalog/revisions.

    GET  /revisions                 pending ones (or `state=`); staff see all, partners those
                                    of their organizations and their own
    GET  /revisions/{id}            with the diff: each field's published and proposed value
    POST /revisions/{id}/approve    staff: apply and publish  (body: optional `version`)
    POST /revisions/{id}/return     staff: drop, with a comment for the partner

A partner's PATCH of a published record answers 202 with the revision it opened or updated.

No `from __future__ import annotations` here: ninja reads a paginated handler's annotations in
its own module, so they must be objects, not strings.
"""

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja.pagination import paginate

from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.catalog import api_schemas as s
from luodi.catalog import revisions
from luodi.catalog.forms import ReturnForm
from luodi.catalog.models import Revision
from luodi.catalog.review import IllegalTransition
from luodi.catalog.rules import revisions_visible_to
from luodi.concurrency import Conflict, conflict_error
from luodi.errors import ApiError, Pagination, require_perm


def illegal(exc: IllegalTransition) -> ApiError:
    return ApiError(409, "illegal_transition", exc.message)


def _visible(request: HttpRequest) -> QuerySet[Revision]:
    return revisions_visible_to(request.user).select_related("proposed_by")


@paginate(Pagination)
def list_revisions(request: HttpRequest, filters: Query[s.RevisionFilter]) -> QuerySet[Revision]:
    rows = _visible(request).filter(state=filters.state).prefetch_related("record")
    return rows.order_by("updated_at", "id")


def get_revision(request: HttpRequest, pk: int) -> Revision:
    return get_object_or_404(_visible(request), pk=pk)


def _decide(request: HttpRequest, pk: int) -> Revision:
    revision = get_object_or_404(_visible(request), pk=pk)
    require_perm(request, "catalog.review")
    return revision


def approve_revision(
    request: HttpRequest, pk: int, payload: s.DecisionIn | None = None
) -> Revision:
    revision = _decide(request, pk)
    try:
        revision = revisions.approve(
            actor=request_user(request),
            revision=revision,
            expected_version=payload.version if payload else None,
            ip=audit.client_ip(request),
        )
    except Conflict as exc:
        raise conflict_error(exc, []) from None
    except IllegalTransition as exc:
        raise illegal(exc) from None
    return revision


def return_revision(request: HttpRequest, pk: int, payload: s.RevisionReturnIn) -> Revision:
    revision = _decide(request, pk)
    form = ReturnForm({"comment": payload.comment})
    if not form.is_valid():
        fields = {name: [str(m) for m in msgs] for name, msgs in form.errors.items()}
        raise ApiError(422, "invalid", "The request has invalid fields.", fields)
    try:
        revision = revisions.return_revision(
            actor=request_user(request),
            revision=revision,
            comment=form.cleaned_data["comment"],
            expected_version=payload.version,
            ip=audit.client_ip(request),
        )
    except Conflict as exc:
        raise conflict_error(exc, []) from None
    except IllegalTransition as exc:
        raise illegal(exc) from None
    return revision


def register(router: Router) -> None:
    """Add these endpoints to the catalog router (a nested router would be mis-prefixed in
    the OpenAPI document)."""
    item = "/revisions/{int:pk}"
    router.get(
        "/revisions",
        response=list[s.RevisionOut],
        summary="List proposed changes to published records",
        operation_id="catalog_revisions_list",
    )(list_revisions)
    router.get(
        item,
        response=s.RevisionOut,
        summary="Get proposed changes with their diff",
        operation_id="catalog_revisions_detail",
    )(get_revision)
    router.post(
        f"{item}/approve",
        response=s.RevisionOut,
        summary="Approve proposed changes: apply and publish them (staff)",
        operation_id="catalog_revisions_approve",
    )(approve_revision)
    router.post(
        f"{item}/return",
        response=s.RevisionOut,
        summary="Return proposed changes to the partner with comments (staff)",
        operation_id="catalog_revisions_return",
    )(return_revision)
