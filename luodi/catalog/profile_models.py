"""Catalog profiles: what a park, a clinical center or a company / investor offers and looks
for, and a park's carriers (载体). Kept apart from models.py (which re-exports them) so that
each module stays readable; they refer to organizations and terms by name to avoid an
import cycle.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from luodi.catalog.choices import (
    CarrierType,
    CompanyNeed,
    OrganizationKind,
    ParkService,
    Stage,
    choice_label,
)


class ParkProfile(models.Model):
    organization = models.OneToOneField(
        "catalog.Organization", on_delete=models.CASCADE, related_name="park"
    )
    industry_focus = models.ManyToManyField(
        "catalog.Term", blank=True, related_name="+", verbose_name=_("industry focus")
    )
    policy_text_zh = models.TextField(_("policies (Chinese)"), blank=True)
    policy_text_en = models.TextField(_("policies (English)"), blank=True)
    rent_subsidy_pct = models.PositiveSmallIntegerField(_("rent subsidy %"), null=True, blank=True)
    subsidy_years = models.PositiveSmallIntegerField(_("subsidy years"), null=True, blank=True)
    max_grant_wan = models.PositiveIntegerField(_("maximum grant (10k CNY)"), null=True, blank=True)
    services = models.JSONField(_("services"), default=list, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("park profile")
        verbose_name_plural = _("park profiles")

    def __str__(self) -> str:
        return str(self.organization)

    @property
    def service_labels(self) -> list[str]:
        return [choice_label(ParkService, code) for code in self.services]


class Carrier(models.Model):
    """A space offer in a park (载体)."""

    park = models.ForeignKey(
        "catalog.Organization",
        on_delete=models.CASCADE,
        related_name="carriers",
        limit_choices_to={"kind": OrganizationKind.PARK},
        verbose_name=_("park"),
    )
    name = models.CharField(_("name"), max_length=200)
    carrier_type = models.CharField(_("type"), max_length=16, choices=CarrierType.choices)
    area_total_m2 = models.PositiveIntegerField(_("total area (m²)"))
    area_available_m2 = models.PositiveIntegerField(_("available area (m²)"))
    rent_min = models.DecimalField(
        _("rent from (CNY/m²/day)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    rent_max = models.DecimalField(
        _("rent to (CNY/m²/day)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    ready_date = models.DateField(_("ready date"), null=True, blank=True)
    certifications = models.JSONField(_("certifications"), default=list, blank=True)
    description = models.TextField(_("description"), blank=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")
        ordering = ["park_id", "carrier_type", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(area_available_m2__lte=models.F("area_total_m2")),
                name="carrier_available_le_total",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_carrier_type_display()})"


class ClinicalCenterProfile(models.Model):
    organization = models.OneToOneField(
        "catalog.Organization", on_delete=models.CASCADE, related_name="clinical_center"
    )
    grade = models.CharField(_("hospital grade"), max_length=16, blank=True)
    specialties = models.ManyToManyField(
        "catalog.Term", blank=True, related_name="+", verbose_name=_("NMPA-filed trial specialties")
    )
    phase1_unit = models.BooleanField(_("phase I unit"), default=False)
    beds = models.PositiveIntegerField(_("beds"), null=True, blank=True)
    annual_trials = models.PositiveIntegerField(_("trials per year"), null=True, blank=True)
    ethics_turnaround_days = models.PositiveSmallIntegerField(
        _("ethics review turnaround (days)"), null=True, blank=True
    )
    notable_investigators = models.TextField(_("notable investigators"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("clinical center profile")
        verbose_name_plural = _("clinical center profiles")

    def __str__(self) -> str:
        return str(self.organization)


class CompanyProfile(models.Model):
    """Companies, CRO/CDMOs and investors: what they do and what they look for."""

    organization = models.OneToOneField(
        "catalog.Organization", on_delete=models.CASCADE, related_name="company"
    )
    stage = models.CharField(_("company stage"), max_length=32, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    products = models.TextField(_("products"), blank=True)
    needs = models.JSONField(_("needs"), default=list, blank=True)
    sectors = models.ManyToManyField(
        "catalog.Term", blank=True, related_name="+", verbose_name=_("sectors")
    )
    ticket_min_wan = models.PositiveIntegerField(_("ticket from (10k CNY)"), null=True, blank=True)
    ticket_max_wan = models.PositiveIntegerField(_("ticket to (10k CNY)"), null=True, blank=True)
    stage_focus = models.JSONField(_("stage focus"), default=list, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("company / investor profile")
        verbose_name_plural = _("company / investor profiles")

    def __str__(self) -> str:
        return str(self.organization)

    @property
    def need_labels(self) -> list[str]:
        return [choice_label(CompanyNeed, code) for code in self.needs]

    @property
    def stage_focus_labels(self) -> list[str]:
        return [choice_label(Stage, code) for code in self.stage_focus]
