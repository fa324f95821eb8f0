"""Catalog pages: one set of thin views for every object type described in resources.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.catalog import domain
from luodi.catalog.choices import ChainSegment, ReviewStatus
from luodi.catalog.forms import ReturnForm
from luodi.catalog.models import Achievement, Organization
from luodi.catalog.resources import RESOURCES, Resource
from luodi.web.htmx import is_htmx


def _resource(slug: str) -> Resource:
    try:
        return RESOURCES[slug]
    except KeyError:
        raise Http404 from None


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _get_visible(request: HttpRequest, res: Resource, pk: int) -> Any:
    """The object if the user may see it; 404 otherwise, so existence is never confirmed."""
    return get_object_or_404(res.queryset(request.user), pk=pk)


def _query_without(request: HttpRequest, drop: set[str]) -> str:
    params = request.GET.copy()
    for key in drop:
        params.pop(key, None)
    return params.urlencode()


def list_view(request: HttpRequest, slug: str) -> HttpResponse:
    res = _resource(slug)
    form = res.filter_form(request.GET or None)
    qs = (
        form.apply(res.queryset(request.user))
        if request.GET
        else res.queryset(request.user).filter(archived_at__isnull=True)
    )
    fmt = request.GET.get("export")
    if fmt in {"csv", "xlsx"}:
        from luodi.catalog.exports import export_response

        return export_response(res, qs, fmt, actor=_user(request), ip=audit.client_ip(request))
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    rows = [(obj, [col.value(obj) for col in res.columns]) for obj in page]
    context = {
        "res": res,
        "form": form,
        "page": page,
        "rows": rows,
        "can_add": request.user.has_perm("catalog.add_record"),
        "query": _query_without(request, {"page", "export"}),
    }
    template = "catalog/_list_rows.html" if is_htmx(request) else "catalog/list.html"
    return render(request, template, context)


def detail_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    res = _resource(slug)
    obj = _get_visible(request, res, pk)
    context: dict[str, Any] = {
        "res": res,
        "obj": obj,
        "can_edit": request.user.has_perm(f"catalog.change_{res.perm_name}", obj),
        "can_review": request.user.has_perm("catalog.review") and res.reviewed,
        "return_form": ReturnForm(),
    }
    if isinstance(obj, Achievement):
        context["can_view_dossier"] = request.user.has_perm("catalog.view_dossier", obj)
        if context["can_view_dossier"] and obj.disclosure != "public":
            # Every view of a withheld dossier is audited (DESIGN §4).
            audit.record(
                actor=_user(request),
                verb="achievement.view_dossier",
                target=obj,
                ip=audit.client_ip(request),
            )
    if isinstance(obj, Organization):
        stored = obj.chain_segments if isinstance(obj.chain_segments, list) else []
        context["chain_segments"] = [
            ChainSegment(c).label for c in stored if c in ChainSegment.values
        ]
    if slug == "people":
        context["can_view_contact"] = request.user.has_perm("catalog.view_contact", obj)
    return render(request, f"catalog/detail_{slug}.html", context)


@require_http_methods(["GET", "POST"])
def edit_view(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    res = _resource(slug)
    user = _user(request)
    obj: Model | None = _get_visible(request, res, pk) if pk else None
    allowed = (
        user.has_perm(f"catalog.change_{res.perm_name}", obj)
        if obj
        else user.has_perm("catalog.add_record")
    )
    if not allowed:
        raise PermissionDenied
    # Snapshot before validation: a valid ModelForm writes the new values into `obj`.
    before = {name: getattr(obj, name) for name in res.form_fields} if obj else None
    form = res.form(request.POST or None, instance=obj, user=user)
    if request.method == "POST" and form.is_valid():
        instance = form.save(commit=False)
        m2m = {name: form.cleaned_data[name] for name in res.m2m if name in form.cleaned_data}
        domain.save_record(
            actor=user,
            instance=instance,
            fields=res.form_fields,
            m2m=m2m,
            before=before,
            ip=audit.client_ip(request),
        )
        if getattr(instance, "status", None) == ReviewStatus.PENDING and obj is None:
            messages.info(request, _("Saved. It waits for review by the association staff."))
        else:
            messages.success(request, _("Saved."))
        return redirect("catalog:detail", slug=slug, pk=instance.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "catalog/form.html", {"res": res, "form": form, "obj": obj}, status=status
    )


@require_POST
def archive_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    res = _resource(slug)
    obj = _get_visible(request, res, pk)
    if not request.user.has_perm(f"catalog.archive_{res.perm_name}", obj):
        raise PermissionDenied
    if obj.archived_at:
        domain.restore(actor=_user(request), instance=obj, ip=audit.client_ip(request))
        messages.success(request, _("Restored."))
    else:
        domain.archive(actor=_user(request), instance=obj, ip=audit.client_ip(request))
        messages.success(request, _("Archived. It no longer appears in lists."))
    return redirect("catalog:detail", slug=slug, pk=pk)


@require_POST
def review_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    res = _resource(slug)
    obj = _get_visible(request, res, pk)
    if not request.user.has_perm("catalog.review"):
        raise PermissionDenied
    if request.POST.get("decision") == "approve":
        domain.approve(actor=_user(request), instance=obj, ip=audit.client_ip(request))
        messages.success(request, _("Approved and published."))
        return redirect("catalog:review-queue")
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            f"catalog/detail_{slug}.html",
            {"res": res, "obj": obj, "return_form": form, "can_review": True},
            status=400,
        )
    domain.return_with_comments(
        actor=_user(request),
        instance=obj,
        comment=form.cleaned_data["comment"],
        ip=audit.client_ip(request),
    )
    messages.success(request, _("Returned to the submitter with your comments."))
    return redirect("catalog:review-queue")


def review_queue(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("catalog.review"):
        raise PermissionDenied
    groups = []
    for res in RESOURCES.values():
        if res.reviewed:
            items = list(res.queryset(request.user).filter(status=ReviewStatus.PENDING)[:200])
            groups.append((res, items))
    return render(request, "catalog/review_queue.html", {"groups": groups})


def my_submissions(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    groups = []
    for res in RESOURCES.values():
        if res.reviewed:
            items = list(
                res.queryset(user)
                .filter(submitted_by=user)
                .exclude(status=ReviewStatus.PUBLISHED)[:200]
            )
            groups.append((res, items))
    return render(request, "catalog/my_submissions.html", {"groups": groups})


@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the kind-specific profile (park, clinical center, company/investor) of an org."""
    from luodi.catalog.profile_forms import M2M_FIELDS, PROFILE_FORMS

    res = _resource("organizations")
    org = _get_visible(request, res, pk)
    if org.kind not in PROFILE_FORMS:
        raise Http404
    if not request.user.has_perm("catalog.change_organization", org):
        raise PermissionDenied
    form_class, accessor = PROFILE_FORMS[org.kind]
    profile = getattr(org, accessor, None) if hasattr(org, accessor) else None
    if profile is None:
        profile = form_class._meta.model(organization=org)
    fields = [n for n in (form_class._meta.fields or []) if n not in M2M_FIELDS]
    before = {n: getattr(profile, n) for n in fields} if profile.pk else None
    form = form_class(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        instance = form.save(commit=False)
        m2m = {n: form.cleaned_data[n] for n in M2M_FIELDS if n in form.cleaned_data}
        domain.save_record(
            actor=_user(request),
            instance=instance,
            fields=fields,
            m2m=m2m,
            before=before,
            ip=audit.client_ip(request),
        )
        messages.success(request, _("Saved."))
        return redirect("catalog:detail", slug="organizations", pk=org.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "catalog/profile_form.html", {"org": org, "form": form}, status=status)
