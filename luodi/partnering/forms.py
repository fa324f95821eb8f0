from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from luodi.catalog.models import Organization
from luodi.concurrency import VersionedForm
from luodi.control_chars import NoControlChars
from luodi.partnering.choices import Outcome
from luodi.partnering.models import Participant, PartneringSession


def slot_label(t: datetime) -> str:
    return date_format(timezone.localtime(t), "m-d H:i")


def slot_choices(slots: list[datetime]) -> list[tuple[str, str]]:
    return [(t.isoformat(), slot_label(t)) for t in slots]


class SlotField(forms.TypedChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(coerce=datetime.fromisoformat, **kwargs)


class WindowForm(NoControlChars, forms.Form):
    """One meeting window: a day and the hours of it."""

    date = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(
        label=_("meetings from"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    end = forms.TimeField(label=_("meetings until"), widget=forms.TimeInput(attrs={"type": "time"}))

    def windows(self) -> list[tuple[datetime, datetime]]:
        d = self.cleaned_data
        return [
            (
                timezone.make_aware(datetime.combine(d["date"], d["start"])),
                timezone.make_aware(datetime.combine(d["date"], d["end"])),
            )
        ]


class SessionForm(WindowForm):
    slot_minutes = forms.IntegerField(label=_("slot length (minutes)"), initial=20)
    tables = forms.IntegerField(label=_("tables"), initial=10)


class SessionSettingsForm(NoControlChars, VersionedForm, forms.ModelForm):
    """What may change once meetings are being booked (the slot length may not: every booked
    meeting would fall between slots)."""

    class Meta:
        model = PartneringSession
        fields = ["tables", "is_open"]


class JoinForm(NoControlChars, forms.Form):
    organization = forms.ModelChoiceField(
        label=_("organization"), queryset=Organization.objects.none()
    )

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organizations
        if organizations.count() == 1:
            field.initial = organizations.first()


class ProfileForm(NoControlChars, VersionedForm, forms.ModelForm):
    class Meta:
        model = Participant
        fields = ["offer", "seek", "is_published"]
        widgets = {
            "offer": forms.Textarea(attrs={"rows": 4}),
            "seek": forms.Textarea(attrs={"rows": 4}),
        }


class AvailabilityForm(NoControlChars, forms.Form):
    free = forms.MultipleChoiceField(
        label=_("free for meetings"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, slots: list[datetime], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["free"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = slot_choices(slots)

    def slots(self) -> list[datetime]:
        return [datetime.fromisoformat(v) for v in self.cleaned_data["free"]]


class AcceptForm(NoControlChars, forms.Form):
    starts_at = SlotField(label=_("slot"))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, slots: list[datetime], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["starts_at"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = slot_choices(slots)


class ScheduleForm(NoControlChars, forms.Form):
    a = forms.ModelChoiceField(label=_("participant"), queryset=Participant.objects.none())
    b = forms.ModelChoiceField(label=_("meets"), queryset=Participant.objects.none())
    starts_at = forms.DateTimeField(
        label=_("slot"), required=False, help_text=_("Empty: their first common free slot.")
    )

    def __init__(self, *args: Any, participants: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("a", "b"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = participants


class OutcomeForm(NoControlChars, forms.Form):
    held = forms.TypedChoiceField(
        label=_("the meeting"),
        choices=[("1", _("was held")), ("0", _("did not take place (no-show)"))],
        coerce=lambda v: v == "1",
    )
    outcome = forms.ChoiceField(label=_("outcome"), choices=Outcome.choices, required=False)
    note = forms.CharField(
        label=_("note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    no_show_of = forms.ModelChoiceField(
        label=_("who did not come"), queryset=Participant.objects.none(), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, sides: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["no_show_of"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = sides
