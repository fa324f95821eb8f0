"""Company requests (企业诉求): a problem a landed company raises — an approval, utilities,
talent, financing, clinical access — with the person who owns it, a due date, escalation,
the resolution and the company's satisfaction. Investment-promotion bureaus are judged on
how they are solved; before Luodi they lived in WeChat threads.

Re-exported by models.py; writes live in domain/requests.py, who may see and do what in
rules.py (a request is seen by whoever may see its project).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

_USER = settings.AUTH_USER_MODEL


class RequestCategory(models.TextChoices):
    APPROVAL = "approval", _("Approvals and licences")
    SITE = "site", _("Site, fit-out and utilities")
    TALENT = "talent", _("Talent and housing")
    FINANCING = "financing", _("Financing")
    CLINICAL = "clinical", _("Clinical resources and trials")
    POLICY = "policy", _("Policy subsidies paid out")
    OTHER = "other", _("Other")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ESCALATED = "escalated", _("Escalated")
    RESOLVED = "resolved", _("Resolved")


class CompanyRequest(models.Model):
    project = models.ForeignKey(
        "pipeline.Project",
        on_delete=models.CASCADE,
        related_name="company_requests",
        verbose_name=_("project"),
    )
    category = models.CharField(_("category"), max_length=16, choices=RequestCategory.choices)
    title = models.CharField(_("request"), max_length=255)
    details = models.TextField(_("details"), blank=True)
    raised_on = models.DateField(_("raised on"), default=timezone.localdate)
    raised_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner = models.ForeignKey(
        _USER,
        on_delete=models.PROTECT,
        related_name="company_requests",
        verbose_name=_("responsible person"),
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    escalated_to = models.CharField(_("escalated to"), max_length=200, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("company satisfaction (1–5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    # The owner's follow-up in their task list, reminders and calendar feed.
    task = models.OneToOneField(
        "pipeline.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    visit = models.ForeignKey(
        "engagements.Visit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="company_requests",
        verbose_name=_("raised at visit"),
    )
    meeting = models.ForeignKey(
        "engagements.Meeting",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="company_requests",
        verbose_name=_("raised at meeting"),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("company request")
        verbose_name_plural = _("company requests")
        ordering = ["status", "due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="resolved") | ~models.Q(resolution=""),
                name="request_resolved_with_resolution",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.status != RequestStatus.RESOLVED and self.due_date < timezone.localdate()

    @property
    def days_to_resolve(self) -> int | None:
        if self.resolved_at is None:
            return None
        return (timezone.localtime(self.resolved_at).date() - self.raised_on).days
