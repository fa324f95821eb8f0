"""Patents as records, the annual fees paid on them, and the reminders already sent.

A patent belongs to its owners (organizations); who may see it is who belongs to one of
them, and staff (rules.py). The fee schedule is not stored: `fees.schedule` computes it from
the dates, the reduction and the payments recorded here, so correcting a date corrects it.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luodi.catalog.models import Bilingual
from luodi.patents import fees
from luodi.patents.choices import LegalStatus, Office, PatentType, Reduction

_USER = settings.AUTH_USER_MODEL


class Patent(Bilingual):
    office = models.CharField(_("office"), max_length=10, choices=Office.choices)
    kind = models.CharField(_("type"), max_length=20, choices=PatentType.choices)
    application_number = models.CharField(_("application number"), max_length=40)
    grant_number = models.CharField(_("grant or publication number"), max_length=40, blank=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=255, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    filing_date = models.DateField(_("filing date"))
    priority_date = models.DateField(_("priority date"), null=True, blank=True)
    grant_date = models.DateField(_("grant date"), null=True, blank=True)
    status = models.CharField(
        _("legal status"), max_length=12, choices=LegalStatus.choices, default=LegalStatus.PENDING
    )
    owners = models.ManyToManyField(
        "catalog.Organization", related_name="patents", verbose_name=_("owners")
    )
    inventors = models.ManyToManyField(
        "catalog.Person", blank=True, related_name="patents", verbose_name=_("inventors")
    )
    achievements = models.ManyToManyField(
        "catalog.Achievement",
        blank=True,
        related_name="patent_records",
        verbose_name=_("achievements it backs"),
    )
    agreements = models.ManyToManyField(
        "pipeline.Agreement",
        blank=True,
        related_name="patents",
        verbose_name=_("agreements"),
    )
    fee_payer = models.ForeignKey(
        "catalog.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("pays the annual fees"),
    )
    reduction = models.PositiveSmallIntegerField(
        _("fee reduction"), choices=Reduction.choices, default=Reduction.NONE
    )
    note = models.TextField(_("note"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("patent")
        verbose_name_plural = _("patents")
        ordering = ["-filing_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "application_number"], name="one_patent_per_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_number} {self.title_zh or self.title_en}".strip()

    @property
    def title(self) -> str:
        return self.pick(self.title_zh, self.title_en)

    def fee_schedule(self, today: date | None = None) -> list[fees.FeeYear]:
        """Its annual fees (computed; see fees.py). Reads `payments` (prefetch them for a
        list)."""
        if self.status not in (LegalStatus.GRANTED, LegalStatus.LAPSED, LegalStatus.EXPIRED):
            return []
        paid = {p.year: p.paid_on for p in self.payments.all()}
        return fees.schedule(
            office=self.office,
            kind=self.kind,
            filing_date=self.filing_date,
            grant_date=self.grant_date,
            reduction=self.reduction,
            paid=paid,
            today=today or timezone.localdate(),
        )

    def next_fee(self, today: date | None = None) -> fees.FeeYear | None:
        if self.status != LegalStatus.GRANTED:
            return None
        return fees.next_unpaid(self.fee_schedule(today))


class FeePayment(models.Model):
    patent = models.ForeignKey(
        Patent, on_delete=models.CASCADE, related_name="payments", verbose_name=_("patent")
    )
    year = models.PositiveSmallIntegerField(_("patent year"))
    paid_on = models.DateField(_("paid on"))
    amount_fen = models.PositiveBigIntegerField(_("amount paid (fen)"))
    late_fee_fen = models.PositiveBigIntegerField(_("late fee (fen)"), default=0)
    note = models.CharField(_("note"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("annual fee payment")
        verbose_name_plural = _("annual fee payments")
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(fields=["patent", "year"], name="one_payment_per_patent_year")
        ]

    def __str__(self) -> str:
        return f"{self.patent.application_number} / {self.year}"


class FeeReminder(models.Model):
    """A reminder already sent for one year's fee at one lead time: claimed by inserting
    this row, so a re-run of the daily job sends nothing twice."""

    patent = models.ForeignKey(Patent, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    lead = models.CharField(max_length=10)  # "60", "30", "7" days before, or "grace"
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patent", "year", "lead"], name="one_reminder_each")
        ]

    def __str__(self) -> str:
        return f"{self.patent_id}/{self.year}/{self.lead}"
