"""Forms of the follow-through after landing: plan or record a milestone, a month's figures,
a policy subsidy (apply, then move it on), a commitment (staff), and the list filters.
Validation only; writes go through domain.py."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luodi.accounts.rules import AnyUser
from luodi.aftercare.choices import SUBSIDY_TRANSITIONS, MilestoneKind, SubsidyStatus
from luodi.aftercare.domain import SUBSIDY_FIELDS
from luodi.aftercare.models import Commitment, FigureReport, Milestone, Subsidy
from luodi.catalog.models import Organization
from luodi.concurrency import VersionedForm
from luodi.control_chars import NoControlChars
from luodi.engagements.rules import visits_visible_to
from luodi.pipeline.models import Agreement, Project

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_MONTH = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


class MilestoneForm(NoControlChars, VersionedForm, forms.ModelForm):
    credit_code = forms.CharField(
        label=_("unified social credit code"),
        required=False,
        max_length=18,
        help_text=_("18 characters; needed when the registration date is given."),
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Milestone
        fields = ["planned_on", "actual_on", "note", "visit", "evidence"]
        widgets = {
            "planned_on": _DATE,
            "actual_on": _DATE,
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(
        self, *args: Any, user: AnyUser, project: Project, kind: str, **kwargs: Any
    ) -> None:
        kwargs.setdefault("prefix", kind)
        kwargs.setdefault("auto_id", f"ms-{kind}-%s")
        super().__init__(*args, **kwargs)
        self.kind = kind
        visits = visits_visible_to(user).filter(
            Q(projects=project) | Q(company_id=project.company_id or 0)
        )
        self.fields["visit"].queryset = visits.distinct().order_by("-date")  # type: ignore[attr-defined]
        self.fields["visit"].required = False
        self.fields["evidence"].required = False
        if kind == MilestoneKind.REGISTERED:
            landing = getattr(project, "landing", None)
            if landing is not None:
                self.initial.setdefault("credit_code", landing.credit_code)
        else:
            del self.fields["credit_code"]

    def clean_actual_on(self) -> date | None:
        value: date | None = self.cleaned_data.get("actual_on")
        if value is not None and value > timezone.localdate():
            raise forms.ValidationError(_("A milestone cannot be achieved in the future."))
        return value


class MonthField(forms.DateField):
    """A month (`<input type=month>`, "2026-03") as the first day of that month."""

    widget = _MONTH
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value: Any) -> date | None:
        day = super().to_python(value)
        return day.replace(day=1) if day is not None else None


class FigureForm(NoControlChars, VersionedForm, forms.ModelForm):
    period = MonthField(label=_("month"), help_text=_("The month these figures are for."))

    class Meta:
        model = FigureReport
        fields = [
            "period",
            "capital_wan",
            "output_wan",
            "tax_wan",
            "rnd_wan",
            "patents",
            "jobs",
            "area_m2",
            "note",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "fig-%s")
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            # Editing one month: the month is the record, not a value to change.
            self.fields["period"].disabled = True

    def clean_period(self) -> date | None:
        value: date | None = self.cleaned_data.get("period")
        if value is not None and value > timezone.localdate().replace(day=1):
            raise forms.ValidationError(_("This month has not begun yet."))
        return value

    def validate_unique(self) -> None:
        # One row per project and month: the domain updates the month's row instead.
        return


class SubsidyForm(NoControlChars, VersionedForm, forms.ModelForm):
    """A new application (`subsidy` None), or moving one on along the status table."""

    CREATE_FIELDS = ["kind", "policy", "granted_by", "applied_on", "amount_applied_wan", "note"]
    MOVE_FIELDS = [
        "status",
        "approved_on",
        "amount_approved_wan",
        "paid_on",
        "amount_paid_wan",
        "note",
    ]

    class Meta:
        model = Subsidy
        fields = SUBSIDY_FIELDS
        widgets = {
            "applied_on": _DATE,
            "approved_on": _DATE,
            "paid_on": _DATE,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        instance = kwargs.get("instance")
        pk = getattr(instance, "pk", None)
        moving = pk is not None
        if moving:
            kwargs.setdefault("prefix", f"sub-{pk}")
            kwargs.setdefault("auto_id", f"sub-{pk}-%s")
        else:
            kwargs.setdefault("prefix", "sub")
            kwargs.setdefault("auto_id", "sub-new-%s")
        super().__init__(*args, **kwargs)
        keep = self.MOVE_FIELDS if moving else self.CREATE_FIELDS
        for name in [n for n in self.Meta.fields if n not in keep]:
            del self.fields[name]
        if moving:
            current = instance.status  # type: ignore[union-attr]
            allowed = SUBSIDY_TRANSITIONS[current]
            self.fields["status"].choices = [  # type: ignore[attr-defined]
                (s, SubsidyStatus(s).label) for s in allowed
            ]
            self.fields["status"].label = _("move to")
        else:
            self.fields["granted_by"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
                kind__in=["park", "government"]
            ).order_by("name_zh")
            self.fields["granted_by"].required = False

    @property
    def can_move(self) -> bool:
        return "status" in self.fields and bool(
            list(self.fields["status"].choices)  # type: ignore[attr-defined]
        )


class CommitmentForm(NoControlChars, forms.ModelForm):
    class Meta:
        model = Commitment
        fields = ["metric", "amount", "due_on", "agreement", "note"]
        widgets = {"due_on": _DATE}

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "com")
        kwargs.setdefault("auto_id", "com-%s")
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = Agreement.objects.filter(project=project)  # type: ignore[attr-defined]
        self.fields["agreement"].required = False

    def clean_amount(self) -> Any:
        value = self.cleaned_data.get("amount")
        if value is not None and value <= 0:
            raise forms.ValidationError(_("A commitment is a positive amount."))
        return value


class ParkFilter(NoControlChars, forms.Form):
    park = forms.ModelChoiceField(
        label=_("park"), required=False, queryset=Organization.objects.none(), empty_label=_("all")
    )

    def __init__(self, *args: Any, projects: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["park"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            pk__in=projects.values("landing__park_id")
        ).order_by("name_zh")


class StalledFilter(ParkFilter):
    mine = forms.BooleanField(label=_("only projects I follow"), required=False)

    def __init__(self, *args: Any, projects: Any, show_mine: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, projects=projects, **kwargs)
        if not show_mine:
            del self.fields["mine"]
