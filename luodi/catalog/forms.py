"""Catalog forms: model forms for editing and filter forms for the list pages."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from luodi.accounts.rules import AnyUser
from luodi.catalog.choices import (
    AchievementKind,
    AchievementNeed,
    CarrierType,
    ChainSegment,
    Disclosure,
    OrganizationKind,
    ReviewStatus,
    Stage,
    TransferMode,
)
from luodi.catalog.models import Achievement, Carrier, ClinicalNeed, Organization, Person, Term
from luodi.catalog.rules import organizations_attachable_by, organizations_visible_to
from luodi.concurrency import VersionedForm
from luodi.control_chars import NoControlChars

_SPLIT = re.compile(r"[;；,，、\n]+")


class ListField(forms.CharField):
    """A JSON list edited as text separated by ; , 、 or new lines."""

    def prepare_value(self, value: Any) -> Any:
        return "; ".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [part.strip() for part in _SPLIT.split(text) if part.strip()]


class ChoiceListField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


def _terms(scheme: str) -> QuerySet[Term]:
    return Term.objects.filter(scheme=scheme).order_by("code")


class OwnedForm(NoControlChars, VersionedForm, forms.ModelForm):
    """Restricts organization choices to what the user may attach records to; carries the
    version of the record being edited (luodi/concurrency.py)."""

    owner_field = ""

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if self.owner_field and self.owner_field in self.fields:
            field = self.fields[self.owner_field]
            field.queryset = organizations_attachable_by(user)  # type: ignore[attr-defined]


class OrganizationForm(OwnedForm):
    aliases = ListField(
        label=_("aliases"), required=False, help_text=_("Other names, separated by ; or new lines.")
    )
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")
    chain_segments = ChoiceListField(
        label=_("industry-chain segments"),
        choices=ChainSegment.choices,
        required=False,
        help_text=_(
            "What the organization does along the industry chain; left empty, the industry "
            "layout guesses one segment from its kind and products."
        ),
    )

    class Meta:
        model = Organization
        fields = [
            "name_zh",
            "name_en",
            "aliases",
            "kind",
            "province",
            "city",
            "district",
            "address",
            "latitude",
            "longitude",
            "website",
            "description_zh",
            "description_en",
            "focus_areas",
            "chain_segments",
            "parent",
        ]
        widgets = {"focus_areas": forms.SelectMultiple(attrs={"size": 8})}

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        parent = self.fields["parent"]
        parent.queryset = organizations_visible_to(user).filter(  # type: ignore[attr-defined]
            archived_at__isnull=True, merged_into__isnull=True
        )
        parent.help_text = _("The group or parent organization this one belongs to, if any.")

    def clean_parent(self) -> Organization | None:
        parent: Organization | None = self.cleaned_data.get("parent")
        if parent is not None and self.instance.pk and _is_under(parent, self.instance.pk):
            raise forms.ValidationError(
                _("An organization cannot belong to itself or to one of its subsidiaries.")
            )
        return parent

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("name_zh") and not data.get("name_en"):
            raise forms.ValidationError(_("Give a Chinese or an English name."))
        return data


def _is_under(org: Organization, ancestor_pk: int) -> bool:
    """Whether `org` is the organization `ancestor_pk` or below it (walking up its groups;
    the walk stops at a repeat, so a cycle already stored cannot hang it)."""
    seen: set[int] = set()
    node: Organization | None = org
    while node is not None and node.pk not in seen:
        if node.pk == ancestor_pk:
            return True
        seen.add(node.pk)
        node = node.parent
    return False


class AchievementForm(OwnedForm):
    owner_field = "owner"
    transfer_modes = ChoiceListField(
        label=_("transfer modes sought"), choices=TransferMode.choices, required=False
    )
    needs = ChoiceListField(label=_("needs"), choices=AchievementNeed.choices, required=False)
    carrier_needs = ChoiceListField(
        label=_("carrier requirements"), choices=CarrierType.choices, required=False
    )

    class Meta:
        model = Achievement
        fields = [
            "title_zh",
            "title_en",
            "summary_zh",
            "summary_en",
            "dossier_zh",
            "dossier_en",
            "kind",
            "owner",
            "stage",
            "therapeutic_areas",
            "technology_fields",
            "patent_numbers",
            "ip_status",
            "transfer_modes",
            "needs",
            "carrier_needs",
            "space_needed_m2",
            "amount_sought_wan",
            "disclosure",
        ]
        widgets = {
            "therapeutic_areas": forms.SelectMultiple(attrs={"size": 8}),
            "technology_fields": forms.SelectMultiple(attrs={"size": 8}),
            "summary_zh": forms.Textarea(attrs={"rows": 4}),
            "summary_en": forms.Textarea(attrs={"rows": 4}),
            "dossier_zh": forms.Textarea(attrs={"rows": 4}),
            "dossier_en": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["therapeutic_areas"].queryset = _terms(Term.Scheme.THERAPEUTIC_AREA)  # type: ignore[attr-defined]
        self.fields["technology_fields"].queryset = _terms(Term.Scheme.TECHNOLOGY)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("title_zh") and not data.get("title_en"):
            raise forms.ValidationError(_("Give a Chinese or an English title."))
        if not data.get("summary_zh") and not data.get("summary_en"):
            raise forms.ValidationError(_("Give a Chinese or an English summary."))
        return data


class ClinicalNeedForm(OwnedForm):
    owner_field = "organization"

    class Meta:
        model = ClinicalNeed
        fields = [
            "title_zh",
            "title_en",
            "organization",
            "specialty",
            "clinician",
            "problem",
            "current_practice",
            "desired_solution",
            "constraints",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["specialty"].queryset = _terms(Term.Scheme.SPECIALTY)  # type: ignore[attr-defined]
        from luodi.catalog.rules import people_visible_to

        self.fields["clinician"].queryset = people_visible_to(self.user)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("title_zh") and not data.get("title_en"):
            raise forms.ValidationError(_("Give a Chinese or an English title."))
        return data


class PersonForm(OwnedForm):
    owner_field = "organization"

    class Meta:
        model = Person
        fields = [
            "name_zh",
            "name_en",
            "organization",
            "title",
            "email",
            "phone",
            "consent_to_contact",
            "expertise",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("name_zh") and not data.get("name_en"):
            raise forms.ValidationError(_("Give a Chinese or an English name."))
        return data


class CarrierForm(OwnedForm):
    owner_field = "park"
    certifications = ListField(label=_("certifications"), required=False)

    class Meta:
        model = Carrier
        fields = [
            "park",
            "name",
            "carrier_type",
            "area_total_m2",
            "area_available_m2",
            "rent_min",
            "rent_max",
            "ready_date",
            "certifications",
            "description",
        ]
        widgets = {"ready_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["park"]
        field.queryset = field.queryset.filter(kind=OrganizationKind.PARK)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        total, free = data.get("area_total_m2"), data.get("area_available_m2")
        if total is not None and free is not None and free > total:
            self.add_error("area_available_m2", _("Available area cannot exceed the total."))
        return data


# -- list filters -----------------------------------------------------------------------------


class FilterForm(NoControlChars, forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.SearchInput(attrs={"placeholder": _("Name or keyword")}),
    )
    show_archived = forms.BooleanField(label=_("Show archived"), required=False)

    search_fields: tuple[str, ...] = ()

    def apply(self, qs: QuerySet[Any]) -> QuerySet[Any]:
        if not self.is_valid():
            return qs.none()
        data = self.cleaned_data
        if not data.get("show_archived"):
            qs = qs.filter(archived_at__isnull=True)
        if data.get("q"):
            cond = Q()
            for term in data["q"].split():
                part = Q()
                for name in self.search_fields:
                    part |= Q(**{f"{name}__icontains": term})
                cond &= part
            qs = qs.filter(cond)
        for name, value in data.items():
            if name in {"q", "show_archived"} or value in (None, "", []):
                continue
            qs = qs.filter(**{self.lookups.get(name, name): value})
        return qs

    lookups: dict[str, str] = {}


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("All")), *choices]


class OrganizationFilter(FilterForm):
    search_fields = ("name_zh", "name_en", "aliases", "district")
    kind = forms.ChoiceField(
        label=_("kind"), choices=_blank(OrganizationKind.choices), required=False
    )
    district = forms.CharField(label=_("district"), required=False, max_length=40)
    lookups = {"district": "district__icontains"}


class AchievementFilter(FilterForm):
    # Only teaser-level text: searching dossier fields would reveal them to outsiders.
    search_fields = ("title_zh", "title_en", "summary_zh", "summary_en")
    kind = forms.ChoiceField(
        label=_("type"), choices=_blank(AchievementKind.choices), required=False
    )
    stage = forms.ChoiceField(
        label=_("development stage"), choices=_blank(Stage.choices), required=False
    )
    disclosure = forms.ChoiceField(
        label=_("disclosure tier"), choices=_blank(Disclosure.choices), required=False
    )
    status = forms.ChoiceField(
        label=_("review status"), choices=_blank(ReviewStatus.choices), required=False
    )
    area = forms.ModelChoiceField(
        label=_("therapeutic area"), required=False, queryset=_terms(Term.Scheme.THERAPEUTIC_AREA)
    )
    lookups = {"area": "therapeutic_areas"}


class ClinicalNeedFilter(FilterForm):
    search_fields = ("title_zh", "title_en", "problem", "desired_solution")
    specialty = forms.ModelChoiceField(
        label=_("specialty"), required=False, queryset=_terms(Term.Scheme.SPECIALTY)
    )
    status = forms.ChoiceField(
        label=_("review status"), choices=_blank(ReviewStatus.choices), required=False
    )


class PersonFilter(FilterForm):
    search_fields = ("name_zh", "name_en", "title", "expertise")


class CarrierFilter(FilterForm):
    search_fields = ("name", "description", "park__name_zh", "park__name_en")
    carrier_type = forms.ChoiceField(
        label=_("type"), choices=_blank(CarrierType.choices), required=False
    )
    min_available = forms.IntegerField(
        label=_("available area at least (m²)"), required=False, min_value=0
    )
    lookups = {"min_available": "area_available_m2__gte"}


class ReturnForm(NoControlChars, forms.Form):
    comment = forms.CharField(
        label=_("Comments for the submitter"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
