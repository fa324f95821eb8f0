"""Who may see and change pipeline objects. Every pipeline list, board, API call, export and
calendar feed starts from a `*_visible_to(user)` queryset here.

- Staff see and run every project.
- Partners see only projects their organization is a party to (owner, company, investor,
  target park or clinical center); they may add notes there and complete their own tasks.
- Viewers see no projects: a project title can name a confidential achievement, and viewers
  are never a party. (Dashboards may show them aggregate counts.)
"""

from __future__ import annotations

import rules
from django.db.models import Exists, OuterRef, Q, QuerySet

from luodi.accounts.models import User
from luodi.accounts.rules import AnyUser, is_partner, is_staff, is_viewer, org_ids
from luodi.pipeline import links
from luodi.pipeline.models import (
    Agreement,
    AgreementDocument,
    CompanyRequest,
    ContractRegistration,
    Obligation,
    Project,
    StageTransition,
    Task,
)


def party_q(ids: set[int] | list[int], prefix: str = "") -> Q:
    """Projects (under `prefix`) that one of the organizations `ids` is a party to."""
    centers = Project.clinical_centers.through.objects.filter(
        project_id=OuterRef(f"{prefix}pk" if prefix else "pk"), organization_id__in=ids
    )
    return (
        Q(**{f"{prefix}owner_id__in": ids})
        | Q(**{f"{prefix}company_id__in": ids})
        | Q(**{f"{prefix}investor_id__in": ids})
        | Q(**{f"{prefix}target_park_id__in": ids})
        | Q(Exists(centers))
    )


def projects_visible_to(user: AnyUser) -> QuerySet[Project]:
    qs = Project.objects.all()
    if is_staff(user):
        return qs
    if not is_partner(user):
        return qs.none()
    ids = org_ids(user)
    return qs.filter(party_q(ids)) if ids else qs.none()


def transitions_visible_to(user: AnyUser) -> QuerySet[StageTransition]:
    return StageTransition.objects.filter(project__in=projects_visible_to(user))


def agreements_visible_to(user: AnyUser) -> QuerySet[Agreement]:
    """Agreements of visible projects, and agreements between organizations (no project)
    to which one of the user's organizations is a party."""
    if is_staff(user):
        return Agreement.objects.all()
    if not is_partner(user):
        return Agreement.objects.none()
    ids = org_ids(user)
    party = Agreement.parties.through.objects.filter(
        agreement_id=OuterRef("pk"), organization_id__in=ids
    )
    return Agreement.objects.filter(
        Q(project__in=projects_visible_to(user)) | Q(Exists(party), project__isnull=True)
    )


def obligations_visible_to(user: AnyUser) -> QuerySet[Obligation]:
    return Obligation.objects.filter(agreement__in=agreements_visible_to(user))


def registrations_visible_to(user: AnyUser) -> QuerySet[ContractRegistration]:
    """A contract registration (its amounts included) is read by whoever may see its
    agreement: staff and the members of its parties; viewers and other partners never."""
    return ContractRegistration.objects.filter(agreement__in=agreements_visible_to(user))


def documents_visible_to(user: AnyUser) -> QuerySet[AgreementDocument]:
    return AgreementDocument.objects.filter(agreement__in=agreements_visible_to(user))


def requests_visible_to(user: AnyUser) -> QuerySet[CompanyRequest]:
    """A company request is seen by whoever may see its project (the company and the park
    are parties; viewers see none: requests name people and problems)."""
    return CompanyRequest.objects.filter(project__in=projects_visible_to(user))


def linked_visible(user: AnyUser, request: CompanyRequest, name: str) -> bool:
    """Whether `user` may see the visit or meeting (`name`) a company request was raised at."""
    pk = getattr(request, f"{name}_id")
    if pk is None:
        return False
    return links.visible("visit" if name == "visit" else "meeting", user).filter(pk=pk).exists()


def tasks_visible_to(user: AnyUser) -> QuerySet[Task]:
    """Tasks of visible projects, plus the user's own tasks that belong to no project."""
    if not user.is_authenticated:
        return Task.objects.none()
    if is_staff(user):
        return Task.objects.all()
    return Task.objects.filter(
        Q(project__in=projects_visible_to(user)) | Q(project__isnull=True, owner_id=user.pk)
    )


def assignable_users(project: Project | None) -> QuerySet[User]:
    """Who may own a task or an obligation of `project`: staff, and members of its parties
    (so that a task never shows a project title to somebody who may not see the project)."""
    if project is None:
        return _staff_or_members([])
    ids = project.party_ids()
    return _staff_or_members(ids)


def agreement_assignees(agreement: Agreement) -> QuerySet[User]:
    """Who may be responsible for an obligation: the project's people for a project's
    agreement; staff and members of the parties for an agreement between organizations
    (the parties are exactly who may see it)."""
    if agreement.project_id is not None:
        return assignable_users(agreement.project)
    return _staff_or_members(list(agreement.parties.values_list("pk", flat=True)))


def _staff_or_members(org_ids: list[int]) -> QuerySet[User]:
    staff = Q(role="staff") | Q(is_superuser=True)
    who = staff | Q(memberships__organization_id__in=org_ids) if org_ids else staff
    return User.objects.filter(who, is_active=True).distinct().order_by("username")


# -- what a page says to a role -------------------------------------------------------------

# Viewers (government) see the pipeline's numbers (the dashboards), never its projects; a page
# that lists none says so rather than read as "no projects" (the board) — insights asks it too.
sees_numbers_only = is_viewer
# Whether the user can have agreements to see at all: staff and partners; viewers never do, so
# the agreements page says so rather than show an empty filter.
may_see_agreements = is_staff | is_partner


# -- per-object predicates ------------------------------------------------------------------


@rules.predicate
def is_party(user: AnyUser, project: Project | None) -> bool:
    return project is not None and projects_visible_to(user).filter(pk=project.pk).exists()


@rules.predicate
def is_task_owner(user: AnyUser, task: Task | None) -> bool:
    return task is not None and user.is_authenticated and task.owner_id == user.pk


@rules.predicate
def is_request_owner(user: AnyUser, request: CompanyRequest | None) -> bool:
    return request is not None and user.is_authenticated and request.owner_id == user.pk


rules.add_perm("pipeline.add_project", is_staff)
rules.add_perm("pipeline.view_project", is_staff | (is_partner & is_party))
rules.add_perm("pipeline.change_project", is_staff)
rules.add_perm("pipeline.move_project", is_staff)
rules.add_perm("pipeline.add_note", is_staff | (is_partner & is_party))
rules.add_perm("pipeline.manage_agreements", is_staff)
# Filling in and moving a technology-contract registration: whoever manages agreements today
# (staff). Named apart so that a party's technology-transfer office could be let in later
# without also letting it edit the agreement itself.
rules.add_perm("pipeline.register_contract", is_staff)
rules.add_perm("pipeline.record_landing", is_staff)
rules.add_perm("pipeline.add_task", is_staff)
rules.add_perm("pipeline.complete_task", is_staff | is_task_owner)
# The company (or its park) raises a request on its project; staff or the owner handle it.
rules.add_perm("pipeline.raise_request", is_staff | (is_partner & is_party))
rules.add_perm("pipeline.handle_request", is_staff | is_request_owner)
