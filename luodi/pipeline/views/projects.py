"""Project pages: list with filters, create/edit, the project page, notes, archive."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from luodi import concurrency
from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.catalog.models import Achievement, ClinicalNeed
from luodi.htmx import is_htmx
from luodi.pipeline import queries
from luodi.pipeline.choices import ProjectStage, allowed_targets
from luodi.pipeline.domain import projects as domain
from luodi.pipeline.forms import (
    DocumentForm,
    MoveForm,
    NoteForm,
    ObligationForm,
    ProjectFilter,
    ProjectForm,
    TaskForm,
)
from luodi.pipeline.models import Project
from luodi.pipeline.regulatory import step_info
from luodi.pipeline.request_forms import RequestForm
from luodi.pipeline.rules import agreements_visible_to
from luodi.pipeline.views.common import get_project, require


def project_list(request: HttpRequest) -> HttpResponse:
    form = ProjectFilter(request.GET or None, user=request.user)
    qs = queries.project_rows(request.user)
    if form.is_valid():
        qs = queries.filter_projects(qs, form.cleaned_data)
    page = Paginator(qs.order_by("-stage_entered_at", "-id"), 25).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": params.urlencode(),
        "can_add": request.user.has_perm("pipeline.add_project"),
    }
    template = "pipeline/_list_rows.html" if is_htmx(request) else "pipeline/list.html"
    return render(request, template, context)


def render_detail(
    request: HttpRequest,
    pk: int,
    *,
    pending_move: dict[str, Any] | None = None,
    forms: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    try:
        project = queries.project_detail(request.user, pk)
    except Project.DoesNotExist:
        raise Http404 from None
    transitions = list(project.transitions.all())
    agreements = list(project.agreements.all())
    tasks = list(project.tasks.all())
    perm = request.user.has_perm
    forms = forms or {}
    for a in agreements:
        # One form pair per agreement, with ids of their own (labels must stay unique).
        a.obligation_form = ObligationForm(  # type: ignore[attr-defined]
            agreement=a, auto_id=f"ob{a.pk}-%s"
        )
        a.document_form = DocumentForm(auto_id=f"doc{a.pk}-%s")  # type: ignore[attr-defined]
    context = {
        "project": project,
        "spans": queries.stage_spans(transitions),
        "agreements": agreements,
        "frameworks": agreements_visible_to(request.user)
        .filter(related_projects=project)
        .prefetch_related("parties"),
        "tasks": tasks,
        "timeline": queries.timeline(
            project,
            transitions,
            agreements,
            tasks,
            queries.engagement_events(request.user, project),
        ),
        "regulatory": step_info(project.kind, project.regulatory_step),
        "show_achievement": queries.achievement_visible(request.user, project),
        "landing": getattr(project, "landing", None),
        "targets": [
            (s, ProjectStage(s).label) for s in allowed_targets(project.stage, project.paused_from)
        ],
        "pending_move": pending_move,
        "can_edit": perm("pipeline.change_project", project),
        "can_move": perm("pipeline.move_project", project),
        "can_manage": perm("pipeline.manage_agreements", project),
        "can_land": perm("pipeline.record_landing", project),
        "can_add_task": perm("pipeline.add_task", project),
        "can_note": perm("pipeline.add_note", project),
        "move_form": MoveForm(),
        "task_form": forms.get("task") or TaskForm(project=project, auto_id="task-%s"),
        "company_requests": list(project.company_requests.select_related("owner")),
        "can_raise": perm("pipeline.raise_request", project),
        "request_form": forms.get("request")
        or RequestForm(user=request.user, project=project, auto_id="req-%s"),
        "note_form": forms.get("note") or NoteForm(auto_id="note-%s"),
        "failed": forms,
    }
    return render(request, "pipeline/detail.html", context, status=status)


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_detail(request, pk)


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = request_user(request)
    project = get_project(request, pk, "pipeline.change_project") if pk else None
    if project is None:
        require(request, "pipeline.add_project")
    initial: dict[str, Any] = {}
    if project is None and request.GET.get("achievement", "").isdigit():
        initial["achievement"] = int(request.GET["achievement"])
    # The form gets its own copy: a ModelForm writes the posted values into its instance while
    # validating, and the domain must see the old values for the audit entry.
    form_instance = Project.objects.get(pk=project.pk) if project else None
    form = ProjectForm(request.POST or None, instance=form_instance, initial=initial, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ip = audit.client_ip(request)
        if project is None:
            achievement: Achievement | None = data.get("achievement")
            need: ClinicalNeed | None = data.get("clinical_need")
            values = {
                k: data[k] for k in domain.EDITABLE if k in data and k not in ("title", "owner")
            }
            project = domain.create_project(
                actor=user,
                title=data.get("title") or "",
                achievement=achievement,
                clinical_need=need,
                owner=data["owner"],
                clinical_centers=data.get("clinical_centers") or [],
                fields=values,
                ip=ip,
            )
            messages.success(request, _("Project opened as a lead."))
        else:
            values = {k: data[k] for k in domain.EDITABLE if k in data}
            if not values.get("title"):
                values["title"] = project.title
            editing = project

            def rebase() -> tuple[ProjectForm, Project]:
                fresh = get_project(request, editing.pk)
                return ProjectForm(instance=fresh, user=user), fresh

            with concurrency.form_refusals(form, rebase=rebase) as outcome:
                domain.update_project(
                    actor=user,
                    project=project,
                    values=values,
                    clinical_centers=data.get("clinical_centers"),
                    expected_version=form.expected_version,
                    ip=ip,
                )
            if not outcome.ok:
                fresh = outcome.fresh if isinstance(outcome.fresh, Project) else project
                return _form_page(
                    request, form, fresh, status=outcome.status, conflict=outcome.conflict
                )
            messages.success(request, _("Saved."))
        return redirect("pipeline:detail", pk=project.pk)
    return _form_page(request, form, project, status=400 if request.method == "POST" else 200)


def _form_page(
    request: HttpRequest, form: ProjectForm, project: Project | None, status: int, **extra: Any
) -> HttpResponse:
    heading = _("Edit project") if project else _("New project")
    context = {"form": form, "project": project, "heading": heading, **extra}
    return render(request, "pipeline/form.html", context, status=status)


@require_POST
def add_note(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project(request, pk, "pipeline.add_note")
    form = NoteForm(request.POST, auto_id="note-%s")
    if not form.is_valid():
        return render_detail(request, pk, forms={"note": form}, status=400)
    domain.add_note(
        actor=request_user(request),
        project=project,
        text=form.cleaned_data["text"],
        ip=audit.client_ip(request),
    )
    messages.success(request, _("Note added."))
    return redirect("pipeline:detail", pk=pk)


@require_POST
def archive(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project(request, pk, "pipeline.change_project")
    domain.archive_project(
        actor=request_user(request), project=project, ip=audit.client_ip(request)
    )
    messages.success(
        request,
        _("Archived. It no longer appears on the board.")
        if project.archived_at
        else _("Restored."),
    )
    return redirect("pipeline:detail", pk=pk)
