"""Forms of the ledger pages: the institution, period and list filter; an entry (new or
edited, amounts in yuan); an expected entry received. Validation of the input only; the
checks of the data and every write are domain.py's, so the form and the API refuse the
same things."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luodi import money
from luodi.accounts.rules import AnyUser
from luodi.catalog.models import Organization
from luodi.catalog.rules import achievements_visible_to
from luodi.concurrency import VersionedForm
from luodi.control_chars import NoControlChars
from luodi.ledger import rules
from luodi.ledger.choices import LedgerDirection, LedgerKind, LedgerStatus
from luodi.ledger.domain import belongs
from luodi.ledger.models import LedgerEntry
from luodi.pipeline.models import Agreement

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
QUARTERS = [("", _("Whole year")), *((str(q), f"Q{q}") for q in range(1, 5))]
# Yuan with two decimals, up to the domain's bound (a trillion yuan).
_YUAN = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0.01")}
LINKS = ("achievement", "agreement")


def _all(choices: Iterable[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    return [("", _("All")), *choices]


class LedgerFilter(NoControlChars, forms.Form):
    institution = forms.ModelChoiceField(
        label=_("institution"), queryset=Organization.objects.none(), required=False
    )
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100, required=False)
    quarter = forms.TypedChoiceField(
        label=_("quarter"), choices=QUARTERS, coerce=int, empty_value=None, required=False
    )
    direction = forms.ChoiceField(
        label=_("direction"), required=False, choices=_all(LedgerDirection.choices)
    )
    kind = forms.ChoiceField(label=_("kind"), required=False, choices=_all(LedgerKind.choices))
    status = forms.ChoiceField(
        label=_("status"), required=False, choices=_all(LedgerStatus.choices)
    )
    agreement = forms.ModelChoiceField(
        label=_("agreement"), queryset=Agreement.objects.none(), required=False
    )
    overdue = forms.BooleanField(label=_("overdue only"), required=False)

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = rules.institutions_offered(user)  # type: ignore[attr-defined]
        self.fields["institution"].empty_label = None  # type: ignore[attr-defined]

    def offer(self, institution: Organization) -> None:
        field = self.fields["institution"]
        offered: QuerySet[Organization] = field.queryset  # type: ignore[attr-defined]
        if not offered.filter(pk=institution.pk).exists():
            ids = [*offered.values_list("pk", flat=True), institution.pk]
            field.queryset = Organization.objects.filter(pk__in=ids).order_by(  # type: ignore[attr-defined]
                "name_zh", "name_en", "pk"
            )

    def set_agreements(self, qs: QuerySet[Agreement]) -> None:
        self.fields["agreement"].queryset = qs  # type: ignore[attr-defined]


class EntryForm(NoControlChars, VersionedForm, forms.ModelForm):
    """An entry of one institution's ledger. The achievement and agreement lists offer what
    the user may see of the institution's; a link the user may not see is kept as it is
    (`kept`) and its field left out, so saving never drops or names it."""

    amount = forms.DecimalField(label=_("amount (yuan)"), **_YUAN)  # type: ignore[arg-type]
    valuation = forms.DecimalField(
        label=_("valuation of the achievement (yuan)"),
        required=False,
        help_text=_("Equity only: the appraised value the shares were exchanged for."),
        **_YUAN,  # type: ignore[arg-type]
    )

    class Meta:
        model = LedgerEntry
        fields = [
            "direction",
            "kind",
            "status",
            "expected_on",
            "received_on",
            "achievement",
            "agreement",
            "shares_note",
            "note",
        ]
        widgets = {
            "expected_on": _DATE,
            "received_on": _DATE,
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    # Domain errors are keyed by the model's fields; these are the form's names for them.
    FIELD_OF = {"amount_fen": "amount", "valuation_fen": "valuation"}

    def __init__(self, *args: Any, user: AnyUser, institution: Organization, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.institution = institution
        entry: LedgerEntry = self.instance
        # Reordered so that the amount follows the kind, as one reads an entry.
        order = ["direction", "kind", "amount", "valuation", "shares_note", "status"]
        self.order_fields(order)
        offered: dict[str, QuerySet[Any]] = {
            "achievement": achievements_visible_to(user).filter(owner=institution).order_by("pk"),
            "agreement": rules.agreements_of(user, institution),
        }
        self.kept: dict[str, Any] = {}
        for name, qs in offered.items():
            current = getattr(entry, name) if getattr(entry, f"{name}_id") else None
            if current is not None and not qs.filter(pk=current.pk).exists():
                self.kept[name] = current
                del self.fields[name]
                continue
            self.fields[name].queryset = qs  # type: ignore[attr-defined]
        if entry.pk is not None:
            self.initial.setdefault("amount", money.to_yuan(entry.amount_fen))
            if entry.valuation_fen is not None:
                self.initial.setdefault("valuation", money.to_yuan(entry.valuation_fen))
        else:
            self.initial.setdefault("expected_on", timezone.localdate())

    def clean_agreement(self) -> Agreement | None:
        found: Agreement | None = self.cleaned_data.get("agreement")
        if found is not None and not belongs(self.institution, found):
            raise forms.ValidationError(_("The institution is not a party of this agreement."))
        return found

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        out = {name: data.get(name) for name in self.Meta.fields if name in self.fields}
        out.update(self.kept)
        out["institution"] = self.institution
        out["amount_fen"] = money.to_fen(data["amount"])
        valuation = data.get("valuation")
        out["valuation_fen"] = money.to_fen(valuation) if valuation is not None else None
        return out

    def field_for(self, name: str) -> str | None:
        name = self.FIELD_OF.get(name, name)
        return name if name in self.fields else None


class ReceivedForm(NoControlChars, forms.Form):
    """An expected entry received (or paid): the day, and the amount when it differs."""

    # Not required here: the domain says why a day is needed, beside the field.
    received_on = forms.DateField(label=_("received or paid on"), required=False, widget=_DATE)
    amount = forms.DecimalField(label=_("amount (yuan), if different"), required=False, **_YUAN)  # type: ignore[arg-type]

    FIELD_OF = {"amount_fen": "amount"}

    def amount_fen(self) -> int | None:
        value = self.cleaned_data.get("amount")
        return money.to_fen(value) if value is not None else None

    def field_for(self, name: str) -> str | None:
        name = self.FIELD_OF.get(name, name)
        return name if name in self.fields else None
