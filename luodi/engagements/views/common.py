"""Helpers shared by the engagement views: the acting user, the visible object, the edit
page of a visit, meeting or event."""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from luodi import concurrency
from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.engagements.domain import records
from luodi.engagements.forms import UserForm

M = TypeVar("M", bound=Model)


def actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def ip(request: HttpRequest) -> str | None:
    return audit.client_ip(request)


def visible(qs: QuerySet[M], pk: int) -> M:
    """The object if the user may see it; 404 otherwise, so existence is never confirmed."""
    return get_object_or_404(qs, pk=pk)


def require(request: HttpRequest, perm: str, obj: Any = None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


def list_page(request: HttpRequest, qs: QuerySet[Any], template: str) -> HttpResponse:
    """A record list, 25 to a page, with the add button for those who may add."""
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    can_add = request.user.has_perm("engagements.add_engagement")
    return render(request, template, {"page": page, "can_add": can_add})


def confirmed(request: HttpRequest) -> bool:
    """A destructive action runs only from its confirmation page (a POST carrying
    `confirm=1`); a plain link or an old one-click form lands on that page first. Server-side,
    as the project's CSP allows no inline script for a browser confirm()."""
    return request.method == "POST" and request.POST.get("confirm") == "1"


def confirm_page(
    request: HttpRequest, *, question: str, detail: str, button: str, back: str
) -> HttpResponse:
    """The page asking to confirm a removal or cancellation; its form posts back here."""
    return render(
        request,
        "engagements/confirm.html",
        {"question": question, "detail": detail, "button": button, "back": back},
    )


def edit_page(
    request: HttpRequest, form: UserForm, obj: records.Record | None, title: str, detail: str
) -> HttpResponse:
    """The create/edit page of a visit, meeting or event: a valid POST saves (audited, with
    its many-to-many links) and goes to the `detail` page; an invalid one re-renders with
    field errors and status 400."""
    if request.method == "POST" and form.is_valid():
        fields = form.plain_fields
        before = {n: getattr(obj, n) for n in fields} if obj else None

        def rebase() -> tuple[UserForm, Model]:
            assert obj is not None  # only an existing record has a version to conflict with
            fresh = type(obj)._default_manager.get(pk=obj.pk)
            return type(form)(instance=fresh, user=request.user), fresh

        with concurrency.form_refusals(form, rebase=rebase) as outcome:
            saved = records.save(
                actor=actor(request),
                instance=form.save(commit=False),
                fields=fields,
                before=before,
                expected_version=form.expected_version,
                ip=ip(request),
                m2m=form.m2m(),
            )
        if outcome.ok:
            messages.success(request, _("Saved."))
            return redirect(detail, pk=saved.pk)
        context = {"form": form, "obj": outcome.fresh or obj, "title": title}
        return render(
            request,
            "engagements/form.html",
            {**context, "conflict": outcome.conflict},
            status=outcome.status,
        )
    return render(
        request,
        "engagements/form.html",
        {"form": form, "obj": obj, "title": title},
        status=400 if request.method == "POST" else 200,
    )
