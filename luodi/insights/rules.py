"""Who sees which report jobs: staff see all, everyone else their own requests; an annual
report's draft is edited by its requester only, and the report is built by whoever may see an
institution's ledger (`ledger.rules.institutions_visible_to`).
Who may narrow a report to any park they can see (staff, viewers) rather than their own.
What the numbers of the dashboards, the API and the reports run over, for each user:

- Staff and viewers count every project; a partner the projects it may see; nobody else any
  (`projects_counted_for`). Viewers' other numbers (matches, visits, meetings, events,
  agreements) also count every record (`counts_every_record`), everyone else's what they
  may see.
- Viewers see the numbers only, never the rows behind them (`sees_numbers_only`), and no
  chart that names people (`sees_people`, the accounts rule).
- Carrier occupancy: a partner sees its own parks' only (`carriers_counted_for`).
"""

from __future__ import annotations

import rules
from django.db.models import QuerySet

from luodi.accounts.rules import AnyUser, is_partner, is_staff, is_viewer, org_ids
from luodi.accounts.rules import sees_people as sees_people
from luodi.catalog.choices import OrganizationKind
from luodi.catalog.models import Carrier
from luodi.catalog.rules import carriers_visible_to
from luodi.insights.models import JobStatus, ReportJob, ReportKind
from luodi.ledger.rules import institutions_visible_to
from luodi.pipeline.models import Project
from luodi.pipeline.rules import projects_visible_to
from luodi.pipeline.rules import sees_numbers_only as sees_numbers_only


def report_jobs_visible_to(user: AnyUser) -> QuerySet[ReportJob]:
    qs = ReportJob.objects.all()
    return qs if is_staff(user) else qs.filter(requested_by_id=user.pk)


def annual_drafts_of(user: AnyUser) -> QuerySet[ReportJob]:
    """Annual-report drafts are edited by their requester only (staff included)."""
    return ReportJob.objects.filter(
        requested_by_id=user.pk, kind=ReportKind.ANNUAL_TRANSFER, status=JobStatus.DRAFT
    )


def builds_annual_reports(user: AnyUser) -> bool:
    """The annual transformation report is built by whoever sees some institution's ledger:
    staff and the institutions' members; viewers and others never (a 404)."""
    return institutions_visible_to(user).exists()


# Partners may scope a report to their own park(s) only (insights.scope.allowed_parks).
reports_on_any_park = is_staff | is_viewer

rules.add_perm("insights.report_on_any_park", reports_on_any_park)

# A viewer (government) sees no projects through `projects_visible_to`, so its aggregates run
# over the whole region's records; `sees_numbers_only` keeps the rows from it.
counts_every_record = is_viewer


def projects_counted_for(user: AnyUser) -> QuerySet[Project]:
    """Projects the user's numbers are computed over (see the module docstring), before
    `base.scope_projects` leaves out the archived ones and narrows them to a scope."""
    if is_staff(user) or is_viewer(user):
        return Project.objects.all()
    if is_partner(user):
        return projects_visible_to(user)
    return Project.objects.none()


def carriers_counted_for(user: AnyUser) -> QuerySet[Carrier]:
    """Carrier space the occupancy chart counts: every visible carrier, but for a partner only
    its own parks' (none when it belongs to no park)."""
    qs: QuerySet[Carrier] = carriers_visible_to(user)
    if is_partner(user):
        mine = org_ids(user)
        qs = qs.filter(park_id__in=mine, park__kind=OrganizationKind.PARK)
    return qs
