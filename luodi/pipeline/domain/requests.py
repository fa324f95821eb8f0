"""Writes on company requests (企业诉求): raise (with the owner's follow-up task), escalate,
resolve (closing the task). Each is one transaction and one audit entry."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.concurrency import claim
from luodi.pipeline.domain.tasks import complete_task, create_task
from luodi.pipeline.models import CompanyRequest, Project, RequestStatus, Task
from luodi.pipeline.rules import assignable_users

REQUEST_FIELDS = ["category", "title", "details", "raised_on", "due_date", "visit", "meeting"]


@transaction.atomic
def raise_request(
    *,
    actor: User,
    project: Project,
    owner: User,
    values: dict[str, Any],
    is_demo: bool = False,
    ip: str | None = None,
) -> CompanyRequest:
    """A request on `project`, owned by staff or a member of a party (ValidationError,
    nothing written, otherwise); the owner gets a task due on the due date."""
    if not assignable_users(project).filter(pk=owner.pk).exists():
        raise ValidationError(
            {"owner": [_("The owner must be association staff or a member of a party.")]}
        )
    req = CompanyRequest(
        project=project,
        owner=owner,
        raised_by=actor,
        is_demo=is_demo,
        **{k: v for k, v in values.items() if k in REQUEST_FIELDS and v is not None},
    )
    req.full_clean(exclude=["task", "visit", "meeting"])
    due: date = req.due_date
    req.task = create_task(
        actor=actor,
        project=project,
        title=(_("Company request: %(title)s") % {"title": req.title})[:255],
        owner=owner,
        due_date=due,
        ip=ip,
    )
    req.save()
    audit.record(
        actor=actor,
        verb="request.raise",
        target=req,
        changes={"project": project.pk, "category": req.category, "owner": owner.pk},
        ip=ip,
    )
    return req


@transaction.atomic
def escalate(
    *,
    actor: User,
    request: CompanyRequest,
    to: str,
    expected_version: int | None = None,
    ip: str | None = None,
) -> CompanyRequest:
    if request.status == RequestStatus.RESOLVED:
        raise ValidationError(_("This request is resolved already."))
    claim(request, expected_version)
    request.status, request.escalated_to = RequestStatus.ESCALATED, to.strip()
    request.escalated_at = timezone.now()
    request.save(update_fields=["status", "escalated_to", "escalated_at", "updated_at"])
    audit.record(
        actor=actor, verb="request.escalate", target=request, changes={"to": to.strip()}, ip=ip
    )
    return request


@transaction.atomic
def resolve(
    *,
    actor: User,
    request: CompanyRequest,
    resolution: str,
    satisfaction: int | None = None,
    expected_version: int | None = None,
    ip: str | None = None,
) -> CompanyRequest:
    """Raises ValidationError without a resolution, concurrency.Conflict on a stale version."""
    if not resolution.strip():
        raise ValidationError({"resolution": [_("Say how the request was resolved.")]})
    if request.status == RequestStatus.RESOLVED:
        raise ValidationError(_("This request is resolved already."))
    claim(request, expected_version)
    request.status, request.resolution = RequestStatus.RESOLVED, resolution.strip()
    request.satisfaction, request.resolved_at = satisfaction, timezone.now()
    request.save(
        update_fields=["status", "resolution", "satisfaction", "resolved_at", "updated_at"]
    )
    task = (
        Task.objects.filter(pk=request.task_id, status="open").first() if request.task_id else None
    )
    if task is not None:
        complete_task(actor=actor, task=task, ip=ip)
    audit.record(
        actor=actor,
        verb="request.resolve",
        target=request,
        changes={"satisfaction": satisfaction},
        ip=ip,
    )
    return request
