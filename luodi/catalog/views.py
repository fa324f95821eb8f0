"""Catalog pages: one set of thin views for every object type described in resources.py
(list, detail, edit, archive, profiles); the review queue and its decisions are in
review_views.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from luodi import concurrency
from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.catalog import changes, disclosure, domain, review, revisions
from luodi.catalog.choices import ChainSegment, ReviewStatus
from luodi.catalog.forms import ReturnForm
from luodi.catalog.models import Achievement, Organization, Person, Revision
from luodi.catalog.resources import RESOURCES, Resource
from luodi.catalog.rules import organizations_visible_to
from luodi.htmx import is_htmx


def _resource(slug: str) -> Resource:
    try:
        return RESOURCES[slug]
    except KeyError:
        raise Http404 from None


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

        return export_response(
            res, qs, fmt, actor=request_user(request), ip=audit.client_ip(request)
        )
    # Columns read the rows as the disclosure policy lets this user see them, so a column
    # added later cannot show a withheld field.
    page = Paginator(disclosure.disclosed(qs, request.user), 25).get_page(request.GET.get("page"))
    rows = [(obj, [col.value(disclosure.redacted(obj)) for col in res.columns]) for obj in page]
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


def revision_row(
    revision: Revision, record: Model, diff: list[changes.Change], form: ReturnForm | None = None
) -> dict[str, Any]:
    """One proposal as the pages show it: the diff, the part of the record it changes (a
    profile is named), the staff's return form."""
    slug, pk = changes.page_of(record)
    return {
        "revision": revision,
        "record": record,
        "changes": diff,
        "slug": slug,
        "page_pk": pk,
        "part": record._meta.verbose_name if isinstance(record, revisions.PROFILES) else "",
        "kind": record._meta.verbose_name,
        "form": form or ReturnForm(auto_id=f"revision{revision.pk}-%s"),
    }


def detail_context(request: HttpRequest, res: Resource, obj: Any) -> dict[str, Any]:
    """Everything a record's page shows; shared with the review views that re-render it."""
    user = request.user
    can_edit = user.has_perm(f"catalog.change_{res.perm_name}", obj)
    context: dict[str, Any] = {
        "res": res,
        "obj": obj,
        "can_edit": can_edit,
        "can_review": user.has_perm("catalog.review") and res.reviewed,
        "can_resubmit": can_edit
        and res.reviewed
        and review.allows(review.SUBMIT, user, obj.status),
        "return_form": ReturnForm(),
        "revisions": [
            revision_row(shown.revision, shown.record, shown.changes)
            for shown in changes.shown_revisions(user, obj, can_edit)
        ],
    }
    # The one disclosure policy decides; the templates show a withheld group only under its
    # flag (detail_achievements.html, detail_people.html).
    if isinstance(obj, Achievement):
        context["can_view_dossier"] = disclosure.may_see(user, obj, disclosure.DOSSIER)
    if isinstance(obj, Organization):
        stored = obj.chain_segments if isinstance(obj.chain_segments, list) else []
        context["chain_segments"] = [
            ChainSegment(c).label for c in stored if c in ChainSegment.values
        ]
        visible = organizations_visible_to(user)
        context["group"] = visible.filter(pk=obj.parent_id).first() if obj.parent_id else None
        context["subsidiaries"] = list(
            visible.filter(parent=obj, archived_at__isnull=True).order_by("name_zh", "name_en")
        )
        context["can_agree"] = user.has_perm("pipeline.manage_agreements")
    if isinstance(obj, Person):
        context["can_view_contact"] = disclosure.may_see(user, obj, disclosure.CONTACT)
    return context


def detail_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    res = _resource(slug)
    obj = _get_visible(request, res, pk)
    context = detail_context(request, res, obj)
    if context.get("can_view_dossier") and obj.disclosure != "public":
        # Every view of a withheld dossier is audited (DESIGN §4).
        audit.record(
            actor=request_user(request),
            verb="achievement.view_dossier",
            target=obj,
            ip=audit.client_ip(request),
        )
    return render(request, f"catalog/detail_{slug}.html", context)


def _saved_message(request: HttpRequest, saved: domain.Saved, created: bool) -> None:
    status = getattr(saved.record, "status", None)
    if saved.proposed and saved.revision is not None:
        messages.info(
            request,
            _(
                "Your changes are waiting for review. Until the association staff approve them, "
                "everybody sees the published version."
            ),
        )
    elif saved.proposed:
        messages.info(request, _("Nothing differs from the published version any more."))
    elif created and status == ReviewStatus.PENDING:
        messages.info(request, _("Saved. It waits for review by the association staff."))
    elif not created and status == ReviewStatus.PENDING and "resubmit" in request.POST:
        messages.success(request, _("Saved and sent back for review."))
    else:
        messages.success(request, _("Saved."))


