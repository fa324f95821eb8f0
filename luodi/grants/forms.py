"""Forms of the grant pages: the list filter, a grant (new or edited draft; shares typed
as percentages, the value in yuan), its team (one row per member), a document, and the
small forms of the moves (objection, outcome, reason). Validation of the input only; the
checks of the data and every write are domain.py's, so the form and the API refuse the
same things."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from luodi import money
from luodi.accounts.rules import AnyUser
from luodi.catalog.models import Organization, Person
from luodi.concurrency import VersionedForm
from luodi.control_chars import NoControlChars
from luodi.grants import rules
from luodi.grants.choices import GrantDocumentType, GrantKind, GrantStatus
from luodi.grants.models import Grant
from luodi.pipeline.uploads import allowed_label, check_upload, max_bytes

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_YUAN = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0.01")}
_PERCENT = {
    "max_digits": 5,
    "decimal_places": 2,
    "min_value": Decimal("0.01"),
    "max_value": Decimal(100),
}
MEMBER_ROWS = 3  # empty rows offered beyond the members already named


def _all(choices: Iterable[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    return [("", _("All")), *choices]


def to_bp(percent: Decimal) -> int:
    """Decimal("33.5") % → 3350 bp, exactly."""
    return int((percent * 100).to_integral_value())


def to_percent(bp: int) -> Decimal:
    return Decimal(bp).scaleb(-2).normalize()


class GrantFilter(NoControlChars, forms.Form):
    institution = forms.ModelChoiceField(
        label=_("institution"), queryset=Organization.objects.none(), required=False
    )
    status = forms.ChoiceField(label=_("status"), required=False, choices=_all(GrantStatus.choices))
    kind = forms.ChoiceField(
        label=_("what is granted"), required=False, choices=_all(GrantKind.choices)
    )

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = rules.institutions_offered(user)  # type: ignore[attr-defined]
        self.fields["institution"].empty_label = _("All")  # type: ignore[attr-defined]


class GrantForm(NoControlChars, VersionedForm, forms.ModelForm):
    """A draft grant of one institution. The achievement list offers the institution's
    achievements the user may see; one already linked that the user may not see is kept as
    it is (`kept`) and its field left out, so saving never drops or names it."""

    team_share = forms.DecimalField(
        label=_("team share (%)"),
        help_text=_(
            "The team's share of the ownership or of the use right; the institution keeps the rest."
        ),
        **_PERCENT,  # type: ignore[arg-type]
    )
    valuation = forms.DecimalField(label=_("value (yuan)"), required=False, **_YUAN)  # type: ignore[arg-type]

    class Meta:
        model = Grant
        fields = [
            "achievement",
            "kind",
            "term_years",
            "use_starts_on",
            "valuer",
            "valuation_report_on",
            "decision_body",
            "decided_on",
            "minutes_ref",
            "notice_starts_on",
            "notice_ends_on",
            "notice_place",
            "note",
        ]
        widgets = {
            "use_starts_on": _DATE,
            "valuation_report_on": _DATE,
            "decided_on": _DATE,
            "notice_starts_on": _DATE,
            "notice_ends_on": _DATE,
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "term_years": _("Use right only: e.g. 10 years."),
            "decision_body": _("e.g. the president's office meeting or the Party committee"),
            "notice_place": _("e.g. the hospital's website or notice board"),
        }

    FIELD_OF = {"team_share_bp": "team_share", "valuation_fen": "valuation"}

    def __init__(self, *args: Any, user: AnyUser, institution: Organization, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.institution = institution
        grant: Grant = self.instance
        self.order_fields(["achievement", "kind", "team_share", "term_years", "use_starts_on"])
        offered = rules.achievements_offered(user, institution)
        self.kept: dict[str, Any] = {}
        if grant.achievement_id and not offered.filter(pk=grant.achievement_id).exists():
            self.kept["achievement"] = grant.achievement
            del self.fields["achievement"]
        else:
            self.fields["achievement"].queryset = offered  # type: ignore[attr-defined]
        self.fields["kind"].required = True
        if grant.pk is not None:
            self.initial.setdefault("team_share", to_percent(grant.team_share_bp))
            if grant.valuation_fen is not None:
                self.initial.setdefault("valuation", money.to_yuan(grant.valuation_fen))

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        out = {name: data.get(name) for name in self.Meta.fields if name in self.fields}
        out.update(self.kept)
        out["institution"] = self.institution
        out["team_share_bp"] = to_bp(data["team_share"])
        valuation = data.get("valuation")
        out["valuation_fen"] = money.to_fen(valuation) if valuation is not None else None
        return out

    def field_for(self, name: str) -> str | None:
        name = self.FIELD_OF.get(name, name)
        return name if name in self.fields else None


class MemberForm(NoControlChars, forms.Form):
    person = forms.ModelChoiceField(label=_("team member"), queryset=Person.objects.none())
    share = forms.DecimalField(label=_("share (%)"), **_PERCENT)  # type: ignore[arg-type]

    def __init__(self, *args: Any, people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]


class _Members(forms.BaseFormSet):
    def clean(self) -> None:
        chosen = [
            f.cleaned_data["person"].pk
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and "person" in f.cleaned_data
        ]
        if len(set(chosen)) != len(chosen):
            raise forms.ValidationError(_("Each person may be named once."))

    def members(self) -> list[tuple[Person, int]]:
        return [
            (f.cleaned_data["person"], to_bp(f.cleaned_data["share"]))
            for f in self.forms
            if f.cleaned_data
            and not f.cleaned_data.get("DELETE")
            and "person" in f.cleaned_data
            and "share" in f.cleaned_data
        ]


MemberFormSet = forms.formset_factory(
    MemberForm, formset=_Members, extra=MEMBER_ROWS, max_num=50, validate_max=True, can_delete=True
)


def member_formset(data: Any, *, user: AnyUser, initial: list[dict[str, Any]]) -> Any:
    return MemberFormSet(
        data,
        prefix="members",
        initial=initial,
        form_kwargs={"people": rules.people_offered(user)},
    )


class DocumentForm(NoControlChars, forms.Form):
    doc_type = forms.ChoiceField(label=_("document type"), choices=GrantDocumentType.choices)
    file = forms.FileField(label=_("file"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("%(types)s; at most %(mb)d MB.") % {
            "types": allowed_label(),
            "mb": max_bytes() // 1024 // 1024,
        }

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        check_upload(upload)
        return upload


class ObjectionForm(NoControlChars, forms.Form):
    objection = forms.CharField(
        label=_("objection received"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class GrantOutcomeForm(NoControlChars, forms.Form):
    outcome = forms.CharField(
        label=_("outcome of the notice"),
        max_length=2000,
        required=False,
        help_text=_("e.g. no objection received during the notice period"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class WithdrawForm(NoControlChars, forms.Form):
    reason = forms.CharField(
        label=_("reason for withdrawal"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
