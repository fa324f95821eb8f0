"""Follow-through after landing: milestones, figures by period, commitments, subsidies.

Every row hangs off a `pipeline.Project`, so who may see it is who may see the project
(rules.py); writes go through domain.py, one transaction and one audit entry each. A
figure's history is its audit trail (verb `figures.record`, `{field: [old, new]}`).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luodi.aftercare.choices import (
    Metric,
    MilestoneKind,
    SubsidyKind,
    SubsidyStatus,
    milestone_index,
)

_USER = settings.AUTH_USER_MODEL
_WAN = {"max_digits": 14, "decimal_places": 2, "null": True, "blank": True}


def _evidence_path(instance: Milestone, filename: str) -> str:
    # The stored name is ours; the uploader's name is kept in `evidence_name` for display.
    return f"aftercare/{instance.project_id}/{timezone.now():%Y%m%d%H%M%S}-{instance.kind}"


class Milestone(models.Model):
    project = models.ForeignKey(
        "pipeline.Project",
        on_delete=models.CASCADE,
        related_name="milestones",
        verbose_name=_("project"),
    )
    kind = models.CharField(_("milestone"), max_length=20, choices=MilestoneKind.choices)
    planned_on = models.DateField(_("planned"), null=True, blank=True)
    actual_on = models.DateField(_("achieved"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    visit = models.ForeignKey(
        "engagements.Visit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("seen at visit"),
    )
    evidence = models.FileField(
        _("evidence (document or photo)"), upload_to=_evidence_path, blank=True, max_length=255
    )
    evidence_name = models.CharField(max_length=255, blank=True)
    evidence_type = models.CharField(max_length=100, blank=True)
    warnings = models.JSONField(_("gate warnings acknowledged"), default=list, blank=True)
    recorded_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.UniqueConstraint(fields=["project", "kind"], name="one_milestone_per_kind")
        ]
        indexes = [models.Index(fields=["actual_on", "planned_on"])]

    def __str__(self) -> str:
        return str(self.get_kind_display())

    @property
    def position(self) -> int:
        return milestone_index(self.kind)

    @property
    def is_overdue(self) -> bool:
        return (
            self.actual_on is None
            and self.planned_on is not None
            and self.planned_on < timezone.localdate()
        )

    @property
    def lag_days(self) -> int | None:
        """Days late (positive) or early (negative) against the plan; None until both exist."""
        if self.actual_on is None or self.planned_on is None:
            return None
        return (self.actual_on - self.planned_on).days


class FigureReport(models.Model):
    """What a landed project reported for one month: flows (capital arrived, output, tax,
    R&D, patents) in that month, stocks (jobs, floor area) at its end."""

    project = models.ForeignKey(
        "pipeline.Project",
        on_delete=models.CASCADE,
        related_name="figure_reports",
        verbose_name=_("project"),
    )
    period = models.DateField(_("month"), help_text=_("The first day of the month reported."))
    capital_wan = models.DecimalField(Metric.CAPITAL.label, **_WAN)  # type: ignore[arg-type]
    output_wan = models.DecimalField(Metric.OUTPUT.label, **_WAN)  # type: ignore[arg-type]
    tax_wan = models.DecimalField(Metric.TAX.label, **_WAN)  # type: ignore[arg-type]
    rnd_wan = models.DecimalField(Metric.RND.label, **_WAN)  # type: ignore[arg-type]
    patents = models.PositiveIntegerField(Metric.PATENTS.label, null=True, blank=True)
    jobs = models.PositiveIntegerField(Metric.JOBS.label, null=True, blank=True)
    area_m2 = models.PositiveIntegerField(Metric.AREA.label, null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    entered_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("figures for a month")
        verbose_name_plural = _("figures")
        ordering = ["project_id", "period"]
        constraints = [
            models.UniqueConstraint(fields=["project", "period"], name="one_report_per_month"),
            models.CheckConstraint(
                condition=models.Q(period__day=1), name="figures_period_first_of_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m}"


class Commitment(models.Model):
    """What the company promised by a date (in its investment agreement): capital arrived,
    output, tax, jobs… A commitment past its date with actuals below it raises a task."""

    project = models.ForeignKey(
        "pipeline.Project",
        on_delete=models.CASCADE,
        related_name="commitments",
        verbose_name=_("project"),
    )
    agreement = models.ForeignKey(
        "pipeline.Agreement",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("agreement"),
    )
    metric = models.CharField(_("figure"), max_length=16, choices=Metric.choices)
    amount = models.DecimalField(_("committed"), max_digits=14, decimal_places=2)
    due_on = models.DateField(_("by"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    # The follow-up raised when the date passed short of the commitment (once).
    shortfall_task = models.OneToOneField(
        "pipeline.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["project_id", "due_on", "metric"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="commitment_positive")
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} {self.amount} ({self.due_on})"


class Subsidy(models.Model):
    """A park's policy item (政策兑现) for a project: applied, approved, paid out."""

    project = models.ForeignKey(
        "pipeline.Project",
        on_delete=models.CASCADE,
        related_name="subsidies",
        verbose_name=_("project"),
    )
    kind = models.CharField(_("type"), max_length=16, choices=SubsidyKind.choices)
    policy = models.CharField(_("policy item"), max_length=200)
    granted_by = models.ForeignKey(
        "catalog.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("granted by"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=SubsidyStatus.choices, default=SubsidyStatus.APPLIED
    )
    applied_on = models.DateField(_("applied on"), default=timezone.localdate)
    amount_applied_wan = models.DecimalField(
        _("applied for (10k CNY)"), max_digits=14, decimal_places=2
    )
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    amount_approved_wan = models.DecimalField(_("approved (10k CNY)"), **_WAN)  # type: ignore[arg-type]
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    amount_paid_wan = models.DecimalField(_("paid (10k CNY)"), **_WAN)  # type: ignore[arg-type]
    note = models.CharField(_("note"), max_length=500, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("policy subsidy")
        verbose_name_plural = _("policy subsidies")
        ordering = ["project_id", "-applied_on", "-id"]

    def __str__(self) -> str:
        return self.policy


class StallDigestSent(models.Model):
    """The weekly stall digest claimed per person and week (the Monday), so overlapping
    runs never send it twice."""

    user = models.ForeignKey(_USER, on_delete=models.CASCADE, related_name="+")
    week = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "week"], name="one_stall_digest_per_week")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.week}"


def month_start(day: date) -> date:
    return day.replace(day=1)