@require_http_methods(["GET", "POST"])
def edit_view(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    res = _resource(slug)
    user = request_user(request)
    obj: Model | None = _get_visible(request, res, pk) if pk else None
    allowed = (
        user.has_perm(f"catalog.change_{res.perm_name}", obj)
        if obj
        else user.has_perm("catalog.add_record")
    )
    if not allowed:
        raise PermissionDenied
    # A partner editing a published record continues the changes already waiting for review.
    proposal = changes.proposal_for(user, obj)
    # Snapshot before validation: a valid ModelForm writes the new values into `obj`.
    before = {name: getattr(obj, name) for name in res.form_fields} if obj else None
    form = res.form(
        request.POST or None, instance=obj, user=user, initial=changes.initial_of(proposal)
    )
    context: dict[str, Any] = {"res": res, "obj": obj}
    if request.method == "POST" and form.is_valid():
        instance = form.save(commit=False)
        m2m = {name: form.cleaned_data[name] for name in res.m2m if name in form.cleaned_data}
        resubmit = obj is not None and "resubmit" in request.POST

        def rebase() -> tuple[forms.BaseForm, Model]:
            fresh = _get_visible(request, res, pk or 0)
            initial = changes.initial_of(changes.proposal_for(user, fresh))
            return res.form(instance=fresh, user=user, initial=initial), fresh

        with concurrency.form_refusals(form, rebase=rebase) as outcome:
            saved = domain.save_record(
                actor=user,
                instance=instance,
                fields=res.form_fields,
                m2m=m2m,
                before=before,
                expected_version=form.expected_version,
                resubmit=resubmit and review.allows(review.SUBMIT, user, instance.status),
                ip=audit.client_ip(request),
            )
        if outcome.ok:
            _saved_message(request, saved, created=obj is None)
            return redirect("catalog:detail", slug=slug, pk=saved.record.pk)
        if outcome.fresh is not None:
            context.update(conflict=outcome.conflict, obj=outcome.fresh)
        return _form_page(request, form, context, status=outcome.status)
    return _form_page(request, form, context, status=400 if request.method == "POST" else 200)


def _form_page(
    request: HttpRequest, form: Any, context: dict[str, Any], status: int
) -> HttpResponse:
    obj, user = context.get("obj"), request.user
    state = obj.status if obj is not None and context["res"].reviewed else None
    context |= {
        "form": form,
        "proposes": state is not None and review.proposes(user, state),
        "can_resubmit": state is not None and review.allows(review.SUBMIT, user, state),
    }
    return render(request, "catalog/form.html", context, status=status)


@require_POST
def archive_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    res = _resource(slug)
    obj = _get_visible(request, res, pk)
    if not request.user.has_perm(f"catalog.archive_{res.perm_name}", obj):
        raise PermissionDenied
    if obj.archived_at:
        domain.restore(actor=request_user(request), instance=obj, ip=audit.client_ip(request))
        messages.success(request, _("Restored."))
    else:
        domain.archive(actor=request_user(request), instance=obj, ip=audit.client_ip(request))
        messages.success(request, _("Archived. It no longer appears in lists."))
    return redirect("catalog:detail", slug=slug, pk=pk)


@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the kind-specific profile (park, clinical center, company/investor) of an org.
    It is part of the organization's record: a partner's edit of a published organization's
    profile waits for review like an edit of the organization itself."""
    from luodi.catalog.profile_forms import M2M_FIELDS, PROFILE_FORMS

    res = _resource("organizations")
    org = _get_visible(request, res, pk)
    if org.kind not in PROFILE_FORMS:
        raise Http404
    if not request.user.has_perm("catalog.change_organization", org):
        raise PermissionDenied
    user = request_user(request)
    form_class, accessor = PROFILE_FORMS[org.kind]
    profile = getattr(org, accessor, None) if hasattr(org, accessor) else None
    if profile is None:
        profile = form_class._meta.model(organization=org)
    fields = [n for n in (form_class._meta.fields or []) if n not in M2M_FIELDS]
    before = {n: getattr(profile, n) for n in fields} if profile.pk else None
    proposal = changes.initial_of(changes.proposal_for(user, profile))
    form = form_class(request.POST or None, instance=profile, initial=proposal)
    context: dict[str, Any] = {
        "org": org,
        "form": form,
        "proposes": review.proposes(user, org.status),
    }
    if request.method == "POST" and form.is_valid():
        instance = form.save(commit=False)
        m2m = {n: form.cleaned_data[n] for n in M2M_FIELDS if n in form.cleaned_data}

        def rebase() -> tuple[forms.BaseForm, Model]:
            fresh = type(profile)._default_manager.get(pk=profile.pk)
            initial = changes.initial_of(changes.proposal_for(user, fresh))
            return form_class(instance=fresh, initial=initial), fresh

        with concurrency.form_refusals(form, rebase=rebase) as outcome:
            saved = domain.save_record(
                actor=user,
                instance=instance,
                fields=fields,
                m2m=m2m,
                before=before,
                expected_version=form.expected_version,
                ip=audit.client_ip(request),
            )
        if outcome.ok:
            _saved_message(request, saved, created=False)
            return redirect("catalog:detail", slug="organizations", pk=org.pk)
        context["conflict"] = outcome.conflict
        return render(request, "catalog/profile_form.html", context, status=outcome.status)
    status = 400 if request.method == "POST" else 200
    return render(request, "catalog/profile_form.html", context, status=status)
