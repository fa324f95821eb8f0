"""Assessment templates, assessments (one per achievement and round), reviewer invitations
and their scores.

- A `Template` holds weighted `TemplateCriterion` rows (scale min–max, labels and
  descriptions in both languages). The default one (科技成果评价: TRL, 创新度, 先进度, 应用前景,
  知识产权, 团队) is seeded by migration 0002; staff copy and edit templates.
- An `Assessment` snapshots its template's criteria when it opens (`criteria`, a JSON list),
  so editing a template never changes an assessment under way. Re-assessment opens the next
  `round` of the same achievement; earlier rounds stay as history.
- An `Invitation` is one reviewer: an internal user, or an external person by name and email
  (no account; their link carries a signed token, tokens.py). Its state is derived from its
  dates (declared, submitted, revoked). A declared conflict ends the reviewer's part.
- A `Score` is one reviewer's value for one criterion (by the snapshot's code), within the
  criterion's scale, with a comment.
- The summary (readiness, strengths, risks, suggested partner kinds, overall score) is
  written on the assessment by staff; `overall_permille` stores the weighted score (0–1000)
  at that moment, so the result read by the achievement page and matchmaking is stable.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from luodi.assessments.choices import READINESS, Mode, ReviewerState, Status
from luodi.catalog.models import Bilingual

_USER = settings.AUTH_USER_MODEL


class Template(Bilingual):
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_default = models.BooleanField(_("default template"), default=False)
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("assessment template")
        verbose_name_plural = _("assessment templates")
        ordering = ["-is_default", "name_zh", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.pick(self.name_zh, self.name_en)


class TemplateCriterion(Bilingual):
    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    code = models.SlugField(_("code"), max_length=40)
    label_zh = models.CharField(_("label (Chinese)"), max_length=120)
    label_en = models.CharField(_("label (English)"), max_length=120, blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"))
    scale_min = models.PositiveSmallIntegerField(_("lowest score"), default=1)
    scale_max = models.PositiveSmallIntegerField(_("highest score"), default=5)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="one_criterion_code"),
            models.CheckConstraint(
                condition=Q(scale_max__gt=models.F("scale_min")), name="criterion_scale_order"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.pick(self.label_zh, self.label_en)

    def snapshot(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label_zh": self.label_zh,
            "label_en": self.label_en,
            "description_zh": self.description_zh,
            "description_en": self.description_en,
            "weight": self.weight,
            "min": self.scale_min,
            "max": self.scale_max,
        }


class Assessment(models.Model):
    achievement = models.ForeignKey(
        "catalog.Achievement",
        on_delete=models.CASCADE,
        related_name="assessments",
        verbose_name=_("achievement"),
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    template = models.ForeignKey(
        Template,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assessments",
        verbose_name=_("template"),
    )
    criteria = models.JSONField(_("criteria"), default=list)
    mode = models.CharField(_("review mode"), max_length=8, choices=Mode.choices)
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    # Where the links in mails point (the address staff opened it from); jobs have no request.
    base_url = models.CharField(max_length=200, blank=True)
    opened_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # The summary (staff).
    readiness = models.PositiveSmallIntegerField(
        _("readiness"), null=True, blank=True, choices=READINESS
    )
    strengths = models.TextField(_("strengths"), blank=True)
    risks = models.TextField(_("risks"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    suggested_kinds = models.JSONField(_("suggested partner kinds"), default=list, blank=True)
    overall_permille = models.PositiveSmallIntegerField(
        _("overall score (‰)"), null=True, blank=True
    )
    summarised_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summarised_at = models.DateTimeField(_("summarised"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["achievement", "round"], name="one_assessment_round")
        ]

    def __str__(self) -> str:
        return f"{self.achievement} · {self.round}"

    @property
    def is_open(self) -> bool:
        return self.status == Status.OPEN

    def criterion(self, code: str) -> dict[str, Any] | None:
        return next((c for c in self.criteria if c["code"] == code), None)


class Invitation(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(
        _USER,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="assessment_invitations",
        verbose_name=_("internal reviewer"),
    )
    name = models.CharField(_("name"), max_length=120, blank=True)
    email = models.EmailField(_("email"), blank=True)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    invited_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField(_("invited"), auto_now_add=True)
    declared_at = models.DateTimeField(_("conflict of interest declared"), null=True, blank=True)
    has_conflict = models.BooleanField(_("conflict of interest"), default=False)
    conflict_note = models.TextField(_("conflict described"), blank=True)
    nda_version = models.CharField(_("NDA version"), max_length=32, blank=True)
    nda_accepted_at = models.DateTimeField(_("NDA accepted"), null=True, blank=True)
    grant = models.ForeignKey(
        "disclosure.AccessGrant",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    comment = models.TextField(_("overall comment"), blank=True)
    submitted_at = models.DateTimeField(_("scores submitted"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("reviewer invitation")
        verbose_name_plural = _("reviewer invitations")
        ordering = ["invited_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(email=""), name="reviewer_is_someone"
            ),
            models.UniqueConstraint(
                fields=["assessment", "user"],
                condition=Q(user__isnull=False),
                name="one_invitation_per_user",
            ),
            models.UniqueConstraint(
                fields=["assessment", "email"],
                condition=Q(user__isnull=True),
                name="one_invitation_per_email",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.user_id is not None:
            user = self.user
            assert user is not None
            return user.get_full_name() or user.get_username()
        return self.name or self.email

    @property
    def is_external(self) -> bool:
        return self.user_id is None

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return ReviewerState.REVOKED
        if self.declared_at is None:
            return ReviewerState.INVITED
        if self.has_conflict:
            return ReviewerState.CONFLICT
        if self.submitted_at is not None:
            return ReviewerState.SUBMITTED
        return ReviewerState.DECLARED

    def get_state_display(self) -> str:
        return str(ReviewerState(self.state).label)

    @property
    def cleared(self) -> bool:
        """Declared no conflict and not withdrawn: may see the dossier (after the NDA, for a
        confidential achievement) and score."""
        return self.revoked_at is None and self.declared_at is not None and not self.has_conflict


class Score(models.Model):
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="scores")
    criterion = models.SlugField(_("criterion"), max_length=40)
    value = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["invitation", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["invitation", "criterion"], name="one_score_per_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criterion}={self.value}"
