"""Challenges (揭榜挂帅) and the proposals that answer them.

- `Challenge`: a problem an organization (company, park, hospital…) or the association's
  staff (`poster` empty) puts out, bilingual like the catalog's records, with a budget as a
  range in integer fen (a single amount is min = max), a deadline (a day: proposals are
  accepted through it, local time), public or invited; draft → open → closed → awarded,
  or cancelled. It may come from a clinical need (`need`).
- `Invitation`: an organization invited to an invited challenge (or nudged to a public one).
- `Proposal`: a structured answer, from a signed-in applicant for their organization or
  from an applicant without an account (name, email and organization as typed); moved by
  the reviewers screen → assess → finalist → awarded, or declined; withdrawn by its applicant.
  An award keeps the pipeline project and draft agreement it created.
- `StageMove` (append-only history, who and when), `Score` (one per reviewer and stage),
  `Attachment` (a file under a random name, served only as a download).
Writes live in domain.py, permissions in rules.py.
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luodi.catalog.models import Bilingual
from luodi.challenges.choices import ChallengeStatus, Readiness, Stage, Visibility

_USER = settings.AUTH_USER_MODEL


class Challenge(Bilingual):
    poster = models.ForeignKey(
        "catalog.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="challenges",
        verbose_name=_("posted by"),
        help_text=_("Empty: posted by the association."),
    )
    need = models.ForeignKey(
        "catalog.ClinicalNeed",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="challenges",
        verbose_name=_("clinical need"),
    )
    title_zh = models.CharField(_("title (Chinese)"), max_length=255, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    problem_zh = models.TextField(_("problem (Chinese)"), blank=True)
    problem_en = models.TextField(_("problem (English)"), blank=True)
    budget_min_fen = models.PositiveBigIntegerField(_("budget from (fen)"), null=True, blank=True)
    budget_max_fen = models.PositiveBigIntegerField(_("budget up to (fen)"), null=True, blank=True)
    timeline = models.TextField(_("timeline"), blank=True)
    eligibility = models.TextField(_("eligibility"), blank=True)
    ip_terms = models.TextField(_("IP terms"), blank=True)
    deadline = models.DateField(_("deadline"))
    visibility = models.CharField(
        _("visibility"), max_length=8, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ChallengeStatus.choices, default=ChallengeStatus.DRAFT
    )
    reviewers: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        _USER, blank=True, related_name="reviewed_challenges", verbose_name=_("reviewers")
    )
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "visibility"])]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.pick(self.title_zh, self.title_en)

    @property
    def problem(self) -> str:
        return self.pick(self.problem_zh, self.problem_en)

    @property
    def poster_name(self) -> str:
        return self.poster.display_name if self.poster_id and self.poster else str(_("Luodi"))

    def accepts_proposals(self, today: date | None = None) -> bool:
        day = today or timezone.localdate()
        return self.status == ChallengeStatus.OPEN and day <= self.deadline


class Invitation(models.Model):
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="invitations")
    organization = models.ForeignKey(
        "catalog.Organization",
        on_delete=models.CASCADE,
        related_name="challenge_invitations",
        verbose_name=_("organization"),
    )
    # Why it was invited: the match explanation shown when it was (or "" when by hand).
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    invited_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("invited"), auto_now_add=True)

    class Meta:
        verbose_name = _("challenge invitation")
        verbose_name_plural = _("challenge invitations")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "organization"], name="one_invitation_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.challenge_id} → {self.organization_id}"


class Proposal(models.Model):
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="proposals")
    organization = models.ForeignKey(
        "catalog.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="challenge_proposals",
        verbose_name=_("proposing organization"),
    )
    submitted_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applicant_name = models.CharField(_("applicant"), max_length=120)
    applicant_email = models.EmailField(_("email"), max_length=254)
    applicant_organization = models.CharField(_("organization"), max_length=255)
    title = models.CharField(_("proposal title"), max_length=255)
    summary = models.TextField(_("summary"))
    approach = models.TextField(_("hypothesis and approach"))
    readiness = models.PositiveSmallIntegerField(
        _("technology readiness"), choices=Readiness.choices
    )
    plan = models.TextField(_("plan and milestones"))
    team = models.TextField(_("team"), blank=True)
    budget_ask_fen = models.PositiveBigIntegerField(_("budget asked (fen)"), null=True, blank=True)
    achievements = models.ManyToManyField(
        "catalog.Achievement",
        blank=True,
        related_name="challenge_proposals",
        verbose_name=_("linked achievements"),
    )
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.SCREEN)
    stage_entered_at = models.DateTimeField(_("in stage since"), default=timezone.now)
    project = models.ForeignKey(
        "pipeline.Project",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("transformation project"),
    )
    agreement = models.ForeignKey(
        "pipeline.Agreement",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("agreement"),
    )
    language = models.CharField(max_length=16, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("submitted"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["challenge", "stage"])]

    def __str__(self) -> str:
        return self.title

    @property
    def proposer(self) -> str:
        if self.organization_id and self.organization:
            return self.organization.display_name
        return self.applicant_organization or self.applicant_name


class StageMove(models.Model):
    """One move of a proposal between stages (append-only)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="moves")
    from_stage = models.CharField(max_length=10, blank=True, choices=Stage.choices)
    to_stage = models.CharField(max_length=10, choices=Stage.choices)
    actor = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.from_stage} → {self.to_stage}"


class Score(models.Model):
    """A reviewer's score of a proposal at one stage, 1 (weak) to 5 (excellent)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="scores")
    reviewer = models.ForeignKey(_USER, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=10, choices=Stage.choices)
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["stage", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "reviewer", "stage"], name="one_score_per_reviewer_stage"
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="score_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}/{self.stage}: {self.score}"


def _attachment_path(instance: Attachment, filename: str) -> str:
    # A random name: the applicant's file name never becomes a path.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"challenges/proposals/{instance.proposal_id}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name
