"""Pages of grants (赋权): the list (filtered by institution, status and kind), one grant
with its team, checklist, documents and moves, and the form for a new or edited draft.

Who sees a grant is rules.grants_visible_to (404 otherwise, so a grant is never confirmed to
a viewer or another partner); its achievement and team are read through rules.visible_links
only; a write asks "grants.keep_grant" on the institution or the grant (403). The moves, the
documents and the evidence file are in views_actions.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from luodi import concurrency, money
from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.catalog.models import Organization, Person
from luodi.concurrency import Conflict
from luodi.errors import MAX_ID, add_errors
from luodi.grants import domain, rules
from luodi.grants.checklist import checklist
from luodi.grants.choices import GrantStatus
from luodi.grants.evidence import document_order
from luodi.grants.forms import (
    DocumentForm,
    GrantFilter,
    GrantForm,
    GrantOutcomeForm,
    ObjectionForm,
    WithdrawForm,
    member_formset,
    to_percent,
)
from luodi.grants.models import FULL_BP, Grant, GrantDocument
from luodi.htmx import is_htmx

PER_PAGE = 25


def to_int(value: Any) -> int:
    """An id sent in a form or a query; 0 (no record) for anything else, so a garbled or
    huge one is a 404, never an error of the database."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 0
    return number if 0 < number <= MAX_ID else 0


def get_grant(request: HttpRequest, pk: int, perm: str = "") -> Grant:
    """A grant the user sees (404 otherwise) and, with `perm`, may do that to (403)."""
    found = get_object_or_404(
        rules.grants_visible_to(request.user).select_related("institution"), pk=pk
    )
    if perm and not request.user.has_perm(perm, found):
        raise PermissionDenied
    return found


def _institution(request: HttpRequest, pk: Any, perm: str = "") -> Organization:
    found = rules.institutions_visible_to(request.user).filter(pk=to_int(pk)).first()
    if found is None:
        raise Http404
    if perm and not request.user.has_perm(perm, found):
        raise PermissionDenied
    return found


# -- the list -----------------------------------------------------------------------------------


@require_safe
def grant_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not rules.institutions_visible_to(user).exists():
        raise Http404  # viewers, and partners of no organization: nothing to confirm
    form = GrantFilter(request.GET or None, user=user)
    qs = rules.grants_visible_to(user).select_related("institution")
    filtered = False
    if form.is_valid():
        data = form.cleaned_data
        if data.get("institution"):
            qs = qs.filter(institution=data["institution"])
        for name in ("status", "kind"):
            if data.get(name):
                qs = qs.filter(**{name: data[name]})
        filtered = any(data.values())
    page = Paginator(qs.order_by("-created_at", "-pk"), PER_PAGE).get_page(request.GET.get("page"))
    grants = list(page)
    links = rules.visible_links(user, grants)
    rows = [
        {
            "grant": g,
            "links": links[g.pk],
            "share": domain.percent(g.team_share_bp),
            "value": money.shown(g.valuation_fen),
        }
        for g in grants
    ]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "filtered": filtered,
        "can_add": user.has_perm("grants.keep_grant", None),
    }
    template = "grants/_rows.html" if is_htmx(request) else "grants/list.html"
    return render(request, template, context)


# -- one grant ----------------------------------------------------------------------------------


def panel_context(
    request: HttpRequest,
    grant: Grant,
    *,
    done: str = "",
    error: str = "",
    forms_in: dict[str, forms.Form] | None = None,
) -> dict[str, Any]:
    """What the grant's panel (status, checklist, moves: grants/_panel.html) shows."""
    user = request.user
    links = rules.visible_links(user, [grant])[grant.pk]
    documents = sorted(GrantDocument.objects.filter(grant=grant), key=document_order)
    team_bp = sum(m.share_bp for m in links.members)
    can_keep = user.has_perm("grants.keep_grant", grant)
    given = forms_in or {}
    status = grant.status
    return {
        "grant": grant,
        "links": links,
        "members": [{"line": m, "share": domain.percent(m.share_bp)} for m in links.members],
        "team_share": domain.percent(grant.team_share_bp),
        "kept_share": domain.percent(FULL_BP - grant.team_share_bp),
        "value": money.shown(grant.valuation_fen),
        "documents": documents,
        "checklist": checklist(grant, documents, team_bp),
        "missing": domain.missing_for_notice(grant) if status == GrantStatus.DRAFT else {},
        "can_keep": can_keep,
        "done": done,
        "error": error,
        "objection_form": given.get("objection") or ObjectionForm(),
        "outcome_form": given.get("outcome") or GrantOutcomeForm(),
        "withdraw_form": given.get("withdraw") or WithdrawForm(),
        "document_form": given.get("document") or DocumentForm(),
        "is_draft": status == GrantStatus.DRAFT,
        "on_notice": status == GrantStatus.ON_NOTICE,
        "may_withdraw": status in (GrantStatus.DRAFT, GrantStatus.ON_NOTICE),
        "takes_documents": status != GrantStatus.WITHDRAWN,
    }


