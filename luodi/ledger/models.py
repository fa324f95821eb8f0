"""One model: a ledger entry, an amount an institution received or paid (or expects to)
for technology transfer, linked to the achievement and the agreement it concerns.

Money is integer fen (luodi.money). An entry an agreement's obligation created keeps that
obligation (one entry per obligation, so re-running the creation adds nothing); a patent's
annual fee paid keeps its payment (ledger.fees mirrors every payment); an overdue
expected payment keeps the follow-up task raised for it (claimed once, tasks.py).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from luodi.ledger.choices import LedgerDirection, LedgerKind, LedgerStatus

_USER = settings.AUTH_USER_MODEL


class LedgerEntry(models.Model):
    institution = models.ForeignKey(
        "catalog.Organization",
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        verbose_name=_("institution"),
    )
    achievement = models.ForeignKey(
        "catalog.Achievement",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ledger_entries",
        verbose_name=_("achievement"),
    )
    agreement = models.ForeignKey(
        "pipeline.Agreement",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ledger_entries",
        verbose_name=_("agreement"),
    )
    obligation = models.OneToOneField(
        "pipeline.Obligation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ledger_entry",
        verbose_name=_("obligation"),
    )
    # A patent's annual fee as it was paid (patents.FeePayment): the entry mirrors the
    # payment and goes with it; it is changed on the patent's page, not here.
    fee_payment = models.OneToOneField(
        "patents.FeePayment",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="ledger_entry",
        verbose_name=_("patent annual fee"),
    )
    direction = models.CharField(_("direction"), max_length=8, choices=LedgerDirection.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=LedgerKind.choices)
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY", editable=False)
    valuation_fen = models.PositiveBigIntegerField(
        _("valuation of the achievement (fen)"), null=True, blank=True
    )
    shares_note = models.CharField(_("shares or percentage"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=LedgerStatus.choices, default=LedgerStatus.EXPECTED
    )
    expected_on = models.DateField(_("expected on"), null=True, blank=True)
    received_on = models.DateField(_("received or paid on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    overdue_task = models.ForeignKey(
        "pipeline.Task",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("follow-up task"),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-expected_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_fen__gt=0), name="ledger_amount_gt_0"),
        ]
        indexes = [models.Index(fields=["institution", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount_fen}"

    @property
    def day(self) -> date | None:
        """The day it counts on: received (or paid) on, else expected on."""
        return self.received_on or self.expected_on
