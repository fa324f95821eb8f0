"""Report jobs: one row per requested report, claimed and processed in the background."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    # An annual report the requester is still writing: never claimed by the build job.
    DRAFT = "draft", _("Draft")


class ReportScope(models.TextChoices):
    ALL = "all", _("Whole portfolio")
    PARK = "park", _("One park")
    AREA = "area", _("One therapeutic area")


class ReportKind(models.TextChoices):
    PORTFOLIO = "portfolio", _("Portfolio report")
    AFTER_LANDING = "after_landing", _("After-landing report for the government")
    ANNUAL_TRANSFER = "annual_transfer", _("Annual transformation report")


class ReportLanguage(models.TextChoices):
    ZH = "zh-hans", "简体中文"
    EN = "en", "English"


class ReportJob(models.Model):
    """A monthly or quarterly report (PDF + xlsx) for a period, scoped to its requester and
    optionally narrowed to one park or one therapeutic area (`insights.scope`)."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    scope = models.CharField(
        _("scope"), max_length=8, choices=ReportScope.choices, default=ReportScope.ALL
    )
    # SET_NULL rather than CASCADE: the report row stays; building it then fails with a
    # message instead of silently widening to the whole portfolio.
    scope_park = models.ForeignKey(
        "catalog.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("park"),
    )
    scope_area = models.ForeignKey(
        "catalog.Term",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("therapeutic area"),
    )
    kind = models.CharField(
        _("report"), max_length=16, choices=ReportKind.choices, default=ReportKind.PORTFOLIO
    )
    # The language the report is written in; blank: the requester's (portfolio reports).
    language = models.CharField(
        _("language"), max_length=8, choices=ReportLanguage.choices, blank=True
    )
    # The narrative as the requester edited it before issuing (after-landing reports).
    narrative = models.TextField(_("narrative"), blank=True)
    # Annual transformation reports: the institution (SET_NULL as scope_park: the build then
    # fails with a message) and the requester's own text per section, {section key: text}.
    institution = models.ForeignKey(
        "catalog.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("institution"),
    )
    sections = models.JSONField(_("section texts"), default=dict, blank=True)
    # Drafts are edited in several saves: a stale one is refused (luodi.concurrency).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    status = models.CharField(
        _("status"), max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress %"), default=0)
    pdf = models.FileField(upload_to="insights/reports/", blank=True, max_length=255)
    xlsx = models.FileField(upload_to="insights/reports/", blank=True, max_length=255)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.period_start}–{self.period_end}"

    @property
    def scope_label(self) -> str:
        """For lists: the institution of an annual report; the park or area name, or the
        scope's label for the whole portfolio."""
        if self.kind == ReportKind.ANNUAL_TRANSFER:
            return str(self.institution) if self.institution is not None else "—"
        if self.scope == ReportScope.PARK and self.scope_park is not None:
            return str(self.scope_park)
        if self.scope == ReportScope.AREA and self.scope_area is not None:
            return str(self.scope_area)
        return str(self.get_scope_display())

    @property
    def report_language(self) -> str:
        return self.language or self.requested_by.preferred_language()

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def is_draft(self) -> bool:
        return self.status == JobStatus.DRAFT