@require_safe
def grant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_grant(request, pk)
    return render(request, "grants/detail.html", panel_context(request, grant))


# -- new and edited -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def grant_create(request: HttpRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    pk: Any = source.get("institution")
    if pk is None:  # /grants/new/ typed or bookmarked: the first institution offered
        first = rules.institutions_offered(request.user).first()
        pk = first.pk if first is not None else None
    institution = _institution(request, pk, "grants.keep_grant")
    return _edit(request, institution, None)


@require_http_methods(["GET", "POST"])
def grant_edit(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_grant(request, pk, "grants.keep_grant")
    if grant.status != GrantStatus.DRAFT:
        messages.error(request, _("Only a draft can be edited: the notice has started."))
        return redirect("grants:detail", pk=grant.pk)
    return _edit(request, grant.institution, grant)


def _team_initial(
    request: HttpRequest, grant: Grant | None
) -> tuple[list[dict[str, Any]], list[tuple[Person, int]]]:
    """The rows of the team the user may see, and the members kept as they are (people
    the user may not see: saving never drops or names them)."""
    if grant is None:
        return [], []
    visible = set(rules.people_offered(request.user).values_list("pk", flat=True))
    rows, kept = [], []
    for person, share in domain.members_of(grant):
        if person.pk in visible:
            rows.append({"person": person.pk, "share": to_percent(share)})
        else:
            kept.append((person, share))
    return rows, kept


def _edit(request: HttpRequest, institution: Organization, grant: Grant | None) -> HttpResponse:
    user = request.user
    # A copy for the form: validating writes the posted values into its instance, and the
    # domain compares against the grant as saved.
    instance = Grant.objects.get(pk=grant.pk) if grant else Grant(institution=institution)
    data = request.POST if request.method == "POST" else None
    form = GrantForm(data, instance=instance, user=user, institution=institution)
    initial, kept = _team_initial(request, grant)
    team = member_formset(data, user=user, initial=initial)
    conflict: concurrency.ConflictView | None = None
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid() and team.is_valid():
        try:
            saved = domain.save_grant(
                actor=request_user(request),
                grant=grant,
                values=form.values(),
                members=[*team.members(), *kept],
                expected_version=form.expected_version,
                ip=audit.client_ip(request),
            )
        except Conflict as exc:
            assert grant is not None  # only a saved grant has a version to conflict with
            fresh = Grant.objects.get(pk=grant.pk)
            current = GrantForm(instance=fresh, user=user, institution=institution)
            conflict = concurrency.refuse(form, current, exc, fresh)
            status = 409
        except ValidationError as exc:
            errors = dict(getattr(exc, "error_dict", {}))
            about_team = errors.pop("members", None)
            if about_team:
                team._non_form_errors = team.error_class(
                    [m for e in about_team for m in e.messages]
                )
            if errors:
                add_errors(form, ValidationError(errors))
            elif not hasattr(exc, "error_dict"):
                form.add_error(None, exc)
        else:
            messages.success(request, _("Grant saved."))
            return redirect("grants:detail", pk=saved.pk)
    context = {
        "form": form,
        "team": team,
        "kept": kept,
        "grant": grant,
        "institution": institution,
        "institutions": rules.institutions_offered(user) if grant is None else None,
        "conflict": conflict,
        "heading": _("Edit grant") if grant else _("New grant"),
    }
    return render(request, "grants/form.html", context, status=status)
