"""Catalog models. The foundation ships only Organization; the catalog issue extends it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    PARK = "park", _("Industrial park")
    HOSPITAL = "hospital", _("Hospital / clinical center")
    COMPANY = "company", _("Company")
    INSTITUTE = "institute", _("University / institute")
    INVESTOR = "investor", _("Investor")
    GOVERNMENT = "government", _("Government agency")
    ASSOCIATION = "association", _("Association")
    CRO = "cro", _("CRO / CDMO")


class Organization(models.Model):
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=OrganizationKind.choices)
    is_demo = models.BooleanField(_("demo data"), default=False)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name_zh", "name_en"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if (get_language() or "zh-hans").startswith("en"):
            return self.name_en or self.name_zh
        return self.name_zh or self.name_en
