"""Agreements, their obligations and documents, and the landing record."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from luodi import concurrency
from luodi.accounts import audit
from luodi.concurrency import Conflict
from luodi.pipeline.choices import ObligationStatus
from luodi.pipeline.domain import agreements as domain
from luodi.pipeline.domain.landing import LANDING_FIELDS, record_landing
from luodi.pipeline.forms import AgreementForm, DocumentForm, LandingForm, ObligationForm
from luodi.pipeline.models import Agreement, Project
from luodi.pipeline.rules import documents_visible_to, obligations_visible_to
from luodi.pipeline.views.common import get_agreement, get_project, user_of


def _errors(form: Form) -> list[str]:
    return [str(e) for errors in form.errors.values() for e in errors]


@require_http_methods(["GET", "POST"])
def agreement_edit(request: HttpRequest, pk: int, agreement_id: int | None = None) -> HttpResponse:
    project = get_project(request, pk, "pipeline.manage_agreements")
    agreement = get_agreement(request, agreement_id) if agreement_id else None
    if agreement is not None and agreement.project_id != project.pk:
        return redirect("pipeline:detail", pk=pk)
    # A copy for the form (it writes posted values into its instance while validating).
    form_instance = Agreement.objects.get(pk=agreement.pk) if agreement else None
    form = AgreementForm(
        request.POST or None, instance=form_instance, user=request.user, project=project
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {k: data[k] for k in domain.AGREEMENT_FIELDS if k in data}
        if agreement is None:
            domain.create_agreement(
                actor=user_of(request),
                project=project,
                values=values,
                parties=data.get("parties") or [],
                ip=audit.client_ip(request),
            )
            messages.success(request, _("Agreement recorded."))
        else:
            try:
                domain.update_agreement(
                    actor=user_of(request),
                    agreement=agreement,
                    values=values,
                    parties=data.get("parties"),
                    expected_version=form.expected_version,
                    ip=audit.client_ip(request),
                )
            except Conflict as exc:
                fresh = get_agreement(request, agreement.pk)
                current = AgreementForm(instance=fresh, user=request.user, project=project)
                conflict = concurrency.refuse(form, current, exc, fresh)
                return _agreement_page(request, form, project, True, 409, conflict)
            messages.success(request, _("Saved."))
        return redirect("pipeline:detail", pk=pk)
    status = 400 if request.method == "POST" else 200
    return _agreement_page(request, form, project, agreement is not None, status)


def _agreement_page(
    request: HttpRequest,
    form: AgreementForm,
    project: Project,
    editing: bool,
    status: int,
    conflict: concurrency.ConflictView | None = None,
) -> HttpResponse:
    heading = _("Edit agreement") if editing else _("New agreement")
    context = {"form": form, "project": project, "heading": heading, "conflict": conflict}
    return render(request, "pipeline/form.html", context, status=status)


@require_POST
def obligation_add(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = get_agreement(request, agreement_id, "pipeline.manage_agreements")
    form = ObligationForm(request.POST, project=agreement.project)
    if form.is_valid():
        data = form.cleaned_data
        try:
            domain.add_obligation(
                actor=user_of(request),
                agreement=agreement,
                kind=data["kind"],
                description=data["description"],
                due_date=data["due_date"],
                trigger=data["trigger"] or "",
                responsible=data["responsible"],
                amount_wan=data["amount_wan"],
                ip=audit.client_ip(request),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Obligation added.")
                + (
                    " "
                    + _("A follow-up task was created for %(who)s.") % {"who": data["responsible"]}
                    if data["responsible"]
                    else ""
                ),
            )
            return redirect("pipeline:detail", pk=agreement.project_id)
    else:
        for error in _errors(form):
            messages.error(request, error)
    return redirect("pipeline:detail", pk=agreement.project_id)


@require_POST
def obligation_status(request: HttpRequest, obligation_id: int) -> HttpResponse:
    obligation = get_object_or_404(
        obligations_visible_to(request.user).select_related("agreement__project"), pk=obligation_id
    )
    get_project(request, obligation.agreement.project_id, "pipeline.manage_agreements")
    status = request.POST.get("status", "")
    if status in ObligationStatus.values:
        domain.set_obligation_status(
            actor=user_of(request),
            obligation=obligation,
            status=status,
            ip=audit.client_ip(request),
        )
        messages.success(request, _("Obligation updated."))
    return redirect("pipeline:detail", pk=obligation.agreement.project_id)


@require_POST
def document_upload(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = get_agreement(request, agreement_id, "pipeline.manage_agreements")
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        domain.upload_document(
            actor=user_of(request),
            agreement=agreement,
            upload=form.cleaned_data["file"],
            doc_type=form.cleaned_data["doc_type"],
            ip=audit.client_ip(request),
        )
        messages.success(request, _("Document uploaded."))
    else:
        for error in _errors(form):
            messages.error(request, error)
    return redirect("pipeline:detail", pk=agreement.project_id)


def document_download(request: HttpRequest, document_id: int) -> FileResponse:
    """Always a download, never rendered: attachment disposition, the stored (checked)
    content type, nosniff and a sandboxing CSP."""
    doc = get_object_or_404(documents_visible_to(request.user), pk=document_id)
    response = FileResponse(
        doc.file.open("rb"),
        as_attachment=True,
        filename=doc.original_name,
        content_type=doc.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def landing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project(request, pk, "pipeline.record_landing")
    current = getattr(project, "landing", None)
    initial = {} if current else {"park": project.target_park_id}
    form = LandingForm(request.POST or None, instance=current, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        values = {k: form.cleaned_data[k] for k in LANDING_FIELDS if k in form.cleaned_data}
        record_landing(
            actor=user_of(request), project=project, values=values, ip=audit.client_ip(request)
        )
        messages.success(request, _("Landing recorded."))
        return redirect("pipeline:detail", pk=pk)
    return render(
        request,
        "pipeline/form.html",
        {"form": form, "project": project, "heading": _("Landing record")},
        status=400 if request.method == "POST" else 200,
    )
