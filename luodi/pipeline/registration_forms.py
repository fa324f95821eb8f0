"""The technology-contract registration form and the moves on the agreement's page. Amounts
are typed in yuan here and kept in fen by the domain (converted exactly, never via float)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from luodi import money
from luodi.concurrency import VersionedForm
from luodi.control_chars import NoControlChars
from luodi.pipeline.choices import RegistrationCheck, RegistrationStatus
from luodi.pipeline.domain.registration import MAX_FEN
from luodi.pipeline.models import ContractRegistration

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_MAX_YUAN = Decimal(MAX_FEN).scaleb(-2)


# The domain's field names (fen) and this form's (yuan): errors are put beside the right box.
def _yuan(amount_fen: int | None) -> Decimal | None:
    return None if amount_fen is None else money.to_yuan(amount_fen)


def _fen(amount_yuan: Decimal | None) -> int | None:
    return None if amount_yuan is None else money.to_fen(amount_yuan)


FIELD_OF = {
    "transaction_value_fen": "transaction_value",
    "technical_income_fen": "technical_income",
}


class RegistrationForm(NoControlChars, VersionedForm, forms.ModelForm):
    transaction_value = forms.DecimalField(
        label=_("transaction value (yuan)"),
        help_text=_("The contract's total amount (合同成交额)."),
        required=False,
        min_value=Decimal(0),
        max_value=_MAX_YUAN,
        decimal_places=2,
        max_digits=14,
    )
    technical_income = forms.DecimalField(
        label=_("technical income (yuan)"),
        help_text=_(
            "The technology transaction amount (技术交易额), without equipment, materials and "
            "other non-technical costs; at most the transaction value."
        ),
        required=False,
        min_value=Decimal(0),
        max_value=_MAX_YUAN,
        decimal_places=2,
        max_digits=14,
    )
    checklist = forms.MultipleChoiceField(
        label=_("What the office checks"),
        choices=RegistrationCheck.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ContractRegistration
        fields = ["registration_number", "registered_on", "office", "note"]
        widgets = {"registered_on": _DATE, "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "reg-%s")
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk is not None:
            self.initial.setdefault("transaction_value", _yuan(instance.transaction_value_fen))
            self.initial.setdefault("technical_income", _yuan(instance.technical_income_fen))
            self.initial.setdefault("checklist", list(instance.checklist or []))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        value, income = data.get("transaction_value"), data.get("technical_income")
        if value is not None and income is not None and income > value:
            self.add_error(
                "technical_income",
                _("The technical income cannot be more than the transaction value."),
            )
        return data

    def _post_clean(self) -> None:
        # The model's own checks (unique number, status rules) are the domain's, made on the
        # locked row; here only the form's fields are validated.
        pass

    def values(self) -> dict[str, Any]:
        """The domain's values: amounts in fen."""
        data = self.cleaned_data
        return {
            "registration_number": data.get("registration_number") or "",
            "registered_on": data.get("registered_on"),
            "office": data.get("office") or "",
            "note": data.get("note") or "",
            "transaction_value_fen": _fen(data.get("transaction_value")),
            "technical_income_fen": _fen(data.get("technical_income")),
            "checklist": list(data.get("checklist") or []),
        }


class MoveRegistrationForm(NoControlChars, forms.Form):
    to = forms.ChoiceField(choices=RegistrationStatus.choices)
    reason = forms.CharField(label=_("Reason the office gave"), required=False, max_length=2000)
