"""Review pages: the staff queue (new submissions and proposed changes to published records,
with their diff), the decisions on both, resubmitting a returned record, and a partner's own
submissions. Every move is the table's (`review.py`), written by `domain.py`/`revisions.py`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.catalog import changes, domain, revisions
from luodi.catalog.choices import ReviewStatus
from luodi.catalog.forms import ReturnForm
from luodi.catalog.models import Revision
from luodi.catalog.resources import RESOURCES
from luodi.catalog.review import IllegalTransition
from luodi.catalog.views import _get_visible, _resource, detail_context, revision_row
from luodi.concurrency import Conflict, parse_token


def _require_review(request: HttpRequest) -> None:
    if not request.user.has_perm("catalog.review"):
        raise PermissionDenied


@require_POST
def review_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Approve or return a new submission (pending)."""
    res = _resource(slug)
    obj = _get_visible(request, res, pk)
    _require_review(request)
    ip = audit.client_ip(request)
    try:
        if request.POST.get("decision") == "approve":
            domain.approve(actor=request_user(request), instance=obj, ip=ip)
            messages.success(request, _("Approved and published."))
            return redirect("catalog:review-queue")
        form = ReturnForm(request.POST)
        if not form.is_valid():
            context = detail_context(request, res, obj) | {"return_form": form}
            return render(request, f"catalog/detail_{slug}.html", context, status=400)
        domain.return_with_comments(
            actor=request_user(request), instance=obj, comment=form.cleaned_data["comment"], ip=ip
        )
    except IllegalTransition as exc:
        messages.error(request, exc.message)
        return redirect("catalog:detail", slug=slug, pk=pk)
    messages.success(request, _("Returned to the submitter with your comments."))
    return redirect("catalog:review-queue")


@require_POST
def resubmit_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Send a returned (or draft) record back to the review queue."""
    res = _resource(slug)
    obj = _get_visible(request, res, pk)
    if not res.reviewed or not request.user.has_perm(f"catalog.change_{res.perm_name}", obj):
        raise PermissionDenied
    try:
        domain.submit(actor=request_user(request), instance=obj, ip=audit.client_ip(request))
    except IllegalTransition as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Sent back for review."))
    return redirect("catalog:detail", slug=slug, pk=pk)


@require_POST
def revision_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or return changes a partner proposed to a published record."""
    _require_review(request)
    revision = get_object_or_404(Revision, pk=pk)
    record = revision.record
    if record is None:
        raise PermissionDenied
    slug, page_pk = changes.page_of(record)
    res = _resource(slug)
    page = _get_visible(request, res, page_pk)
    try:
        expected = parse_token(request.POST.get("version"))
    except ValueError:
        expected = 0  # a garbled token never matches: the reviewer is sent back to look again
    ip = audit.client_ip(request)
    try:
        if request.POST.get("decision") == "approve":
            revisions.approve(
                actor=request_user(request), revision=revision, expected_version=expected, ip=ip
            )
            messages.success(request, _("Changes approved and published."))
            return redirect("catalog:review-queue")
        form = ReturnForm(request.POST, auto_id=f"revision{revision.pk}-%s")
        if not form.is_valid():
            context = detail_context(request, res, page)
            for row in context["revisions"]:
                if row["revision"].pk == revision.pk:
                    row["form"] = form
            return render(request, f"catalog/detail_{slug}.html", context, status=400)
        revisions.return_revision(
            actor=request_user(request),
            revision=revision,
            comment=form.cleaned_data["comment"],
            expected_version=expected,
            ip=ip,
        )
    except Conflict:
        messages.error(
            request,
            _(
                "The record or the proposed changes changed after you opened the page. "
                "Nothing was decided; review them again."
            ),
        )
        return redirect("catalog:detail", slug=slug, pk=page_pk)
    except IllegalTransition as exc:
        messages.error(request, exc.message)
        return redirect("catalog:detail", slug=slug, pk=page_pk)
    messages.success(request, _("Changes returned to the partner with your comments."))
    return redirect("catalog:review-queue")


def _pending_revisions(request: HttpRequest) -> list[dict[str, Any]]:
    """Open revisions with their records and diffs (staff see every record)."""
    rows = []
    pending = (
        Revision.objects.filter(state=Revision.State.PENDING)
        .select_related("proposed_by")
        .prefetch_related("record")
        .order_by("updated_at", "id")[:200]
    )
    for revision in pending:
        record = revision.record
        if record is not None:
            diff = changes.changes(revision, record, request.user)
            rows.append(revision_row(revision, record, diff))
    return rows


def review_queue(request: HttpRequest) -> HttpResponse:
    _require_review(request)
    groups = []
    for res in RESOURCES.values():
        if res.reviewed:
            items = list(res.queryset(request.user).filter(status=ReviewStatus.PENDING)[:200])
            groups.append((res, items))
    context = {"groups": groups, "revisions": _pending_revisions(request)}
    return render(request, "catalog/review_queue.html", context)


def my_submissions(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    groups = []
    for res in RESOURCES.values():
        if res.reviewed:
            items = list(
                res.queryset(user)
                .filter(submitted_by=user)
                .exclude(status=ReviewStatus.PUBLISHED)[:200]
            )
            groups.append((res, items))
    proposed = [
        revision_row(revision, revision.record, [])
        for revision in Revision.objects.filter(
            proposed_by=user, state__in=[Revision.State.PENDING, Revision.State.RETURNED]
        ).prefetch_related("record")[:200]
        if revision.record is not None
    ]
    context = {"groups": groups, "proposed": proposed}
    return render(request, "catalog/my_submissions.html", context)
