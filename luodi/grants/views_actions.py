"""The moves of a grant (start the notice, record an objection, grant, withdraw), its
documents (upload; download only as an attachment after the permission check) and the
evidence file of an achievement's grants (ZIP, or the summary as .xlsx).

A move posted by htmx answers the grant's panel again (status, checklist, moves), with
what was done or why it was refused; without htmx it redirects to the grant's page with
the same words as a message, so a reload never posts twice."""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from luodi import downloads, sheets
from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.concurrency import Conflict, parse_token
from luodi.grants import domain, evidence, rules
from luodi.grants.forms import DocumentForm, GrantOutcomeForm, ObjectionForm, WithdrawForm
from luodi.grants.models import Grant
from luodi.grants.views import get_grant, panel_context
from luodi.htmx import is_htmx

PERM = "grants.keep_grant"


def _version(request: HttpRequest) -> int | None:
    """The version the page was rendered from (a hidden field); None when not sent."""
    try:
        return parse_token(request.POST.get("version"))
    except ValueError:
        return None


def _messages_of(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _answer(
    request: HttpRequest,
    grant: Grant,
    *,
    done: str = "",
    error: str = "",
    forms_in: dict[str, forms.Form] | None = None,
) -> HttpResponse:
    """htmx: the panel again; otherwise back to the grant's page with a message."""
    if is_htmx(request):
        fresh = Grant.objects.select_related("institution").get(pk=grant.pk)
        context = panel_context(request, fresh, done=done, error=error, forms_in=forms_in)
        return render(request, "grants/_panel.html", context, status=400 if error else 200)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect("grants:detail", pk=grant.pk)


def _move(request: HttpRequest, grant: Grant, call: Any, done: str, **kwargs: Any) -> HttpResponse:
    try:
        call(
            actor=request_user(request),
            grant=grant,
            expected_version=_version(request),
            ip=audit.client_ip(request),
            **kwargs,
        )
    except Conflict:
        error = _("Not done: someone else changed this grant after you opened it. Look again.")
        return _answer(request, grant, error=error)
    except ValidationError as exc:
        return _answer(request, grant, error=_messages_of(exc))
    return _answer(request, grant, done=done)


@require_POST
def start_notice(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_grant(request, pk, PERM)
    return _move(request, grant, domain.start_notice, _("The public notice has started."))


@require_POST
def objection(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_grant(request, pk, PERM)
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        return _answer(
            request, grant, error=_("Write the objection received."), forms_in={"objection": form}
        )
    text = form.cleaned_data["objection"]
    return _move(request, grant, domain.record_objection, _("Objection recorded."), text=text)


@require_POST
def confer(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_grant(request, pk, PERM)
    form = GrantOutcomeForm(request.POST)
    outcome = form.cleaned_data.get("outcome", "") if form.is_valid() else ""
    return _move(request, grant, domain.grant_rights, _("Granted."), outcome=outcome)


@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_grant(request, pk, PERM)
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data.get("reason", "") if form.is_valid() else ""
    return _move(request, grant, domain.withdraw, _("Withdrawn."), reason=reason)


# -- documents ----------------------------------------------------------------------------------


@require_POST
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_grant(request, pk, PERM)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            domain.upload_document(
                actor=request_user(request),
                grant=grant,
                upload=form.cleaned_data["file"],
                doc_type=form.cleaned_data["doc_type"],
                ip=audit.client_ip(request),
            )
        except ValidationError as exc:
            return _answer(request, grant, error=_messages_of(exc))
        return _answer(request, grant, done=_("Document uploaded."))
    errors = [str(e) for field in form.errors.values() for e in field]
    return _answer(request, grant, error=" ".join(errors), forms_in={"document": form})


@require_safe
def document_download(request: HttpRequest, document_id: int) -> FileResponse:
    """Always a download, never rendered: attachment disposition, the stored (checked)
    content type, nosniff and a sandboxing CSP."""
    doc = get_object_or_404(rules.documents_visible_to(request.user), pk=document_id)
    return downloads.attachment(doc.file.open("rb"), doc.original_name, doc.content_type)


# -- the evidence file --------------------------------------------------------------------------


def evidence_of(request: HttpRequest, achievement_id: int) -> tuple[str, list[evidence.Entry]]:
    """The title and the grants of one achievement the user may see (404 when none)."""
    grants = list(
        rules.grants_visible_to(request.user)
        .filter(achievement_id=achievement_id)
        .select_related("institution")
        .order_by("pk")
    )
    if not grants:
        raise Http404
    rows = evidence.entries(request.user, grants)
    return evidence.achievement_label(rows[0].links), rows


@require_safe
def evidence_zip(request: HttpRequest, achievement_id: int) -> FileResponse:
    title, rows = evidence_of(request, achievement_id)
    content = evidence.archive(title, rows, timezone.localdate())
    audit.record(
        actor=request_user(request),
        verb="grant.export",
        target=rows[0].grant,
        changes={"achievement": achievement_id, "grants": [r.grant.pk for r in rows]},
        ip=audit.client_ip(request),
    )
    name = f"grants-evidence-{achievement_id}.zip"
    return downloads.attachment(io.BytesIO(content), name, "application/zip")


@require_safe
def evidence_xlsx(request: HttpRequest, achievement_id: int) -> HttpResponse:
    _title, rows = evidence_of(request, achievement_id)
    return sheets.attachment(evidence.workbook(rows), f"grants-{achievement_id}.xlsx")
