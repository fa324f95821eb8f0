"""Reward distribution (奖励分配): an institution's policy for sharing transfer income (kept
in versions, each in force from a day), the agreed shares of an achievement's contributors,
and one distribution per received income entry of the ledger with its computed lines.

Shares are integer basis points (10,000 bp = 100 %), money integer fen (luodi.money). A
distribution copies the policy's rates when it is computed, so a later policy never
rewrites a split already made; its lines name their recipients as they were then.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from luodi.rewards.choices import DistributionState, LineRole

_USER = settings.AUTH_USER_MODEL


class RewardPolicy(models.Model):
    """One version of an institution's reward policy, in force from `effective_from` until
    the next version's day. Versions are added, never changed."""

    institution = models.ForeignKey(
        "catalog.Organization",
        on_delete=models.PROTECT,
        related_name="reward_policies",
        verbose_name=_("institution"),
    )
    effective_from = models.DateField(_("in force from"))
    team_bp = models.PositiveIntegerField(_("research team (bp)"))
    main_bp = models.PositiveIntegerField(_("main contributors, of the team's part (bp)"))
    institution_bp = models.PositiveIntegerField(_("institution (bp)"))
    department_bp = models.PositiveIntegerField(_("department (bp)"))
    department_name = models.CharField(_("department"), max_length=120, blank=True)
    notice_days = models.PositiveSmallIntegerField(_("public notice (days)"), default=15)
    note = models.TextField(_("note"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("reward policy")
        verbose_name_plural = _("reward policies")
        ordering = ["institution", "-effective_from", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "effective_from"], name="rewards_policy_one_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.effective_from}"


class ContributorTeam(models.Model):
    """The contributors of an achievement and their agreed shares (edited as a whole, with
    one version for the set)."""

    achievement = models.OneToOneField(
        "catalog.Achievement",
        on_delete=models.CASCADE,
        related_name="reward_team",
        verbose_name=_("achievement"),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("contributor team")
        verbose_name_plural = _("contributor teams")

    def __str__(self) -> str:
        return f"team of {self.achievement_id}"


class ContributorShare(models.Model):
    team = models.ForeignKey(
        ContributorTeam, on_delete=models.CASCADE, related_name="shares", verbose_name=_("team")
    )
    person = models.ForeignKey(
        "catalog.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    share_bp = models.PositiveIntegerField(_("agreed share (bp)"))
    is_main = models.BooleanField(_("main contributor"), default=False)

    class Meta:
        verbose_name = _("contributor share")
        verbose_name_plural = _("contributor shares")
        ordering = ["-is_main", "-share_bp", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["team", "person"], name="rewards_share_one_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.share_bp}"


class RewardDistribution(models.Model):
    entry = models.OneToOneField(
        "ledger.LedgerEntry",
        on_delete=models.PROTECT,
        related_name="reward_distribution",
        verbose_name=_("income"),
    )
    institution = models.ForeignKey(
        "catalog.Organization",
        on_delete=models.PROTECT,
        related_name="reward_distributions",
        verbose_name=_("institution"),
    )
    policy = models.ForeignKey(
        RewardPolicy, on_delete=models.PROTECT, related_name="+", verbose_name=_("policy")
    )
    # The policy as it was applied (a later version does not rewrite this split).
    team_bp = models.PositiveIntegerField(_("research team (bp)"))
    main_bp = models.PositiveIntegerField(_("main contributors, of the team's part (bp)"))
    institution_bp = models.PositiveIntegerField(_("institution (bp)"))
    department_bp = models.PositiveIntegerField(_("department (bp)"))
    department_name = models.CharField(_("department"), max_length=120, blank=True)
    equity = models.BooleanField(_("equity (value, not cash)"), default=False)
    gross_fen = models.PositiveBigIntegerField(_("income (fen)"))
    deducted_fen = models.PositiveBigIntegerField(_("deducted costs (fen)"), default=0)
    deduction_note = models.TextField(_("note on the deduction"), blank=True)
    base_fen = models.PositiveBigIntegerField(_("net base (fen)"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY", editable=False)
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=DistributionState.choices,
        default=DistributionState.DRAFT,
    )
    approved_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approval_body = models.CharField(_("approved by (body or meeting)"), max_length=200, blank=True)
    approval_reference = models.CharField(_("approval reference"), max_length=200, blank=True)
    notice_starts_on = models.DateField(_("notice starts on"), null=True, blank=True)
    notice_ends_on = models.DateField(_("notice ends on"), null=True, blank=True)
    notice_where = models.CharField(_("published where"), max_length=200, blank=True)
    objection = models.TextField(_("last objection"), blank=True)
    finalized_on = models.DateField(_("final on"), null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("reward distribution")
        verbose_name_plural = _("reward distributions")
        ordering = ["-pk"]
        indexes = [models.Index(fields=["institution", "state"])]

    def __str__(self) -> str:
        return f"reward {self.entry_id} {self.base_fen}"


class Deduction(models.Model):
    """An expense of the ledger deducted from a distribution's base; each expense once."""

    distribution = models.ForeignKey(
        RewardDistribution, on_delete=models.CASCADE, related_name="deductions"
    )
    entry = models.OneToOneField(
        "ledger.LedgerEntry", on_delete=models.PROTECT, related_name="reward_deduction"
    )

    class Meta:
        verbose_name = _("deducted cost")
        verbose_name_plural = _("deducted costs")

    def __str__(self) -> str:
        return f"{self.distribution_id} − {self.entry_id}"


class RewardLine(models.Model):
    distribution = models.ForeignKey(
        RewardDistribution, on_delete=models.CASCADE, related_name="lines"
    )
    role = models.CharField(_("role"), max_length=12, choices=LineRole.choices)
    person = models.ForeignKey(
        "catalog.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("person"),
    )
    recipient = models.CharField(_("recipient"), max_length=200)
    agreed_bp = models.PositiveIntegerField(_("agreed share (bp)"), null=True, blank=True)
    share_ppm = models.PositiveIntegerField(_("share of the base (ppm)"))
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("reward line")
        verbose_name_plural = _("reward lines")
        ordering = ["distribution", "position"]

    def __str__(self) -> str:
        return f"{self.recipient} {self.amount_fen}"


class DistributionEvent(models.Model):
    """Append-only history of a distribution's states (an objection's text stays here)."""

    distribution = models.ForeignKey(
        RewardDistribution, on_delete=models.CASCADE, related_name="events"
    )
    from_state = models.CharField(max_length=10, choices=DistributionState.choices, blank=True)
    to_state = models.CharField(max_length=10, choices=DistributionState.choices)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("distribution event")
        verbose_name_plural = _("distribution events")
        ordering = ["distribution", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_state}→{self.to_state}"
