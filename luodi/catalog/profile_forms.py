"""Forms for the kind-specific profile of an organization (park, clinical center, company)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from luodi.catalog.choices import CompanyNeed, OrganizationKind, ParkService, Stage
from luodi.catalog.forms import ChoiceListField
from luodi.catalog.models import ClinicalCenterProfile, CompanyProfile, ParkProfile, Term
from luodi.concurrency import VersionedForm
from luodi.control_chars import NoControlChars


class ProfileForm(NoControlChars, VersionedForm, forms.ModelForm):
    """Base of the profile forms: they carry the profile's version."""


class ParkProfileForm(ProfileForm):
    services = ChoiceListField(label=_("services"), choices=ParkService.choices, required=False)

    class Meta:
        model = ParkProfile
        fields = [
            "industry_focus",
            "policy_text_zh",
            "policy_text_en",
            "rent_subsidy_pct",
            "subsidy_years",
            "max_grant_wan",
            "services",
        ]
        widgets = {"industry_focus": forms.SelectMultiple(attrs={"size": 8})}

    def clean_rent_subsidy_pct(self) -> int | None:
        value: int | None = self.cleaned_data.get("rent_subsidy_pct")
        if value is not None and value > 100:
            raise forms.ValidationError(_("A subsidy cannot exceed 100 percent."))
        return value


class ClinicalCenterProfileForm(ProfileForm):
    class Meta:
        model = ClinicalCenterProfile
        fields = [
            "grade",
            "specialties",
            "phase1_unit",
            "beds",
            "annual_trials",
            "ethics_turnaround_days",
            "notable_investigators",
        ]
        widgets = {"specialties": forms.SelectMultiple(attrs={"size": 10})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["specialties"].queryset = Term.objects.filter(  # type: ignore[attr-defined]
            scheme=Term.Scheme.SPECIALTY
        )


class CompanyProfileForm(ProfileForm):
    needs = ChoiceListField(label=_("needs"), choices=CompanyNeed.choices, required=False)
    stage_focus = ChoiceListField(label=_("stage focus"), choices=Stage.choices, required=False)

    class Meta:
        model = CompanyProfile
        fields = [
            "stage",
            "employees",
            "products",
            "needs",
            "sectors",
            "ticket_min_wan",
            "ticket_max_wan",
            "stage_focus",
        ]
        widgets = {"sectors": forms.SelectMultiple(attrs={"size": 8})}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("ticket_min_wan"), data.get("ticket_max_wan")
        if low is not None and high is not None and low > high:
            self.add_error("ticket_max_wan", _("The upper bound is below the lower one."))
        return data


# kind → (form, the OneToOne accessor on Organization)
PROFILE_FORMS: dict[str, tuple[type[ProfileForm], str]] = {
    OrganizationKind.PARK: (ParkProfileForm, "park"),
    OrganizationKind.HOSPITAL: (ClinicalCenterProfileForm, "clinical_center"),
    OrganizationKind.COMPANY: (CompanyProfileForm, "company"),
    OrganizationKind.INVESTOR: (CompanyProfileForm, "company"),
    OrganizationKind.CRO: (CompanyProfileForm, "company"),
}
M2M_FIELDS = {"industry_focus", "specialties", "sectors"}
