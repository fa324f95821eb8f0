"""Forms of the reward pages: the list filter, a policy version (percentages typed, basis
points stored), the contributor shares of an achievement, the deduction of a split, each
change of state and the payroll period. Validation of the input only; the checks of the
data and every write are the domain's (domain.py, policies.py), so pages and API refuse the
same things."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luodi import money
from luodi.accounts.rules import AnyUser
from luodi.catalog.models import Organization, Person
from luodi.concurrency import parse_token
from luodi.control_chars import NoControlChars
from luodi.ledger.models import LedgerEntry
from luodi.ledger.rules import institutions_offered
from luodi.rewards.choices import DistributionState

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_PERCENT = {
    "max_digits": 5,
    "decimal_places": 2,
    "min_value": Decimal(0),
    "max_value": Decimal(100),
}
_YUAN = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal(0)}


def to_bp(percent: Decimal) -> int:
    """Decimal("62.5") → 6250."""
    return int((percent * 100).to_integral_value())


def to_percent(bp: int) -> Decimal:
    return Decimal(bp).scaleb(-2)


class Versioned(NoControlChars, forms.Form):
    """A hidden `version`: the version of the record the page was rendered from."""

    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_version(self) -> int | None:
        try:
            return parse_token(self.cleaned_data.get("version"))
        except ValueError:
            raise forms.ValidationError(_("This form is damaged; open it again.")) from None

    def field_for(self, name: str) -> str | None:
        return name if name in self.fields else None


class DistributionFilter(NoControlChars, forms.Form):
    institution = forms.ModelChoiceField(
        label=_("institution"), queryset=Organization.objects.none(), required=False
    )
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100, required=False)
    state = forms.ChoiceField(
        label=_("state"), required=False, choices=[("", _("All")), *DistributionState.choices]
    )

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions_offered(user)  # type: ignore[attr-defined]
        self.fields["institution"].empty_label = _("All")  # type: ignore[attr-defined]


class PolicyForm(Versioned):
    effective_from = forms.DateField(label=_("in force from"), widget=_DATE)
    team = forms.DecimalField(
        label=_("research team (%)"),
        help_text=_("At least half of the net income."),
        **_PERCENT,  # type: ignore[arg-type]
    )
    main = forms.DecimalField(
        label=_("main contributors (share of the team's part, %)"),
        help_text=_("At least half of the team's part."),
        **_PERCENT,  # type: ignore[arg-type]
    )
    institution = forms.DecimalField(label=_("institution (%)"), **_PERCENT)  # type: ignore[arg-type]
    department = forms.DecimalField(label=_("department (%)"), **_PERCENT)  # type: ignore[arg-type]
    department_name = forms.CharField(label=_("department"), max_length=120, required=False)
    notice_days = forms.IntegerField(
        label=_("public notice (days)"), min_value=1, max_value=365, initial=15
    )
    note = forms.CharField(
        label=_("note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    # The domain's names for the form's fields.
    FIELD_OF = {
        "team_bp": "team",
        "main_bp": "main",
        "institution_bp": "institution",
        "department_bp": "department",
    }

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "effective_from": data["effective_from"],
            "team_bp": to_bp(data["team"]),
            "main_bp": to_bp(data["main"]),
            "institution_bp": to_bp(data["institution"]),
            "department_bp": to_bp(data["department"]),
            "department_name": data.get("department_name") or "",
            "notice_days": data["notice_days"],
            "note": data.get("note") or "",
        }

    def field_for(self, name: str) -> str | None:
        name = self.FIELD_OF.get(name, name)
        return name if name in self.fields else None


class ShareForm(NoControlChars, forms.Form):
    person = forms.ModelChoiceField(
        label=_("person"), queryset=Person.objects.none(), required=False
    )
    share = forms.DecimalField(label=_("agreed share (%)"), required=False, **_PERCENT)  # type: ignore[arg-type]
    is_main = forms.BooleanField(label=_("main contributor"), required=False)

    def __init__(self, *args: Any, people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("person") is not None and data.get("share") is None:
            self.add_error("share", _("Enter the agreed share."))
        return data


ShareFormSet = forms.formset_factory(ShareForm, extra=2, max_num=50, absolute_max=60)


def share_initial(shares: list[Any]) -> list[dict[str, Any]]:
    return [
        {"person": s.person_id, "share": to_percent(s.share_bp), "is_main": s.is_main}
        for s in shares
    ]


def cost_label(e: LedgerEntry) -> str:
    note = f" · {e.note[:40]}" if e.note else ""
    day = f"{e.received_on:%Y-%m-%d}" if e.received_on else ""
    return f"{day} · {e.get_kind_display()} · {money.shown(e.amount_fen)}{note}"


class ComputeForm(Versioned):
    """A split's deduction: the costs deducted (suggested: the achievement's paid expenses
    not yet deducted) and the amount, with a note when it differs from their sum."""

    expenses = forms.ModelMultipleChoiceField(
        label=_("deductible costs"),
        queryset=LedgerEntry.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    deducted = forms.DecimalField(
        label=_("deducted (yuan)"),
        required=False,
        help_text=_("Leave empty to deduct the costs ticked above."),
        **_YUAN,  # type: ignore[arg-type]
    )
    deduction_note = forms.CharField(
        label=_("note on the deduction"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    FIELD_OF = {"deducted_fen": "deducted"}

    def __init__(self, *args: Any, offered: QuerySet[LedgerEntry], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelMultipleChoiceField, self.fields["expenses"])
        field.queryset = offered
        field.label_from_instance = cost_label  # type: ignore[method-assign,assignment]

    def deducted_fen(self) -> int | None:
        value = self.cleaned_data.get("deducted")
        return money.to_fen(value) if value is not None else None

    def field_for(self, name: str) -> str | None:
        name = self.FIELD_OF.get(name, name)
        return name if name in self.fields else None


class ApproveForm(Versioned):
    approval_body = forms.CharField(
        label=_("approved by (body or meeting)"), max_length=200, required=False
    )
    approval_reference = forms.CharField(
        label=_("approval reference"), max_length=200, required=False
    )


class NoticeForm(Versioned):
    notice_starts_on = forms.DateField(label=_("notice starts on"), required=False, widget=_DATE)
    notice_ends_on = forms.DateField(label=_("notice ends on"), required=False, widget=_DATE)
    notice_where = forms.CharField(label=_("published where"), max_length=200, required=False)


class ObjectionForm(Versioned):
    objection = forms.CharField(
        label=_("objection"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FinalizeForm(Versioned):
    pass


class PaidForm(Versioned):
    paid_on = forms.DateField(label=_("paid on"), required=False, widget=_DATE)


class PayrollForm(NoControlChars, forms.Form):
    institution = forms.ModelChoiceField(
        label=_("institution"), queryset=Organization.objects.none()
    )
    start = forms.DateField(label=_("final from"), widget=_DATE)
    end = forms.DateField(label=_("final until"), widget=_DATE)
    unpaid_only = forms.BooleanField(label=_("not yet paid only"), required=False)

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions_offered(user)  # type: ignore[attr-defined]
        today = timezone.localdate()
        self.initial.setdefault("start", today.replace(month=1, day=1))
        self.initial.setdefault("end", today)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end comes after the start."))
        return data
