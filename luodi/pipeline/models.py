"""Pipeline: transformation projects (转化项目) and their stage history, agreements with
documents and obligations, the landing record, tasks and notes.

Models stay slim: writes live in `domain/`, permissions in `rules.py`.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luodi.catalog.models import Achievement, Carrier, ClinicalNeed, Organization, Term
from luodi.pipeline.choices import (
    AgreementKind,
    AgreementStatus,
    DeviceClass,
    DocumentType,
    ObligationKind,
    ObligationStatus,
    ProjectStage,
    TaskStatus,
)
from luodi.pipeline.regulatory import step_choices
from luodi.pipeline.validators import validate_uscc

_USER = settings.AUTH_USER_MODEL


class Project(models.Model):
    """One achievement's (or clinical need's) journey from lead to landing."""

    title = models.CharField(_("title"), max_length=255)
    achievement = models.ForeignKey(
        Achievement,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("achievement"),
    )
    clinical_need = models.ForeignKey(
        ClinicalNeed,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("clinical need"),
    )
    owner = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="owned_projects",
        verbose_name=_("owner"),
    )
    company = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("company"),
    )
    investor = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("investor"),
    )
    target_park = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("target park"),
    )
    clinical_centers = models.ManyToManyField(
        Organization, blank=True, related_name="+", verbose_name=_("clinical centers")
    )
    staff = models.ForeignKey(
        _USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("responsible staff"),
    )
    summary = models.TextField(_("summary"), blank=True)
    stage = models.CharField(
        _("stage"),
        max_length=20,
        choices=ProjectStage.choices,
        default=ProjectStage.LEAD,
        db_index=True,
    )
    stage_entered_at = models.DateTimeField(_("in stage since"), default=timezone.now)
    stage_reason = models.CharField(_("reason"), max_length=500, blank=True)
    paused_from = models.CharField(max_length=20, blank=True, choices=ProjectStage.choices)
    regulatory_step = models.CharField(
        _("NMPA path step"), max_length=20, blank=True, choices=step_choices()
    )
    device_class = models.CharField(
        _("device class"), max_length=4, blank=True, choices=DeviceClass.choices
    )
    needed_specialty = models.ForeignKey(
        Term,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"scheme": "specialty"},
        verbose_name=_("trial specialty needed"),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    created_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Incremented by every saved edit (luodi/concurrency.py): a second editor who loaded
    # an older version gets a conflict instead of silently reverting the first.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("transformation project")
        verbose_name_plural = _("transformation projects")
        ordering = ["-stage_entered_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(achievement__isnull=False)
                | models.Q(clinical_need__isnull=False),
                name="project_has_subject",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def party_ids(self, *, centers: bool = True) -> list[int]:
        """The organizations that are parties: owner, company, investor, target park and
        (with `centers`) the clinical centers."""
        ids = [
            i for i in (self.owner_id, self.company_id, self.investor_id, self.target_park_id) if i
        ]
        if centers and self.pk:
            ids += list(self.clinical_centers.values_list("pk", flat=True))
        return ids

    @property
    def days_in_stage(self) -> int:
        return max((timezone.now() - self.stage_entered_at).days, 0)

    @property
    def kind(self) -> str:
        return self.achievement.kind if self.achievement_id and self.achievement else ""


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("Stage history is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("Stage history is append-only.")


class StageTransition(models.Model):
    """One move of a project between stages. Append-only: rows are never changed."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="transitions")
    from_stage = models.CharField(
        _("from"), max_length=20, blank=True, choices=ProjectStage.choices
    )
    to_stage = models.CharField(_("to"), max_length=20, choices=ProjectStage.choices)
    actor = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    note = models.TextField(_("note"), blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    warnings = models.JSONField(_("gate warnings acknowledged"), default=list, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("stage transition")
        verbose_name_plural = _("stage transitions")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.from_stage or '∅'} → {self.to_stage}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("Stage history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("Stage history is append-only.")


class ProjectNote(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(_USER, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("project note")
        verbose_name_plural = _("project notes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.text[:60]


class Agreement(models.Model):
    """An agreement inside one project (licence, investment, lease…), or between organizations
    with no project (framework, strategic cooperation, MoU, co-hosting): those are seen by
    their parties and link to the projects, visits and events that carry them out."""

    project = models.ForeignKey(
        Project,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="agreements",
        verbose_name=_("project"),
    )
    related_projects = models.ManyToManyField(
        Project,
        blank=True,
        related_name="framework_agreements",
        verbose_name=_("projects under this agreement"),
    )
    kind = models.CharField(_("type"), max_length=16, choices=AgreementKind.choices)
    title = models.CharField(_("title"), max_length=255)
    parties = models.ManyToManyField(
        Organization, blank=True, related_name="+", verbose_name=_("parties")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    effective_from = models.DateField(_("in force from"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def between_organizations(self) -> bool:
        return self.project_id is None


def _document_path(instance: AgreementDocument, filename: str) -> str:
    # A random name under MEDIA_ROOT: the uploader's file name never becomes a path.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"pipeline/agreements/{instance.agreement_id}/{uuid.uuid4().hex}{suffix}"


class AgreementDocument(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="documents")
    doc_type = models.CharField(
        _("document type"),
        max_length=16,
        choices=DocumentType.choices,
        default=DocumentType.CONTRACT,
    )
    file = models.FileField(_("file"), upload_to=_document_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(_USER, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("agreement document")
        verbose_name_plural = _("agreement documents")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class Obligation(models.Model):
    """What an agreement binds a party to do: pay, report, renew, visit…"""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="obligations")
    kind = models.CharField(_("type"), max_length=20, choices=ObligationKind.choices)
    description = models.CharField(_("description"), max_length=500)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    trigger = models.CharField(
        _("trigger"),
        max_length=255,
        blank=True,
        help_text=_("e.g. 'within 30 days of the IND approval'"),
    )
    responsible = models.ForeignKey(
        _USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("responsible person"),
    )
    amount_wan = models.DecimalField(
        _("amount (10k CNY)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=8, choices=ObligationStatus.choices, default=ObligationStatus.OPEN
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_date__isnull=False) | ~models.Q(trigger=""),
                name="obligation_due_or_trigger",
            )
        ]

    def __str__(self) -> str:
        return self.description


class LandingRecord(models.Model):
    """The landing (落地): entity registered, carrier leased, money and jobs committed."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="landing")
    entity_name = models.CharField(_("registered entity"), max_length=200)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, validators=[validate_uscc]
    )
    park = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("park"),
    )
    carrier = models.ForeignKey(
        Carrier,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("carrier leased"),
    )
    area_m2 = models.PositiveIntegerField(_("area leased (m²)"), null=True, blank=True)
    investment_wan = models.DecimalField(
        _("investment committed (10k CNY)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    jobs_planned = models.PositiveIntegerField(_("jobs planned"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("landing record")
        verbose_name_plural = _("landing records")

    def __str__(self) -> str:
        return self.entity_name


class Task(models.Model):
    """A follow-up with an owner and a due date, by hand or from an obligation."""

    project = models.ForeignKey(
        Project,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tasks",
        verbose_name=_("project"),
    )
    obligation = models.OneToOneField(
        Obligation, null=True, blank=True, on_delete=models.SET_NULL, related_name="task"
    )
    title = models.CharField(_("task"), max_length=255)
    owner = models.ForeignKey(
        _USER,
        on_delete=models.CASCADE,
        related_name="pipeline_tasks",
        verbose_name=_("assigned to"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True, db_index=True)
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=TaskStatus.choices,
        default=TaskStatus.OPEN,
        db_index=True,
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    # Claimed by the reminder job with a conditional UPDATE (… WHERE reminded_at IS NULL).
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    created_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["status", "due_date", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return (
            self.status == TaskStatus.OPEN
            and self.due_date is not None
            and self.due_date < timezone.localdate()
        )


class DigestSent(models.Model):
    """One row per person and day: inserting it claims that day's digest (unique key)."""

    user = models.ForeignKey(_USER, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="unique_digest_day")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"


# Technology-contract registrations (技术合同认定登记) and company requests (企业诉求) after
# landing live in their own modules; re-exported here so Django registers them with the
# pipeline app.
from luodi.pipeline.registration_models import (  # noqa: E402
    ContractRegistration as ContractRegistration,
)
from luodi.pipeline.request_models import CompanyRequest as CompanyRequest  # noqa: E402
from luodi.pipeline.request_models import RequestCategory as RequestCategory  # noqa: E402
from luodi.pipeline.request_models import RequestStatus as RequestStatus  # noqa: E402
