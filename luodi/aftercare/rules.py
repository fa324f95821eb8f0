"""Who may see and record the follow-through after landing.

- Staff see and record everything.
- A partner sees the follow-through of the projects it is a party to (the park, the company,
  the investor…), like the project itself; the park records milestones, figures and
  subsidies of projects that landed in it ("entered by the park or staff").
- A viewer (an investment-promotion bureau) sees the follow-through of every landed project
  — the registered company, its park, its milestones, figures and subsidies — but never the
  project's title or achievement, which may be confidential: `project_label` is the one
  field-level rule every page, export and API answer uses for the name.
"""

from __future__ import annotations

from typing import Any, TypeVar

import rules
from django.db.models import Model, Q, QuerySet

from luodi.accounts.rules import AnyUser, is_partner, is_staff, is_viewer, org_ids
from luodi.aftercare.models import Commitment, FigureReport, Milestone, Subsidy
from luodi.catalog.choices import OrganizationKind
from luodi.catalog.models import Organization
from luodi.pipeline.models import Project
from luodi.pipeline.rules import projects_visible_to

M = TypeVar("M", bound=Model)


def landed_projects_visible_to(user: AnyUser) -> QuerySet[Project]:
    """Projects whose follow-through `user` may see: the visible ones with a landing record;
    for a viewer every landed one (shown by registered company, see `project_label`)."""
    landed = Project.objects.filter(landing__isnull=False, archived_at__isnull=True)
    if is_staff(user) or is_viewer(user):
        return landed
    return landed.filter(pk__in=projects_visible_to(user).values("pk"))


def _of_visible(model: type[M], user: AnyUser) -> QuerySet[M]:
    return model._default_manager.filter(project__in=landed_projects_visible_to(user))


def milestones_visible_to(user: AnyUser) -> QuerySet[Milestone]:
    return _of_visible(Milestone, user)


def figures_visible_to(user: AnyUser) -> QuerySet[FigureReport]:
    return _of_visible(FigureReport, user)


def commitments_visible_to(user: AnyUser) -> QuerySet[Commitment]:
    return _of_visible(Commitment, user)


def subsidies_visible_to(user: AnyUser) -> QuerySet[Subsidy]:
    return _of_visible(Subsidy, user)


def watched_by(user: AnyUser, projects: QuerySet[Project]) -> QuerySet[Project]:
    """The landed `projects` whose stalls `user` watches on the stalled list: a park member
    its own park's (not those its organization is only a party to), staff and viewers all."""
    if is_partner(user) and not is_staff(user):
        return projects.filter(landing__park_id__in=org_ids(user))
    return projects


# Staff follow projects as their responsible person (Project.staff): the stalled list offers
# them "only projects I follow".
follows_projects = is_staff


def sees_project(user: AnyUser, project: Project) -> bool:
    """Whether `user` may see the project itself (title, achievement), not only its figures."""
    return bool(is_staff(user)) or projects_visible_to(user).filter(pk=project.pk).exists()


def project_label(user: AnyUser, project: Project, visible: set[int] | None = None) -> str:
    """The name `user` may read for `project`: its title for those who see the project,
    otherwise the registered company (a public fact) and never the title. `visible` is the
    set of project ids the user sees, when the caller has it (lists: one query)."""
    shown = project.pk in visible if visible is not None else sees_project(user, project)
    if shown:
        return project.title
    landing = getattr(project, "landing", None)
    return landing.entity_name if landing is not None else "—"


def visible_project_ids(user: AnyUser, among: QuerySet[Project] | list[int]) -> set[int]:
    ids: Any = among.values("pk") if isinstance(among, QuerySet) else among
    if is_staff(user):
        return set(Project.objects.filter(pk__in=ids).values_list("pk", flat=True))
    return set(projects_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def park_q(ids: set[int] | list[int], prefix: str = "") -> Q:
    """Projects (under `prefix`) that landed in one of the parks `ids`: the landing's park,
    or the target park when the landing names none (a park the project only looked at
    before landing elsewhere is not its park)."""
    return Q(**{f"{prefix}landing__park_id__in": ids}) | Q(
        **{f"{prefix}landing__park__isnull": True, f"{prefix}target_park_id__in": ids}
    )


@rules.predicate
def is_park_of(user: AnyUser, project: Project | None) -> bool:
    """A member of the park the project landed in (or targets)."""
    if project is None or not is_partner(user):
        return False
    ids = org_ids(user)
    return bool(ids) and Project.objects.filter(park_q(ids), pk=project.pk).exists()


@rules.predicate
def is_park_member(user: AnyUser) -> bool:
    """A partner who is a member of at least one park."""
    ids = org_ids(user) if is_partner(user) else set()
    return (
        bool(ids) and Organization.objects.filter(pk__in=ids, kind=OrganizationKind.PARK).exists()
    )


# Who may import monthly figures (figures_import): staff, and members of a park; each row is
# then checked against `aftercare.record`.
may_import_figures = is_staff | is_park_member


@rules.predicate
def is_landed(user: AnyUser, project: Project | None) -> bool:
    return (
        project is not None
        and Project.objects.filter(pk=project.pk, landing__isnull=False).exists()
    )


# The park or staff record what follows landing; commitments come from the agreement the
# association helped negotiate, so staff record them.
rules.add_perm("aftercare.record", is_landed & (is_staff | is_park_of))
rules.add_perm("aftercare.manage_commitments", is_landed & is_staff)
