"""Who sees which report jobs: staff see all, everyone else their own requests."""

from __future__ import annotations

from django.db.models import QuerySet

from luodi.accounts.rules import AnyUser, is_staff
from luodi.insights.models import ReportJob


def report_jobs_visible_to(user: AnyUser) -> QuerySet[ReportJob]:
    qs = ReportJob.objects.all()
    return qs if is_staff(user) else qs.filter(requested_by_id=user.pk)
