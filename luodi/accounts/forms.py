from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from luodi.accounts.models import AuditEntry, TokenScope
from luodi.control_chars import NoControlChars


class TokenForm(NoControlChars, forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=80,
        help_text=_("What the token is for, e.g. “nightly import”."),
    )
    scope = forms.ChoiceField(
        label=_("Scope"),
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        help_text=_("Read-only tokens cannot create, change or delete anything."),
    )
    days = forms.TypedChoiceField(label=_("Valid for"), coerce=int, choices=[])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from luodi.accounts.domain import token_lifetimes

        days = self.fields["days"]
        days.choices = [  # type: ignore[attr-defined]
            (d, ngettext("%(n)s day", "%(n)s days", d) % {"n": d}) for d in token_lifetimes()
        ]
        days.initial = settings.LUODI_TOKEN_DAYS


class CodeForm(NoControlChars, forms.Form):
    """A six-digit code from the authenticator app, or one of the backup codes."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


class AuditFilterForm(NoControlChars, forms.Form):
    verb = forms.CharField(label=_("Action"), required=False, max_length=64)
    actor = forms.CharField(label=_("Actor"), required=False, max_length=150)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def filter(self, qs: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
        if not self.is_valid():
            return qs.none()
        data = self.cleaned_data
        if data["verb"]:
            qs = qs.filter(verb__startswith=data["verb"])
        if data["actor"]:
            qs = qs.filter(actor_label__icontains=data["actor"])
        if data["since"]:
            qs = qs.filter(created_at__date__gte=data["since"])
        if data["until"]:
            qs = qs.filter(created_at__date__lte=data["until"])
        return qs
