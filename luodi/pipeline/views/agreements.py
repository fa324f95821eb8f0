"""Agreements, their obligations and documents, and the landing record."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from luodi import concurrency
from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.accounts.rules import org_ids
from luodi.downloads import attachment
from luodi.pipeline.choices import ObligationStatus
from luodi.pipeline.domain import agreements as domain
from luodi.pipeline.domain.landing import LANDING_FIELDS, record_landing
from luodi.pipeline.forms import AgreementForm, DocumentForm, LandingForm, ObligationForm
from luodi.pipeline.models import Agreement, Project
from luodi.pipeline.rules import documents_visible_to, obligations_visible_to
from luodi.pipeline.views.common import get_agreement, get_project, require


def _errors(form: Form) -> list[str]:
    return [str(e) for errors in form.errors.values() for e in errors]


@require_http_methods(["GET", "POST"])
def agreement_edit(request: HttpRequest, pk: int, agreement_id: int | None = None) -> HttpResponse:
    """A project's agreement: new, or edited at the project's address."""
    project = get_project(request, pk, "pipeline.manage_agreements")
    agreement = get_agreement(request, agreement_id) if agreement_id else None
    if agreement is not None and agreement.project_id != project.pk:
        return redirect("pipeline:detail", pk=pk)
    return _edit(request, project, agreement)


@require_http_methods(["GET", "POST"])
def organization_agreement_new(request: HttpRequest) -> HttpResponse:
    """An agreement between organizations; `?party=<id>` (from an organization's page)
    names the first party."""
    require(request, "pipeline.manage_agreements")
    party = request.GET.get("party", "")
    # The association side is usually the user's own organization.
    initial = [int(party)] if party.isdigit() else []
    initial += [i for i in sorted(org_ids(request.user)) if i not in initial]
    return _edit(request, None, None, initial)


@require_http_methods(["GET", "POST"])
def agreement_change(request: HttpRequest, agreement_id: int) -> HttpResponse:
    """Any agreement edited at its own address (a project's one at the project's)."""
    agreement = get_agreement(request, agreement_id, "pipeline.manage_agreements")
    if agreement.project_id is not None:
        return redirect(
            "pipeline:agreement-edit", pk=agreement.project_id, agreement_id=agreement.pk
        )
    return _edit(request, None, agreement)


def _edit(
    request: HttpRequest,
    project: Project | None,
    agreement: Agreement | None,
    initial_parties: list[int] | None = None,
) -> HttpResponse:
    # A copy for the form (it writes posted values into its instance while validating).
    form_instance = Agreement.objects.get(pk=agreement.pk) if agreement else None
    form = AgreementForm(
        request.POST or None,
        instance=form_instance,
        user=request.user,
        project=project,
        initial_parties=initial_parties,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {k: data[k] for k in domain.AGREEMENT_FIELDS if k in data}
        saved = agreement

        def rebase() -> tuple[AgreementForm, Agreement]:
            assert agreement is not None  # only a saved agreement has a version
            fresh = get_agreement(request, agreement.pk)
            return AgreementForm(instance=fresh, user=request.user, project=project), fresh

        with concurrency.form_refusals(form, rebase=rebase) as outcome:
            if agreement is None:
                saved = domain.create_agreement(
                    actor=request_user(request),
                    project=project,
                    values=values,
                    parties=data.get("parties") or [],
                    related_projects=data.get("related_projects") or [],
                    ip=audit.client_ip(request),
                )
                messages.success(request, _("Agreement recorded."))
            else:
                domain.update_agreement(
                    actor=request_user(request),
                    agreement=agreement,
                    values=values,
                    parties=data.get("parties"),
                    related_projects=data.get("related_projects"),
                    expected_version=form.expected_version,
                    ip=audit.client_ip(request),
                )
                messages.success(request, _("Saved."))
        if outcome.ok:
            assert saved is not None
            return redirect(_back(saved))
        if outcome.conflict is not None:
            return _agreement_page(request, form, project, agreement, 409, outcome.conflict)
    status = 400 if request.method == "POST" else 200
    return _agreement_page(request, form, project, agreement, status)


def _back(agreement: Agreement) -> str:
    """Where an agreement is shown: in its project, or on its own page."""
    if agreement.project_id is not None:
        return reverse("pipeline:detail", args=[agreement.project_id])
    return reverse("pipeline:agreement", args=[agreement.pk])


def _agreement_page(
    request: HttpRequest,
    form: AgreementForm,
    project: Project | None,
    agreement: Agreement | None,
    status: int,
    conflict: concurrency.ConflictView | None = None,
) -> HttpResponse:
    if agreement is not None:
        heading = _("Edit agreement")
    elif project is None:
        heading = _("New agreement between organizations")
    else:
        heading = _("New agreement")
    context = {
        "form": form,
        "project": project,
        "agreement": agreement,
        "heading": heading,
        "conflict": conflict,
        "cancel_url": _back(agreement) if agreement else None,
    }
    return render(request, "pipeline/form.html", context, status=status)


@require_POST
def obligation_add(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = get_agreement(request, agreement_id, "pipeline.manage_agreements")
    form = ObligationForm(request.POST, agreement=agreement)
    if form.is_valid():
        data = form.cleaned_data
        try:
            domain.add_obligation(
                actor=request_user(request),
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
            return redirect(_back(agreement))
    else:
        for error in _errors(form):
            messages.error(request, error)
    return redirect(_back(agreement))


@require_POST
def obligation_status(request: HttpRequest, obligation_id: int) -> HttpResponse:
    obligation = get_object_or_404(
        obligations_visible_to(request.user).select_related("agreement__project"), pk=obligation_id
    )
    get_agreement(request, obligation.agreement_id, "pipeline.manage_agreements")
    status = request.POST.get("status", "")
    if status in ObligationStatus.values:
        domain.set_obligation_status(
            actor=request_user(request),
            obligation=obligation,
            status=status,
            ip=audit.client_ip(request),
        )
        messages.success(request, _("Obligation updated."))
    return redirect(_back(obligation.agreement))


@require_POST
def document_upload(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = get_agreement(request, agreement_id, "pipeline.manage_agreements")
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        domain.upload_document(
            actor=request_user(request),
            agreement=agreement,
            upload=form.cleaned_data["file"],
            doc_type=form.cleaned_data["doc_type"],
            ip=audit.client_ip(request),
        )
        messages.success(request, _("Document uploaded."))
    else:
        for error in _errors(form):
            messages.error(request, error)
    return redirect(_back(agreement))


def document_download(request: HttpRequest, document_id: int) -> FileResponse:
    """Always a download, never rendered: attachment disposition, the stored (checked)
    content type, nosniff and a sandboxing CSP."""
    doc = get_object_or_404(documents_visible_to(request.user), pk=document_id)
    return attachment(doc.file.open("rb"), doc.original_name, doc.content_type)


@require_http_methods(["GET", "POST"])
def landing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project(request, pk, "pipeline.record_landing")
    current = getattr(project, "landing", None)
    initial = {} if current else {"park": project.target_park_id}
    form = LandingForm(request.POST or None, instance=current, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        values = {k: form.cleaned_data[k] for k in LANDING_FIELDS if k in form.cleaned_data}
        record_landing(
            actor=request_user(request), project=project, values=values, ip=audit.client_ip(request)
        )
        messages.success(request, _("Landing recorded."))
        return redirect("pipeline:detail", pk=pk)
    return render(
        request,
        "pipeline/form.html",
        {"form": form, "project": project, "heading": _("Landing record")},
        status=400 if request.method == "POST" else 200,
    )
