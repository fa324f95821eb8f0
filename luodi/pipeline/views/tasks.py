"""My tasks and tasks on a project. The calendar address on "my tasks" is the one personal
feed, which carries the due dates too; its card comes from engagements' template tag
(`calendar_feed_card`), so this app does not import engagements."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.pipeline import queries
from luodi.pipeline.domain import tasks as domain
from luodi.pipeline.forms import TaskForm
from luodi.pipeline.rules import tasks_visible_to
from luodi.pipeline.views.common import get_project
from luodi.pipeline.views.projects import render_detail


def my_tasks(request: HttpRequest) -> HttpResponse:
    show_done = request.GET.get("done") == "1"
    tasks = list(queries.my_tasks(request.user, include_done=show_done))
    return render(
        request,
        "pipeline/my_tasks.html",
        {
            "tasks": tasks,
            "show_done": show_done,
            "today": timezone.localdate(),
        },
    )


@require_POST
def task_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project(request, pk, "pipeline.add_task")
    form = TaskForm(request.POST, project=project, auto_id="task-%s")
    if form.is_valid():
        try:
            domain.create_task(
                actor=request_user(request),
                project=project,
                title=form.cleaned_data["title"],
                owner=form.cleaned_data["owner"],
                due_date=form.cleaned_data["due_date"],
                ip=audit.client_ip(request),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Task added."))
            return redirect("pipeline:detail", pk=pk)
    return render_detail(request, pk, forms={"task": form}, status=400)


@require_POST
def task_toggle(request: HttpRequest, task_id: int) -> HttpResponse:
    task = get_object_or_404(tasks_visible_to(request.user), pk=task_id)
    if not request.user.has_perm("pipeline.complete_task", task):
        raise PermissionDenied
    if task.status == "open":
        domain.complete_task(actor=request_user(request), task=task, ip=audit.client_ip(request))
        messages.success(request, _("Task done."))
    else:
        domain.reopen_task(actor=request_user(request), task=task, ip=audit.client_ip(request))
        messages.success(request, _("Task reopened."))
    back = request.POST.get("next", "")
    if back == "project" and task.project_id:
        return redirect("pipeline:detail", pk=task.project_id)
    return redirect("pipeline:my-tasks")
