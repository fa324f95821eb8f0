"""Forms of the challenge pages. Validation of the input only; the checks of the data and
every write are domain.py's and proposals.py's, so the forms, the API and the demo refuse
the same things. Money is typed in yuan here and stored in fen."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from luodi import money
from luodi.accounts.rules import AnyUser
from luodi.catalog.models import Achievement
from luodi.catalog.rules import achievements_visible_to
from luodi.challenges import rules
from luodi.challenges.choices import ChallengeStatus, Readiness, Stage
from luodi.challenges.models import Challenge
from luodi.concurrency import VersionedForm
from luodi.control_chars import NoControlChars

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_AREA = forms.Textarea(attrs={"rows": 4})


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe): cleans to a list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def _yuan(label: Any, required: bool = False) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=required, max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )


class ChallengeFilter(NoControlChars, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("status"), required=False, choices=[("", _("All")), *ChallengeStatus.choices]
    )


class ChallengeForm(NoControlChars, VersionedForm, forms.ModelForm):
    budget_min = _yuan(_("budget from (yuan)"))
    budget_max = _yuan(_("budget up to (yuan)"))

    class Meta:
        model = Challenge
        fields = [
            "poster",
            "title_zh",
            "title_en",
            "problem_zh",
            "problem_en",
            "timeline",
            "eligibility",
            "ip_terms",
            "deadline",
            "visibility",
            "need",
        ]
        widgets = {
            "deadline": _DATE,
            "problem_zh": _AREA,
            "problem_en": _AREA,
            "timeline": forms.Textarea(attrs={"rows": 2}),
            "eligibility": forms.Textarea(attrs={"rows": 2}),
            "ip_terms": forms.Textarea(attrs={"rows": 2}),
        }

    # Domain errors are keyed by the model's fields; these are the form's names for them.
    FIELD_OF = {"budget_min_fen": "budget_min", "budget_max_fen": "budget_max"}

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        posters = rules.posters_offered(user)
        self.fields["poster"].queryset = posters  # type: ignore[attr-defined]
        self.fields["poster"].required = not rules.posts_for_association(user)
        self.fields["need"].queryset = rules.needs_convertible_by(user).order_by("pk")  # type: ignore[attr-defined]
        self.fields["need"].widget = forms.HiddenInput()
        order = [
            "poster",
            "title_zh",
            "title_en",
            "problem_zh",
            "problem_en",
            "budget_min",
            "budget_max",
        ]
        self.order_fields(order)
        instance: Challenge = self.instance
        for name in ("budget_min", "budget_max"):
            fen = getattr(instance, f"{name}_fen", None)
            if fen is not None:
                self.initial.setdefault(name, money.to_yuan(fen))

    def field_for(self, name: str) -> str | None:
        name = self.FIELD_OF.get(name, name)
        return name if name in self.fields else None

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        out = {name: data.get(name) for name in self.Meta.fields}
        for name in ("budget_min", "budget_max"):
            amount = data.get(name)
            out[f"{name}_fen"] = money.to_fen(amount) if amount is not None else None
        for name in (
            "title_zh",
            "title_en",
            "problem_zh",
            "problem_en",
            "timeline",
            "eligibility",
            "ip_terms",
        ):
            out[name] = (out[name] or "").strip()
        return out


class ProposalForm(NoControlChars, forms.Form):
    """A proposal, for a signed-in applicant (`user`: organization and achievements
    offered) or one without an account (`user` None: name, email, organization typed; a
    honeypot)."""

    applicant_name = forms.CharField(label=_("your name"), max_length=120, required=False)
    applicant_email = forms.EmailField(label=_("email"), max_length=254, required=False)
    applicant_organization = forms.CharField(
        label=_("your organization"), max_length=255, required=False
    )
    organization = forms.ModelChoiceField(
        label=_("proposing organization"), queryset=Achievement.objects.none(), required=False
    )
    title = forms.CharField(label=_("proposal title"), max_length=255, required=False)
    summary = forms.CharField(label=_("summary"), widget=_AREA, required=False, max_length=5000)
    approach = forms.CharField(
        label=_("hypothesis and approach"), widget=_AREA, required=False, max_length=10000
    )
    readiness = forms.TypedChoiceField(
        label=_("technology readiness"),
        choices=[("", "—"), *Readiness.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    plan = forms.CharField(
        label=_("plan and milestones"), widget=_AREA, required=False, max_length=10000
    )
    team = forms.CharField(
        label=_("team"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )
    budget_ask = _yuan(_("budget asked (yuan)"))
    achievements = forms.ModelMultipleChoiceField(
        label=_("linked achievements"),
        queryset=Achievement.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    attachments = MultipleFileField(
        label=_("attachments"),
        required=False,
        help_text=_("Up to five files: PDF, Word, Excel or images."),
    )
    website = forms.CharField(
        required=False,
        label=_("Leave this empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    FIELD_OF = {"budget_ask_fen": "budget_ask", "__all__": None}

    def __init__(self, *args: Any, user: AnyUser | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user is None or not user.is_authenticated:
            del self.fields["organization"], self.fields["achievements"]
            return
        del (
            self.fields["applicant_name"],
            self.fields["applicant_organization"],
            self.fields["website"],
        )
        self.fields["applicant_email"].help_text = _("Empty: your account's address.")
        orgs = rules.applicant_orgs(user)
        self.fields["organization"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["organization"].required = True
        self.fields["organization"].empty_label = None  # type: ignore[attr-defined]
        self.fields["achievements"].queryset = (  # type: ignore[attr-defined]
            achievements_visible_to(user).filter(owner__in=orgs).order_by("pk")
        )

    def clean_website(self) -> str:
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("Leave this field empty."))
        return ""

    def field_for(self, name: str) -> str | None:
        name = self.FIELD_OF.get(name, name) or ""
        return name if name in self.fields else None

    def uploads(self) -> list[Any]:
        return list(self.cleaned_data.get("attachments") or [])

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        ask = data.get("budget_ask")
        return {
            "applicant_name": data.get("applicant_name") or "",
            "applicant_email": data.get("applicant_email") or "",
            "applicant_organization": data.get("applicant_organization") or "",
            "title": data.get("title") or "",
            "summary": data.get("summary") or "",
            "approach": data.get("approach") or "",
            "readiness": data.get("readiness"),
            "plan": data.get("plan") or "",
            "team": data.get("team") or "",
            "budget_ask_fen": money.to_fen(ask) if ask is not None else None,
        }


class ReviewerForm(NoControlChars, forms.Form):
    reviewer = forms.CharField(
        label=_("reviewer's username or email"), max_length=254, required=False
    )


class StatusForm(NoControlChars, forms.Form):
    status = forms.ChoiceField(choices=ChallengeStatus.choices)
    version = forms.IntegerField(required=False)


class MoveForm(NoControlChars, forms.Form):
    stage = forms.ChoiceField(
        label=_("move to"),
        choices=[
            (s, label) for s, label in Stage.choices if s not in (Stage.AWARDED, Stage.WITHDRAWN)
        ],
    )
    note = forms.CharField(label=_("note"), max_length=500, required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ScoreForm(NoControlChars, forms.Form):
    score = forms.TypedChoiceField(
        label=_("score"), choices=[(i, str(i)) for i in range(1, 6)], coerce=int
    )
    comment = forms.CharField(
        label=_("comment"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
    )


class AwardForm(NoControlChars, forms.Form):
    """Names the proposing organization (an applicant without an account) and the
    achievement the project develops, when the proposal does not."""

    organization = forms.ModelChoiceField(
        label=_("proposing organization in the catalog"),
        queryset=Achievement.objects.none(),
        required=False,
    )
    achievement = forms.ModelChoiceField(
        label=_("achievement the project develops"),
        queryset=Achievement.objects.none(),
        required=False,
    )
    note = forms.CharField(label=_("note"), max_length=500, required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        from luodi.catalog.rules import organizations_visible_to

        kwargs.setdefault("prefix", "award")
        super().__init__(*args, **kwargs)
        orgs = organizations_visible_to(user).order_by("name_zh", "pk")
        self.fields["organization"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["achievement"].queryset = achievements_visible_to(user).order_by("pk")  # type: ignore[attr-defined]
