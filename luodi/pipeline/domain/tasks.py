"""Writes on tasks. (Their due dates reach calendars through the one personal feed,
engagements.feeds.)"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.pipeline.choices import TaskStatus
from luodi.pipeline.models import Obligation, Project, Task
from luodi.pipeline.rules import agreement_assignees, assignable_users


@transaction.atomic
def create_task(
    *,
    actor: User,
    title: str,
    owner: User,
    project: Project | None = None,
    due_date: date | None = None,
    obligation: Obligation | None = None,
    ip: str | None = None,
) -> Task:
    # An obligation's task may go to whoever may see its agreement (for an agreement between
    # organizations: a member of a party); any other task to the project's people.
    allowed = (
        agreement_assignees(obligation.agreement)
        if obligation is not None
        else assignable_users(project)
    )
    if not allowed.filter(pk=owner.pk).exists():
        raise ValidationError(
            {
                "owner": [
                    _(
                        "The owner must be association staff or a member of one of the project's "
                        "parties."
                    )
                ]
            }
        )
    task = Task.objects.create(
        project=project,
        title=title.strip(),
        owner=owner,
        due_date=due_date,
        obligation=obligation,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        verb="task.create",
        target=task,
        changes={
            "owner": owner.get_username(),
            "due_date": audit.jsonable(due_date),
            "project": project.pk if project else None,
        },
        ip=ip,
    )
    return task


@transaction.atomic
def complete_task(*, actor: User, task: Task, ip: str | None = None) -> Task:
    task.status, task.done_at = TaskStatus.DONE, timezone.now()
    task.save(update_fields=["status", "done_at"])
    audit.record(actor=actor, verb="task.complete", target=task, ip=ip)
    return task


@transaction.atomic
def reopen_task(*, actor: User, task: Task, ip: str | None = None) -> Task:
    task.status, task.done_at = TaskStatus.OPEN, None
    task.save(update_fields=["status", "done_at"])
    audit.record(actor=actor, verb="task.reopen", target=task, ip=ip)
    return task
