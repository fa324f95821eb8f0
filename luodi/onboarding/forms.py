"""The application form a newcomer fills in, and the decision form staff answer it with."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from luodi.accounts.models import AccountApplication
from luodi.catalog.choices import OrganizationKind
from luodi.catalog.models import Organization
from luodi.control_chars import NoControlChars


class ApplicationForm(NoControlChars, forms.ModelForm):
    organization_kind = forms.ChoiceField(label=_("organization kind"), choices=[])

    class Meta:
        model = AccountApplication
        fields = [
            "name",
            "email",
            "phone",
            "organization_name",
            "organization_kind",
            "position",
            "message",
        ]
        widgets = {"message": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization_kind"].choices = [  # type: ignore[attr-defined]
            c for c in OrganizationKind.choices if c[0] not in {"government", "association"}
        ]


class DecisionForm(NoControlChars, forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    organization: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Attach to existing organization"),
        required=False,
        queryset=None,
        help_text=_("Leave empty to create the organization named in the application."),
    )
    note = forms.CharField(
        label=_("Note to the applicant"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            merged_into__isnull=True, archived_at__isnull=True
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "reject" and not data.get("note"):
            self.add_error("note", _("Say why, so that the applicant knows what to do."))
        return data
