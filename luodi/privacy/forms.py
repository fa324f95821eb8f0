"""The privacy page's forms: a person's legal basis, and the confirmation before anonymising."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from luodi.catalog.models import LegalBasis
from luodi.control_chars import NoControlChars


class LegalBasisForm(NoControlChars, forms.Form):
    legal_basis = forms.ChoiceField(label=_("Legal basis"), required=False, choices=[])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["legal_basis"].choices = [  # type: ignore[attr-defined]
            ("", _("Not recorded")),
            *LegalBasis.choices,
        ]


class AnonymiseForm(NoControlChars, forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that the name and contact details cannot be restored."),
        required=True,
    )
