"""Who sees which report jobs: staff see all, everyone else their own requests.
Who may narrow a report to any park they can see (staff, viewers) rather than their own."""

from __future__ import annotations

import rules
from django.db.models import QuerySet

from luodi.accounts.rules import AnyUser, is_staff, is_viewer
from luodi.insights.models import ReportJob


def report_jobs_visible_to(user: AnyUser) -> QuerySet[ReportJob]:
    qs = ReportJob.objects.all()
    return qs if is_staff(user) else qs.filter(requested_by_id=user.pk)


# Partners may scope a report to their own park(s) only (insights.scope.allowed_parks).
reports_on_any_park = is_staff | is_viewer

rules.add_perm("insights.report_on_any_park", reports_on_any_park)
