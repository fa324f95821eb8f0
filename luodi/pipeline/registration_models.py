"""Technology-contract registration (技术合同认定登记): a technology development, transfer,
licence, service or consulting contract registered with the local technology-market office.
The registration certificate is what unlocks the tax relief on the technical income and the
reward payments to the research team, so its number, date, office and amounts are kept here.

Re-exported by models.py; writes live in domain/registration.py, who may see and do what in
rules.py (a registration is seen by whoever may see its agreement).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luodi.pipeline.choices import RegistrationStatus

_USER = settings.AUTH_USER_MODEL
CURRENCY = "CNY"


class ContractRegistration(models.Model):
    agreement = models.OneToOneField(
        "pipeline.Agreement",
        on_delete=models.CASCADE,
        related_name="registration",
        verbose_name=_("agreement"),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.PREPARING,
    )
    registration_number = models.CharField(_("registration number"), max_length=64, blank=True)
    registered_on = models.DateField(_("date of registration"), null=True, blank=True)
    office = models.CharField(
        _("registration office"),
        max_length=200,
        blank=True,
        help_text=_("e.g. the city's technology contract registration office"),
    )
    # Money in fen (1/100 yuan) as integers: never a float, sums stay exact.
    transaction_value_fen = models.PositiveBigIntegerField(
        _("transaction value (fen)"), null=True, blank=True
    )
    technical_income_fen = models.PositiveBigIntegerField(
        _("technical income (fen)"), null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, default=CURRENCY, editable=False)
    # The keys of the RegistrationCheck items ticked so far.
    checklist = models.JSONField(_("checklist"), default=list, blank=True)
    return_reason = models.TextField(_("reason it was returned"), blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("contract registration")
        verbose_name_plural = _("contract registrations")
        constraints = [
            # One certificate number names one contract; empty while preparing.
            models.UniqueConstraint(
                fields=["registration_number"],
                condition=~models.Q(registration_number=""),
                name="unique_registration_number",
            ),
            # The database keeps the rules the domain checks first (a second line of defence
            # against a write that bypasses it).
            models.CheckConstraint(
                condition=models.Q(technical_income_fen__isnull=True)
                | models.Q(transaction_value_fen__isnull=True)
                | models.Q(technical_income_fen__lte=models.F("transaction_value_fen")),
                name="registration_income_within_value",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="registered")
                | (~models.Q(registration_number="") & models.Q(registered_on__isnull=False)),
                name="registration_registered_has_number",
            ),
        ]

    def __str__(self) -> str:
        return self.registration_number or f"{self.agreement_id}: {self.status}"
