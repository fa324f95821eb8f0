"""News post forms: both language versions with the box each reviewer ticks to approve
one, and what a draft may report (domain/news.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from luodi.concurrency import VersionedForm
from luodi.control_chars import NoControlChars
from luodi.engagements.domain.news import TO_TRANSLATE
from luodi.engagements.models import (
    Event,
    FollowUp,
    LanguageState,
    NewsPost,
    Outcome,
    OutcomeKind,
    Visit,
)


class NewsPostForm(NoControlChars, VersionedForm, forms.ModelForm):
    """Both versions of a post, each with the box its reviewer ticks to approve it: only an
    approved version is ever published (domain/news.py)."""

    approve_zh = forms.BooleanField(
        label=_("I have read the Chinese version and approve it for publication"),
        required=False,
    )
    approve_en = forms.BooleanField(
        label=_("I have read the English version and approve it for publication"),
        required=False,
    )

    class Meta:
        model = NewsPost
        fields = ["title_zh", "body_zh", "title_en", "body_en"]
        widgets = {
            "body_zh": forms.Textarea(attrs={"rows": 10}),
            "body_en": forms.Textarea(attrs={"rows": 10}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for lang in ("zh", "en"):
            self.fields[f"approve_{lang}"].initial = (
                self.instance.state(lang) != LanguageState.DRAFT
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("title_zh") and not data.get("title_en"):
            raise forms.ValidationError(_("Give a Chinese or an English title."))
        for lang in ("zh", "en"):
            if data.get(f"approve_{lang}") and not (
                data.get(f"title_{lang}") and data.get(f"body_{lang}")
            ):
                self.add_error(
                    f"approve_{lang}", _("A version needs its title and text to be approved.")
                )
        if data.get("approve_en") and any(
            TO_TRANSLATE in (data.get(name) or "") for name in ("title_en", "body_en")
        ):
            self.add_error(
                "approve_en",
                _(
                    "The English version still has passages marked [to translate: …]. "
                    "Translate them, then approve."
                ),
            )
        return data

    def approvals(self) -> dict[str, bool]:
        return {lang: bool(self.cleaned_data.get(f"approve_{lang}")) for lang in ("zh", "en")}


class NewsDraftForm(NoControlChars, forms.Form):
    """What a draft may say beyond who, when and where. Outcomes of the kind "cooperation
    intention" are ticked in advance; commitments, decisions and follow-ups, often internal,
    only when the author ticks them."""

    outcomes = forms.ModelMultipleChoiceField(
        label=_("outcomes to report"),
        required=False,
        queryset=Outcome.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    follow_ups = forms.ModelMultipleChoiceField(
        label=_("next steps to report"),
        required=False,
        queryset=FollowUp.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Follow-ups are internal unless you tick them here."),
    )
    summary = forms.BooleanField(label=_("include the summary"), required=False)

    def __init__(self, *args: Any, record: Visit | Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        outcomes = record.outcomes.select_related("counterpart")
        self.fields["outcomes"].queryset = outcomes  # type: ignore[attr-defined]
        self.fields["outcomes"].label_from_instance = (  # type: ignore[attr-defined]
            lambda o: f"{o.get_kind_display()} · {o.text}"
        )
        self.fields["outcomes"].initial = [
            o.pk for o in outcomes if o.kind == OutcomeKind.INTENTION
        ]
        self.fields["follow_ups"].queryset = record.followups.all()  # type: ignore[attr-defined]
        if isinstance(record, Event):
            self.fields["summary"].label = _("include the post-event outcomes")
