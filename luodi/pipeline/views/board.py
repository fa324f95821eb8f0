"""The Kanban board and the one place where a project changes stage from the web."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.htmx import is_htmx
from luodi.pipeline import queries
from luodi.pipeline.choices import NEEDS_REASON, ProjectStage, allowed_targets
from luodi.pipeline.domain.projects import GateWarnings, IllegalTransition, move_project
from luodi.pipeline.forms import MoveForm
from luodi.pipeline.rules import sees_numbers_only
from luodi.pipeline.views.common import get_project


def _render_board(
    request: HttpRequest, notice: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "columns": queries.board(request.user),
        "notice": notice,
        "can_move": request.user.has_perm("pipeline.move_project"),
        # Viewers (government) see the pipeline's numbers on the dashboard, never its
        # projects; an empty board would read as "no projects" beside a dashboard counting 11.
        "aggregate_only": bool(sees_numbers_only(request.user)),
    }
    template = "pipeline/_board.html" if is_htmx(request) else "pipeline/board.html"
    return render(request, template, context, status=status)


def board(request: HttpRequest) -> HttpResponse:
    return _render_board(request)


@require_POST
def move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a project (board drag, the card's select + button, or the project page form).

    Illegal moves answer 400 with the reason; missing prerequisites answer 422 with the
    warnings and a form to confirm; both leave the project where it was."""
    project = get_project(request, pk, "pipeline.move_project")
    form = MoveForm(request.POST)
    on_board = request.POST.get("from") == "board"
    if not form.is_valid():
        error = _("Choose a valid stage.")
        if on_board:
            return _render_board(request, {"error": error, "project": project}, 400)
        messages.error(request, error)
        return redirect("pipeline:detail", pk=pk)
    data = form.cleaned_data
    to_stage = data["to_stage"]
    notice: dict[str, Any] = {
        "project": project,
        "to_stage": to_stage,
        "to_label": ProjectStage(to_stage).label,
        "reason": data["reason"],
        "note": data["note"],
        "needs_reason": to_stage in NEEDS_REASON,
    }
    try:
        move_project(
            actor=request_user(request),
            project=project,
            to_stage=to_stage,
            reason=data["reason"],
            note=data["note"],
            confirm_warnings=data["confirm"],
            ip=audit.client_ip(request),
        )
    except IllegalTransition as exc:
        notice.update(
            error=exc.message,
            show_form=notice["needs_reason"]
            and not data["reason"]
            and to_stage in allowed_targets(project.stage, project.paused_from),
        )
        if on_board and is_htmx(request):
            return _render_board(request, notice, 400)
        messages.error(request, exc.message)
        return redirect("pipeline:board") if on_board else redirect("pipeline:detail", pk=pk)
    except GateWarnings as exc:
        notice.update(warnings=exc.warnings, show_form=True)
        if on_board and is_htmx(request):
            return _render_board(request, notice, 422)
        from luodi.pipeline.views.projects import render_detail

        return render_detail(request, pk, pending_move=notice, status=422)
    label = ProjectStage(to_stage).label
    text = _('Moved "%(title)s" to "%(stage)s".') % {"title": project.title, "stage": label}
    if on_board and is_htmx(request):
        return _render_board(request, {"success": text})
    messages.success(request, text)
    return redirect("pipeline:board") if on_board else redirect("pipeline:detail", pk=pk)
