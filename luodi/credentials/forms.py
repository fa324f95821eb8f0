from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from luodi.concurrency import VersionedForm
from luodi.control_chars import NoControlChars
from luodi.credentials.models import CertificateKind, CmeActivity
from luodi.engagements.models import Event, RegistrationCategory, Session


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        start = timezone.localtime(obj.starts_at)
        room = f" · {obj.room}" if obj.room else ""
        return f"{date_format(start, 'm-d H:i')}{room} · {obj.title}"


class SessionMultipleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return SessionChoiceField.label_from_instance(self, obj)  # type: ignore[arg-type]


def _sessions(event: Event) -> Any:
    return Session.objects.filter(event=event).order_by("starts_at", "id")


class SessionCheckInForm(NoControlChars, forms.Form):
    session = SessionChoiceField(label=_("session"), queryset=Session.objects.none())
    code = forms.CharField(
        label=_("code from the badge, the confirmation or its QR code"), max_length=200
    )

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = _sessions(event)  # type: ignore[attr-defined]


class BadgeForm(NoControlChars, forms.Form):
    category = forms.ModelChoiceField(
        label=_("category"),
        queryset=RegistrationCategory.objects.none(),
        required=False,
        empty_label=_("All categories"),
    )
    only_unprinted = forms.BooleanField(label=_("only badges not printed yet"), required=False)

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = RegistrationCategory.objects.filter(  # type: ignore[attr-defined]
            event=event
        )


class IssueForm(NoControlChars, forms.Form):
    kinds = forms.MultipleChoiceField(
        label=_("issue"),
        choices=CertificateKind.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[k for k, _label in CertificateKind.choices],
    )


LANGUAGE_CHOICES = [
    ("both", _("Chinese and English")),
    ("zh-hans", _("Chinese")),
    ("en", _("English")),
]


def languages(choice: str | None) -> tuple[str, ...]:
    """The certificate languages for a `lang` choice (anything unknown: both)."""
    if choice in ("zh-hans", "en"):
        return (choice,)
    return ("zh-hans", "en")


class LanguageForm(NoControlChars, forms.Form):
    lang = forms.ChoiceField(label=_("language"), choices=LANGUAGE_CHOICES, required=False)


class RevokeForm(NoControlChars, forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=200)


class ActivityForm(VersionedForm, NoControlChars, forms.ModelForm):
    required_sessions = SessionMultipleField(
        label=_("required sessions"),
        queryset=Session.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: being checked in to the event is enough."),
    )

    class Meta:
        model = CmeActivity
        fields = ["project_code", "title", "credit_type", "credits", "hours", "required_sessions"]

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["required_sessions"].queryset = _sessions(event)  # type: ignore[attr-defined]

    def validate_unique(self) -> None:
        """The project code's uniqueness per event is the domain's (with its message)."""
