from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from luodi.accounts.models import AuditEntry


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=80,
        help_text=_("What the token is for, e.g. “nightly import”."),
    )


class AuditFilterForm(forms.Form):
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
