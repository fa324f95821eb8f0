"""Matchmaking records: match outcomes (with feedback), NDA access requests and open calls.
Writes live in `domain.py` / `feedback.py`, permissions in `rules.py`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SourceKind(models.TextChoices):
    ACHIEVEMENT = "achievement", _("Achievement")
    ORGANIZATION = "organization", _("Organization")
    NEED = "need", _("Clinical need")
    TRIAL = "trial", _("Trial")


class TargetKind(models.TextChoices):
    COMPANY = "company", _("Licensees / co-developers")
    INVESTOR = "investor", _("Investors")
    PARK = "park", _("Parks")
    CENTER = "center", _("Clinical centers")
    ACHIEVEMENT = "achievement", _("Achievements")
    TEAM = "team", _("Teams")


class MatchStatus(models.TextChoices):
    SUGGESTED = "suggested", _("Suggested")
    SHORTLISTED = "shortlisted", _("Shortlisted")
    INTRODUCED = "introduced", _("Introduced")
    IN_DISCUSSION = "in_discussion", _("In discussion")
    CONVERTED = "converted", _("Converted to a transformation project")
    DECLINED = "declined", _("Declined")


class DeclineReason(models.TextChoices):
    TOO_EARLY = "too_early", _("Too early")
    WRONG_FIELD = "wrong_field", _("Wrong field")
    NO_CAPACITY = "no_capacity", _("No capacity")
    TERMS = "terms", _("Terms")
    OTHER = "other", _("Other")


class MatchRecord(models.Model):
    """One suggested pair and its outcome. The pair is (source, target); `achievement` and
    `counterparty` denormalise the two things permissions and learning need."""

    source_kind = models.CharField(_("source"), max_length=16, choices=SourceKind.choices)
    source_id = models.PositiveIntegerField()
    target_kind = models.CharField(_("target"), max_length=16, choices=TargetKind.choices)
    target_id = models.PositiveIntegerField()
    achievement = models.ForeignKey(
        "catalog.Achievement",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="match_records",
        verbose_name=_("achievement"),
    )
    source_owner = models.ForeignKey(
        "catalog.Organization",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("source owner"),
    )
    counterparty = models.ForeignKey(
        "catalog.Organization",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="match_records",
        verbose_name=_("counterparty"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=MatchStatus.choices, default=MatchStatus.SUGGESTED
    )
    project = models.ForeignKey(
        "pipeline.Project",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("transformation project"),
    )
    score = models.FloatField(_("score"), default=0.0)
    decline_reason = models.CharField(
        _("decline reason"), max_length=16, choices=DeclineReason.choices, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    # What the source looked like when the decision was made (stage, fields, carrier needs):
    # learning reads this, so later edits of the source do not rewrite history.
    features = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_kind", "source_id", "target_kind", "target_id"],
                name="unique_match_pair",
            )
        ]
        indexes = [models.Index(fields=["counterparty", "status"])]

    def __str__(self) -> str:
        return f"{self.source_kind}:{self.source_id} → {self.target_kind}:{self.target_id}"


class AccessStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    NDA_ACCEPTED = "nda_accepted", _("NDA accepted, waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class AccessRequest(models.Model):
    """A counterparty asks to see a withheld dossier: NDA accepted in the platform (version and
    time recorded), then the owner or staff approves, which creates an AccessGrant
    (luodi.disclosure)."""

    achievement = models.ForeignKey(
        "catalog.Achievement",
        on_delete=models.CASCADE,
        related_name="access_requests",
        verbose_name=_("achievement"),
    )
    organization = models.ForeignKey(
        "catalog.Organization",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("requesting organization"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("requested by"),
    )
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=AccessStatus.choices, default=AccessStatus.REQUESTED
    )
    nda_version = models.CharField(_("NDA version"), max_length=32, blank=True)
    nda_accepted_at = models.DateTimeField(_("NDA accepted"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    grant = models.OneToOneField(
        "disclosure.AccessGrant",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="request",
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)

    class Meta:
        verbose_name = _("dossier access request")
        verbose_name_plural = _("dossier access requests")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.achievement_id} ← {self.organization_id or self.requested_by_id}"


class OpenCall(models.Model):
    """A clinical need published as an open call; matched organizations are notified."""

    need = models.OneToOneField(
        "catalog.ClinicalNeed", on_delete=models.CASCADE, related_name="open_call"
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), auto_now_add=True)
    notified = models.ManyToManyField(
        "catalog.Organization",
        blank=True,
        related_name="open_calls",
        verbose_name=_("notified organizations"),
    )

    class Meta:
        verbose_name = _("open call")
        verbose_name_plural = _("open calls")
        ordering = ["-published_at"]

    def __str__(self) -> str:
        return f"open call {self.need_id}"


class RankerGeneration(models.Model):
    """One published fit of a ranker that is fitted on catalog data rather than indexed
    (kind "site_ranker": luodi.sites' SiteRanker over the trials with sites), saved as one
    file in the default storage by a job (`site_model.py`). Every process serves the newest
    version of its kind; the unique (kind, version) pair fences two fitters publishing at
    once. An empty `path` records a fit over no trials: nothing to rank from."""

    kind = models.CharField(max_length=32)
    version = models.PositiveIntegerField()
    path = models.CharField(max_length=255, blank=True)  # name in the default storage
    trials = models.PositiveIntegerField(default=0)
    sites = models.PositiveIntegerField(default=0)
    digest = models.CharField(max_length=64)  # of the data it was fitted on
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="ranker_generation_version")
        ]
        ordering = ["kind", "-version"]

    def __str__(self) -> str:
        return f"{self.kind} v{self.version}"
