"""Forms of the patent pages: the list filter, a patent (new or edited), and one annual-fee
payment. Validation of the input only; the checks of the data and every write are
domain.py's, so the form, the API and an import refuse the same things."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from luodi import money
from luodi.accounts.rules import AnyUser
from luodi.catalog.models import Organization
from luodi.catalog.rules import achievements_visible_to, people_visible_to
from luodi.concurrency import VersionedForm
from luodi.control_chars import NoControlChars
from luodi.patents import fees, rules
from luodi.patents.choices import LegalStatus, Office
from luodi.patents.models import Patent
from luodi.pipeline.rules import agreements_visible_to

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

DUE = "due"
OVERDUE = "overdue"
# The links a user picks from lists of what they may see; links to records they may not see
# are kept as they are (see PatentForm.kept).
LINKS = ("owners", "inventors", "achievements", "agreements")


def _due_label() -> str:
    return gettext("due within %(days)d days") % {"days": fees.DUE_SOON_DAYS}


# Interpolated when shown, in the language of the request (not once, at import).
_DUE_LABEL = lazy(_due_label, str)()


def _all(choices: Iterable[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    return [("", _("All")), *choices]


class PatentFilter(NoControlChars, forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.SearchInput(attrs={"placeholder": _("Number or title")}),
    )
    office = forms.ChoiceField(label=_("office"), required=False, choices=_all(Office.choices))
    status = forms.ChoiceField(
        label=_("legal status"), required=False, choices=_all(LegalStatus.choices)
    )
    fee = forms.ChoiceField(
        label=_("annual fee"),
        required=False,
        choices=_all(
            [
                (DUE, _DUE_LABEL),
                (OVERDUE, _("overdue (grace period)")),
            ]
        ),
    )


class PatentForm(NoControlChars, VersionedForm, forms.ModelForm):
    """A patent with its owners and links. Each list offers only what the user may see or
    name; what the patent already links to beyond that is kept unchanged (`kept`), so
    saving the form never drops another owner's record the user cannot see."""

    class Meta:
        model = Patent
        fields = [
            "office",
            "kind",
            "application_number",
            "grant_number",
            "title_zh",
            "title_en",
            "filing_date",
            "priority_date",
            "grant_date",
            "status",
            "owners",
            "fee_payer",
            "reduction",
            "inventors",
            "achievements",
            "agreements",
            "note",
        ]
        widgets = {
            "filing_date": _DATE,
            "priority_date": _DATE,
            "grant_date": _DATE,
            "note": forms.Textarea(attrs={"rows": 3}),
            "owners": forms.SelectMultiple(attrs={"size": 4}),
            "inventors": forms.SelectMultiple(attrs={"size": 4}),
            "achievements": forms.SelectMultiple(attrs={"size": 4}),
            "agreements": forms.SelectMultiple(attrs={"size": 4}),
        }
        help_texts = {
            "application_number": _("CNIPA: 12 digits, a dot and the check character."),
            "reduction": _("CNIPA reductions apply to the first ten years from the grant."),
        }

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        patent: Patent = self.instance
        choosable = rules.owners_choosable_by(user)
        offered: dict[str, QuerySet[Any]] = {
            "owners": choosable,
            "inventors": people_visible_to(user),
            "achievements": achievements_visible_to(user),
            "agreements": agreements_visible_to(user),
        }
        self.kept: dict[str, list[Any]] = {name: [] for name in LINKS}
        for name, qs in offered.items():
            field = self.fields[name]
            field.queryset = qs.order_by("pk")  # type: ignore[attr-defined]
            field.required = False
            if patent.pk is None:
                continue
            linked = list(getattr(patent, name).all())
            visible = set(qs.filter(pk__in=[o.pk for o in linked]).values_list("pk", flat=True))
            self.kept[name] = [o for o in linked if o.pk not in visible]
            # The form shows (and compares, on a conflict) only what the user may see.
            self.initial[name] = [o.pk for o in linked if o.pk in visible]
        kept_owners = self.kept["owners"]
        if kept_owners:
            names = ", ".join(str(o) for o in kept_owners)
            self.fields["owners"].help_text = _(
                "Also owned by %(names)s: kept; only their members or staff change that."
            ) % {"names": names}
        # The payer is often a co-owner: offer the current owners and payer as well.
        payer_ids = [o.pk for o in kept_owners]
        if patent.fee_payer_id:
            payer_ids.append(patent.fee_payer_id)
        self.fields["fee_payer"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            Q(pk__in=choosable.values("pk")) | Q(pk__in=payer_ids)
        ).order_by("name_zh", "pk")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("title_zh") or "").strip() and not (data.get("title_en") or "").strip():
            self.add_error("title_zh", _("Give the title in Chinese or in English."))
        if not data.get("owners") and not self.kept["owners"]:
            self.add_error("owners", _("Name at least one owner."))
        return data

    def validate_unique(self) -> None:
        # The domain compares numbers in their normal form ("CN 2023…" is "2023…") and says
        # so on the field; the model's own check would compare the raw text.
        return

    def links(self) -> dict[str, list[Any]]:
        """What to link: the user's choice among what they may see, plus what is kept."""
        data = self.cleaned_data
        return {name: [*(data.get(name) or []), *self.kept[name]] for name in LINKS}

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields if name not in LINKS}


class PaymentForm(NoControlChars, forms.Form):
    """One year's annual fee paid. Amounts in yuan here; fen in the domain."""

    # Offered: the years still owed; any year is accepted here, so that one paid a moment ago
    # by someone else is refused by the domain saying why, not as "not a valid choice".
    year = forms.IntegerField(label=_("patent year"), widget=forms.Select)
    paid_on = forms.DateField(label=_("paid on"), widget=_DATE)
    amount = forms.DecimalField(
        label=_("amount paid (yuan)"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text=_("The annual fee after the reduction, plus any late fee."),
    )
    late_fee = forms.DecimalField(
        label=_("of which late fee (yuan)"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
    )
    note = forms.CharField(label=_("note"), max_length=255, required=False)

    # Domain errors are keyed by the model's fields; these are the form's names for them.
    FIELD_OF = {"amount_fen": "amount", "late_fee_fen": "late_fee"}

    def __init__(self, *args: Any, payable: list[fees.FeeYear], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "pay")
        kwargs.setdefault("auto_id", "%s")  # ids "pay-year", "pay-amount": the prefix suffices
        super().__init__(*args, **kwargs)
        self.fields["year"].widget.choices = [
            (row.year, _("year %(year)d (due %(due)s)") % {"year": row.year, "due": row.due_on})
            for row in payable
        ]
        if payable:
            first = payable[0]
            self.initial.setdefault("year", first.year)
            self.initial.setdefault("paid_on", timezone.localdate())
            self.initial.setdefault("amount", money.to_yuan(first.fee_fen + first.late_fee_fen))
            self.initial.setdefault("late_fee", money.to_yuan(first.late_fee_fen))

    def field_for(self, name: str) -> str | None:
        name = self.FIELD_OF.get(name, name)
        return name if name in self.fields else None
