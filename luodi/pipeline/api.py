"""Pipeline API: projects, their transitions, agreements, obligations and tasks.

Every read starts from a `*_visible_to(user)` queryset (another party's project answers 404,
as if it did not exist); writes go through `domain/`; errors use the shared JSON shape."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.pagination import paginate
from ninja.responses import Status

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.accounts.request_user import request_user
from luodi.catalog.models import Organization, Term
from luodi.catalog.rules import achievements_visible_to, needs_visible_to
from luodi.catalog.rules import organizations_visible_to as orgs_visible_to
from luodi.errors import ApiError, Pagination, from_validation, invalid, require_perm
from luodi.pipeline import queries
from luodi.pipeline.domain import agreements as agreement_domain
from luodi.pipeline.domain import projects as project_domain
from luodi.pipeline.domain import tasks as task_domain
from luodi.pipeline.forms import AgreementFilter
from luodi.pipeline.models import Agreement, Obligation, Project, StageTransition, Task
from luodi.pipeline.rules import (
    agreement_assignees,
    agreements_visible_to,
    obligations_visible_to,
    projects_visible_to,
    tasks_visible_to,
    transitions_visible_to,
)
from luodi.pipeline.schemas import (
    AgreementIn,
    AgreementOut,
    ObligationIn,
    ObligationOut,
    OrganizationAgreementIn,
    ProjectIn,
    ProjectOut,
    TaskIn,
    TaskOut,
    TransitionIn,
    TransitionOut,
)

router = Router(tags=["pipeline"])


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(422, "invalid", "The request has invalid fields.", {field: [message]})


def _org(request: HttpRequest, pk: int | None, field: str) -> Organization | None:
    if pk is None:
        return None
    org = orgs_visible_to(request.user).filter(pk=pk).first()
    if org is None:
        raise _invalid(field, "No such organization.")
    return org


def _project(request: HttpRequest, pk: int) -> Project:
    return get_object_or_404(projects_visible_to(request.user).select_related("owner"), pk=pk)


def _raise_validation(exc: ValidationError) -> ApiError:
    return from_validation(exc)


# -- projects -------------------------------------------------------------------------------


@router.get("/projects", response=list[ProjectOut])
@paginate(Pagination)
def list_projects(
    request: HttpRequest,
    stage: str = "",
    park_id: int | None = None,
    owner_id: int | None = None,
    staff_id: int | None = None,
    min_days: int | None = None,
) -> QuerySet[Project]:
    data = {
        "stage": stage,
        "park": park_id,
        "owner": owner_id,
        "staff": staff_id,
        "min_days": min_days,
    }
    return queries.filter_projects(queries.project_rows(request.user), data).order_by("id")


@router.get("/projects/{project_id}", response=ProjectOut)
def get_project(request: HttpRequest, project_id: int) -> Project:
    return _project(request, project_id)


@router.post("/projects", response={201: ProjectOut})
def create_project(request: HttpRequest, payload: ProjectIn) -> Status[Project]:
    require_perm(request, "pipeline.add_project")
    achievement = need = None
    if payload.achievement_id is not None:
        achievement = (
            achievements_visible_to(request.user)
            .filter(pk=payload.achievement_id)
            .select_related("owner")
            .first()
        )
        if achievement is None:
            raise _invalid("achievement_id", "No such achievement.")
    if payload.clinical_need_id is not None:
        need = needs_visible_to(request.user).filter(pk=payload.clinical_need_id).first()
        if need is None:
            raise _invalid("clinical_need_id", "No such clinical need.")
    if achievement is None and need is None:
        raise _invalid("achievement_id", "Give an achievement or a clinical need.")
    staff = None
    if payload.staff_id is not None:
        staff = User.objects.filter(pk=payload.staff_id, role="staff", is_active=True).first()
        if staff is None:
            raise _invalid("staff_id", "No such staff member.")
    centers = [
        c
        for c in (_org(request, i, "clinical_center_ids") for i in payload.clinical_center_ids)
        if c is not None
    ]
    fields: dict[str, Any] = {
        "company": _org(request, payload.company_id, "company_id"),
        "investor": _org(request, payload.investor_id, "investor_id"),
        "target_park": _org(request, payload.target_park_id, "target_park_id"),
        "staff": staff,
        "summary": payload.summary,
        "regulatory_step": payload.regulatory_step,
        "needed_specialty": Term.objects.filter(pk=payload.needed_specialty_id).first()
        if payload.needed_specialty_id
        else None,
    }
    project = project_domain.create_project(
        actor=request_user(request),
        title=payload.title,
        achievement=achievement,
        clinical_need=need,
        clinical_centers=centers,
        fields=fields,
        ip=audit.client_ip(request),
    )
    return Status(201, project)


@router.get("/projects/{project_id}/transitions", response=list[TransitionOut])
def list_transitions(request: HttpRequest, project_id: int) -> list[StageTransition]:
    project = _project(request, project_id)
    return list(transitions_visible_to(request.user).filter(project=project))


@router.post("/projects/{project_id}/transitions", response={201: TransitionOut})
def transition(
    request: HttpRequest, project_id: int, payload: TransitionIn
) -> Status[StageTransition]:
    project = _project(request, project_id)
    require_perm(request, "pipeline.move_project", project)
    try:
        row = project_domain.move_project(
            actor=request_user(request),
            project=project,
            to_stage=payload.to_stage,
            reason=payload.reason,
            note=payload.note,
            confirm_warnings=payload.confirm_warnings,
            ip=audit.client_ip(request),
        )
    except project_domain.IllegalTransition as exc:
        raise ApiError(409, "illegal_transition", exc.message) from None
    except project_domain.GateWarnings as exc:
        raise ApiError(
            409,
            "gate_warnings",
            "Prerequisites are missing; repeat with confirm_warnings=true to move anyway.",
            {"warnings": exc.warnings},
        ) from None
    return Status(201, row)


# -- agreements and obligations ------------------------------------------------------------


def _agreements(request: HttpRequest) -> QuerySet[Agreement]:
    return agreements_visible_to(request.user).prefetch_related("parties", "documents")


@router.get("/projects/{project_id}/agreements", response=list[AgreementOut])
def list_agreements(request: HttpRequest, project_id: int) -> list[Agreement]:
    project = _project(request, project_id)
    return list(_agreements(request).filter(project=project))


@router.post("/projects/{project_id}/agreements", response={201: AgreementOut})
def create_agreement(
    request: HttpRequest, project_id: int, payload: AgreementIn
) -> Status[Agreement]:
    project = _project(request, project_id)
    require_perm(request, "pipeline.manage_agreements", project)
    parties = [p for p in (_org(request, i, "party_ids") for i in payload.party_ids) if p]
    values = payload.model_dump(exclude={"party_ids"})
    try:
        agreement = agreement_domain.create_agreement(
            actor=request_user(request),
            project=project,
            values=values,
            parties=parties,
            ip=audit.client_ip(request),
        )
    except ValidationError as exc:
        raise _raise_validation(exc) from None
    return Status(201, _agreements(request).get(pk=agreement.pk))


@router.get("/agreements", response=list[AgreementOut])
@paginate(Pagination)
def list_all_agreements(
    request: HttpRequest,
    scope: str = "",
    kind: str = "",
    status: str = "",
    party: int | None = None,
    q: str = "",
    registration: str = "",
) -> QuerySet[Agreement]:
    """Every agreement the caller may see: those between organizations it is a party to and
    those of its projects (staff: all). `scope` is `organizations` (no project) or
    `projects`; `party` an organization id; `q` words in the title or a party's name;
    `registration` a contract registration status, or `none` for technology contracts whose
    registration was not started. The web list's filter form validates them (422 on a bad
    value)."""
    form = AgreementFilter(
        {
            "scope": scope,
            "kind": kind,
            "status": status,
            "party": party or "",
            "q": q,
            "registration": registration,
        },
        user=request.user,
    )
    if not form.is_valid():
        raise invalid(form.errors)
    return queries.filter_agreements(_agreements(request), form.cleaned_data).order_by(
        "-created_at", "-id"
    )


@router.post("/agreements", response={201: AgreementOut})
def create_organization_agreement(
    request: HttpRequest, payload: OrganizationAgreementIn
) -> Status[Agreement]:
    """An agreement between organizations (no project), e.g. a strategic cooperation
    intention with a group to co-host forums; staff only."""
    require_perm(request, "pipeline.manage_agreements")
    parties = [p for p in (_org(request, i, "party_ids") for i in payload.party_ids) if p]
    visible = projects_visible_to(request.user)
    related = list(visible.filter(pk__in=payload.related_project_ids))
    if len(related) != len(set(payload.related_project_ids)):
        raise _invalid("related_project_ids", "No such project.")
    values = payload.model_dump(exclude={"party_ids", "related_project_ids"})
    try:
        agreement = agreement_domain.create_agreement(
            actor=request_user(request),
            project=None,
            values=values,
            parties=parties,
            related_projects=related,
            ip=audit.client_ip(request),
        )
    except ValidationError as exc:
        raise _raise_validation(exc) from None
    return Status(201, _agreements(request).get(pk=agreement.pk))


@router.get("/agreements/{agreement_id}", response=AgreementOut)
def get_agreement(request: HttpRequest, agreement_id: int) -> Agreement:
    return get_object_or_404(_agreements(request), pk=agreement_id)


@router.get("/agreements/{agreement_id}/obligations", response=list[ObligationOut])
def list_obligations(request: HttpRequest, agreement_id: int) -> list[Obligation]:
    agreement = get_object_or_404(agreements_visible_to(request.user), pk=agreement_id)
    return list(
        obligations_visible_to(request.user).filter(agreement=agreement).select_related("task")
    )


@router.post("/agreements/{agreement_id}/obligations", response={201: ObligationOut})
def create_obligation(
    request: HttpRequest, agreement_id: int, payload: ObligationIn
) -> Status[Obligation]:
    agreement = get_object_or_404(
        agreements_visible_to(request.user).select_related("project"), pk=agreement_id
    )
    require_perm(request, "pipeline.manage_agreements", agreement.project)
    responsible = None
    if payload.responsible_id is not None:
        responsible = agreement_assignees(agreement).filter(pk=payload.responsible_id).first()
        if responsible is None:
            raise _invalid(
                "responsible_id", "Must be association staff or a member of one of the parties."
            )
    try:
        obligation = agreement_domain.add_obligation(
            actor=request_user(request),
            agreement=agreement,
            kind=payload.kind,
            description=payload.description,
            due_date=payload.due_date,
            trigger=payload.trigger,
            responsible=responsible,
            amount_wan=payload.amount_wan,
            ip=audit.client_ip(request),
        )
    except ValidationError as exc:
        raise _raise_validation(exc) from None
    return Status(201, Obligation.objects.select_related("task").get(pk=obligation.pk))


# -- tasks ---------------------------------------------------------------------------------


@router.get("/tasks", response=list[TaskOut])
@paginate(Pagination)
def list_tasks(
    request: HttpRequest, mine: bool = True, status: str = "", project_id: int | None = None
) -> QuerySet[Task]:
    qs = tasks_visible_to(request.user)
    if mine:
        qs = qs.filter(owner_id=request.user.pk)
    if status:
        qs = qs.filter(status=status)
    if project_id is not None:
        qs = qs.filter(project_id=project_id)
    return qs.order_by("due_date", "id")


@router.get("/tasks/{task_id}", response=TaskOut)
def get_task(request: HttpRequest, task_id: int) -> Task:
    return get_object_or_404(tasks_visible_to(request.user), pk=task_id)


@router.post("/tasks", response={201: TaskOut})
def create_task(request: HttpRequest, payload: TaskIn) -> Status[Task]:
    project = _project(request, payload.project_id) if payload.project_id else None
    require_perm(request, "pipeline.add_task", project)
    owner = User.objects.filter(pk=payload.owner_id, is_active=True).first()
    if owner is None:
        raise _invalid("owner_id", "No such user.")
    try:
        task = task_domain.create_task(
            actor=request_user(request),
            project=project,
            title=payload.title,
            owner=owner,
            due_date=payload.due_date,
            ip=audit.client_ip(request),
        )
    except ValidationError as exc:
        raise _raise_validation(exc) from None
    return Status(201, task)


@router.post("/tasks/{task_id}/complete", response=TaskOut)
def complete_task(request: HttpRequest, task_id: int) -> Task:
    task = get_object_or_404(tasks_visible_to(request.user), pk=task_id)
    require_perm(request, "pipeline.complete_task", task)
    return task_domain.complete_task(
        actor=request_user(request), task=task, ip=audit.client_ip(request)
    )


# Company requests' and contract registrations' endpoints register on this router (their own
# modules keep this one short).
from luodi.pipeline import api_registration, api_requests  # noqa: E402, F401
