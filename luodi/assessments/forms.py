"""Forms of the assessment pages. Input validation only (types, scales, required fields);
the checks of the data and every write are domain.py's, so a page and the API refuse the
same things."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luodi.accounts.models import User
from luodi.assessments.choices import READINESS, Mode
from luodi.assessments.domain import score_field
from luodi.assessments.models import Assessment, Template
from luodi.catalog.choices import OrganizationKind
from luodi.catalog.models import Achievement
from luodi.concurrency import VersionedForm
from luodi.control_chars import NoControlChars

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_TEXT = forms.Textarea(attrs={"rows": 3})


def _in_three_weeks() -> str:
    return (timezone.localdate() + timedelta(days=21)).isoformat()


class OpenForm(NoControlChars, forms.Form):
    achievement = forms.ModelChoiceField(
        label=_("achievement (number)"),
        queryset=Achievement.objects.filter(archived_at__isnull=True),
        widget=forms.NumberInput,
    )
    template = forms.ModelChoiceField(label=_("template"), queryset=Template.objects.all())
    mode = forms.ChoiceField(
        label=_("review mode"), choices=Mode.choices, initial=Mode.BLIND, widget=forms.RadioSelect
    )
    deadline = forms.DateField(label=_("deadline"), initial=_in_three_weeks, widget=_DATE)

    def __init__(self, *args: Any, preset: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        default = Template.objects.filter(is_default=True).first()
        if default is not None:
            self.fields["template"].initial = default.pk
        if preset:
            self.fields["achievement"].widget = forms.HiddenInput()


class InviteForm(NoControlChars, forms.Form):
    """An internal expert (an account) or an external one (name and email, no account)."""

    user = forms.ModelChoiceField(
        label=_("internal expert"),
        required=False,
        queryset=User.objects.filter(is_active=True).order_by("username"),
    )
    name = forms.CharField(label=_("external expert's name"), required=False, max_length=120)
    email = forms.EmailField(label=_("external expert's email"), required=False)
    language = forms.ChoiceField(
        label=_("language of the mails"), choices=settings.LANGUAGES, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("user") is None and not (data.get("name") or data.get("email")):
            self.add_error(None, _("Choose an internal expert or enter an external one."))
        elif data.get("user") is not None and (data.get("name") or data.get("email")):
            self.add_error(None, _("Either an internal expert or an external one, not both."))
        return data


YES_NO = [("no", _("No: I have no conflict of interest")), ("yes", _("Yes: I have a conflict"))]


class DeclarationForm(NoControlChars, forms.Form):
    conflict = forms.ChoiceField(
        label=_("Do you have a conflict of interest with this achievement, its owner or its team?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    conflict_note = forms.CharField(
        label=_("If yes: the conflict, in a few words"),
        required=False,
        max_length=2000,
        widget=_TEXT,
    )

    def __init__(self, *args: Any, nda: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if nda:
            self.fields["accept_nda"] = forms.BooleanField(
                label=_("I accept the confidentiality undertaking above"), required=False
            )


class ScoreForm(NoControlChars, forms.Form):
    """One score per criterion of the assessment's snapshot, within its scale."""

    comment = forms.CharField(
        label=_("overall comment"), required=False, max_length=5000, widget=_TEXT
    )

    def __init__(self, *args: Any, assessment: Assessment, language: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        en = (language or "").startswith("en")
        self.rows: list[tuple[dict[str, Any], str, str]] = []
        for c in assessment.criteria:
            label = (c["label_en"] or c["label_zh"]) if en else (c["label_zh"] or c["label_en"])
            score, note = score_field(c["code"]), f"comment_{c['code']}"
            self.fields[score] = forms.IntegerField(
                label=f"{label} ({c['min']}–{c['max']})",
                min_value=c["min"],
                max_value=c["max"],
                widget=forms.NumberInput(attrs={"data-testid": score}),
            )
            self.fields[note] = forms.CharField(
                label=_("comment"), required=False, max_length=2000, widget=_TEXT
            )
            self.rows.append((c, score, note))
        self.order_fields([name for _c, s, n in self.rows for name in (s, n)] + ["comment"])

    def values(self) -> dict[str, int | None]:
        return {c["code"]: self.cleaned_data.get(s) for c, s, _n in self.rows}

    def comments(self) -> dict[str, str]:
        return {c["code"]: self.cleaned_data.get(n) or "" for c, _s, n in self.rows}


class SummaryForm(NoControlChars, VersionedForm, forms.ModelForm):
    readiness = forms.TypedChoiceField(
        label=_("readiness"), choices=[("", "—"), *READINESS], coerce=int
    )
    suggested_kinds = forms.MultipleChoiceField(
        label=_("suggested partner kinds"),
        choices=OrganizationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Assessment
        fields = ["readiness", "strengths", "risks", "summary", "suggested_kinds"]
        widgets = {"strengths": _TEXT, "risks": _TEXT, "summary": forms.Textarea(attrs={"rows": 5})}


class ReassessForm(NoControlChars, forms.Form):
    deadline = forms.DateField(label=_("deadline"), initial=_in_three_weeks, widget=_DATE)


class TemplateForm(NoControlChars, VersionedForm, forms.ModelForm):
    class Meta:
        model = Template
        fields = ["name_zh", "name_en", "description"]
        widgets = {"description": _TEXT}


class CriterionForm(NoControlChars, forms.Form):
    code = forms.SlugField(label=_("code"), max_length=40)
    label_zh = forms.CharField(label=_("label (Chinese)"), max_length=120)
    label_en = forms.CharField(label=_("label (English)"), max_length=120, required=False)
    description_zh = forms.CharField(
        label=_("description (Chinese)"), required=False, max_length=2000, widget=_TEXT
    )
    description_en = forms.CharField(
        label=_("description (English)"), required=False, max_length=2000, widget=_TEXT
    )
    weight = forms.IntegerField(label=_("weight"), min_value=1, max_value=100)
    scale_min = forms.IntegerField(label=_("lowest score"), min_value=0, max_value=99)
    scale_max = forms.IntegerField(label=_("highest score"), min_value=1, max_value=100)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("scale_min"), data.get("scale_max")
        if low is not None and high is not None and low >= high:
            self.add_error("scale_max", _("The highest score must be above the lowest."))
        return data


CriterionFormSet = formset_factory(CriterionForm, extra=1, can_delete=True, max_num=20)
