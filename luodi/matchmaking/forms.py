"""Matchmaking forms: actions on a suggested pair, access requests (with the NDA), decisions
on them and NDA invitations."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luodi.accounts.rules import AnyUser
from luodi.assessments.choices import READINESS
from luodi.assessments.results import AssessedFilter
from luodi.catalog.choices import ReviewStatus
from luodi.catalog.models import Achievement, Organization
from luodi.catalog.rules import organizations_visible_to
from luodi.control_chars import NoControlChars
from luodi.matchmaking.models import DeclineReason, MatchStatus, TargetKind

ACTIONS = [
    (MatchStatus.SHORTLISTED, _("Shortlist")),
    (MatchStatus.INTRODUCED, _("Introduce")),
    (MatchStatus.IN_DISCUSSION, _("In discussion")),
    (MatchStatus.CONVERTED, _("Converted")),
    (MatchStatus.DECLINED, _("Decline")),
]


class ActForm(NoControlChars, forms.Form):
    target_kind = forms.ChoiceField(choices=TargetKind.choices, widget=forms.HiddenInput)
    target_id = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    score = forms.FloatField(required=False, widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("action"), choices=ACTIONS)
    reason = forms.ChoiceField(
        label=_("reason"), required=False, choices=[("", "—"), *DeclineReason.choices]
    )
    note = forms.CharField(
        label=_("note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == MatchStatus.DECLINED and not data.get("reason"):
            self.add_error("reason", _("Choose a reason for declining."))
        if data.get("reason") == DeclineReason.OTHER and not (data.get("note") or "").strip():
            self.add_error("note", _("Say why, when the reason is “other”."))
        return data


class StatusForm(NoControlChars, forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=MatchStatus.choices)
    reason = forms.ChoiceField(
        label=_("reason"), required=False, choices=[("", "—"), *DeclineReason.choices]
    )
    note = forms.CharField(label=_("note"), required=False, max_length=2000)


class AccessRequestForm(NoControlChars, forms.Form):
    message = forms.CharField(
        label=_("Why you would like to see the dossier"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    accept_nda = forms.BooleanField(label=_("I accept the NDA above"), required=True)


def _default_expiry() -> Any:
    return (timezone.localdate() + timedelta(days=90)).isoformat()


class DecideAccessForm(NoControlChars, forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    expires_on = forms.DateField(
        label=_("access expires on"),
        required=False,
        initial=_default_expiry,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "approve":
            day = data.get("expires_on")
            if day is None:
                self.add_error("expires_on", _("Set when access expires."))
            elif day <= timezone.localdate():
                self.add_error("expires_on", _("The expiry must be in the future."))
        return data


class InviteForm(NoControlChars, forms.Form):
    """Invite an organization to a confidential achievement's NDA. The field accepts any
    organization the user may see, so that the domain's checks (owner's own, archived, …)
    answer with a message; the list offers only the eligible ones."""

    organization = forms.ModelChoiceField(
        label=_("organization to invite"), queryset=Organization.objects.none()
    )
    expires_on = forms.DateField(
        label=_("invitation expires on"),
        required=False,  # the one-click invite on a match row takes the default (90 days)
        initial=_default_expiry,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, user: AnyUser, achievement: Achievement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        field.queryset = organizations_visible_to(user)  # type: ignore[attr-defined]
        eligible = (
            organizations_visible_to(user)
            .filter(status=ReviewStatus.PUBLISHED, archived_at__isnull=True)
            .exclude(pk=achievement.owner_id)
            .order_by("name_zh", "name_en")
        )
        field.choices = [("", "—"), *((o.pk, o.display_name) for o in eligible)]  # type: ignore[attr-defined]

    def clean_expires_on(self) -> Any:
        day = self.cleaned_data.get("expires_on")
        if day is not None and day <= timezone.localdate():
            raise forms.ValidationError(_("The expiry must be in the future."))
        return day


class AssessedForm(NoControlChars, forms.Form):
    """Achievement tabs: only achievements with an expert assessment (luodi.assessments) the
    user may see, optionally of at least a readiness level."""

    assessed = forms.BooleanField(label=_("assessed only"), required=False)
    min_readiness = forms.TypedChoiceField(
        label=_("minimum readiness"),
        choices=[("", "—"), *READINESS],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def chosen(self) -> AssessedFilter | None:
        if not self.is_valid():
            return None
        data = self.cleaned_data
        if not data.get("assessed") and data.get("min_readiness") is None:
            return None
        return AssessedFilter(data.get("min_readiness"))
