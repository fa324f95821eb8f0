"""Forms of surveys: the survey's settings and a question (organisers), and the attendee's
answers (built from the survey's questions; plain radio buttons and a text area, so the
page works without scripts in a messaging app's browser)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from luodi.control_chars import NoControlChars
from luodi.surveys.domain import TEXT_MAX, field_name
from luodi.surveys.models import RATING_MAX, RATING_MIN, Question, QuestionKind


class _Versioned(NoControlChars, forms.Form):
    # The survey's version the page was rendered from (every edit of it or its questions
    # claims it, luodi/concurrency.py).
    version = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=0)


class SurveyForm(_Versioned):
    intro_zh = forms.CharField(
        label=_("introduction (Chinese)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    intro_en = forms.CharField(
        label=_("introduction (English)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    closes_at = forms.DateTimeField(
        label=_("closes"),
        required=False,
        help_text=_("Empty: open until closed by hand."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class QuestionForm(_Versioned):
    kind = forms.ChoiceField(label=_("answer type"), choices=QuestionKind.choices)
    label_zh = forms.CharField(label=_("question (Chinese)"), required=False, max_length=300)
    label_en = forms.CharField(label=_("question (English)"), required=False, max_length=300)
    choices_zh = forms.CharField(
        label=_("choices (Chinese)"),
        required=False,
        max_length=2000,
        help_text=_("For “one of a list”: one choice per line."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    choices_en = forms.CharField(
        label=_("choices (English)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    required = forms.BooleanField(label=_("required"), required=False)

    @classmethod
    def of(cls, question: Question, version: int, **kwargs: Any) -> QuestionForm:
        initial = {
            "kind": question.kind,
            "label_zh": question.label_zh,
            "label_en": question.label_en,
            "choices_zh": question.choices_zh,
            "choices_en": question.choices_en,
            "required": question.required,
            "version": version,
        }
        return cls(initial=initial, prefix=f"q{question.pk}", **kwargs)


class AnswerForm(NoControlChars, forms.Form):
    """One field per question, named `q<id>`; the domain checks the values again."""

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for q in questions:
            name = field_name(q)
            field: forms.Field
            if q.kind == QuestionKind.RATING:
                field = forms.ChoiceField(
                    choices=[(str(n), str(n)) for n in range(RATING_MIN, RATING_MAX + 1)],
                    widget=forms.RadioSelect(attrs={"class": "scale"}),
                )
            elif q.kind == QuestionKind.CHOICE:
                field = forms.ChoiceField(
                    choices=[(str(i), c) for i, c in enumerate(q.choice_list(), 1)],
                    widget=forms.RadioSelect,
                )
            else:
                field = forms.CharField(
                    max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
                )
            field.label = q.label
            field.required = q.required
            field.error_messages["required"] = _("Please answer this question.")
            self.fields[name] = field
