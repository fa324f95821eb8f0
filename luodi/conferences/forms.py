"""Forms of the call for abstracts and the timetable; domain.py does the writes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from luodi.accounts.models import User
from luodi.concurrency import VersionedForm, parse_token
from luodi.conferences import queries
from luodi.conferences.choices import Decision, Preference
from luodi.conferences.domain import CONFERENCE_FIELDS, AuthorIn
from luodi.conferences.models import Conference, Room
from luodi.control_chars import NoControlChars
from luodi.engagements.forms import DATETIME_FORMAT, DateTimeInput

AUTHOR_ROWS = 5


class ConferenceForm(VersionedForm, NoControlChars, forms.ModelForm):
    call_opens_at = forms.DateTimeField(
        label=_("call for abstracts opens"), widget=DateTimeInput(), input_formats=[DATETIME_FORMAT]
    )
    call_closes_at = forms.DateTimeField(
        label=_("call for abstracts closes"),
        widget=DateTimeInput(),
        input_formats=[DATETIME_FORMAT],
    )

    class Meta:
        model = Conference
        fields = CONFERENCE_FIELDS
        widgets = {
            "topics": forms.Textarea(attrs={"rows": 4}),
            "day_starts": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "day_ends": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }


class RoomForm(NoControlChars, forms.Form):
    name = forms.CharField(label=_("room"), max_length=120)
    capacity = forms.IntegerField(label=_("seats"), min_value=1, required=False)


class SubmissionForm(NoControlChars, forms.Form):
    """The public submission form: up to five authors in their order, one of them marked as
    presenting. `website` is a honeypot: people leave it empty."""

    title = forms.CharField(label=_("title"), max_length=255)
    body = forms.CharField(
        label=_("abstract"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("At most 5000 characters."),
    )
    topic = forms.ChoiceField(label=_("topic"), required=False)
    preference = forms.ChoiceField(
        label=_("presentation preference"),
        choices=Preference.choices,
        initial=Preference.EITHER,
        widget=forms.RadioSelect,
    )
    contact_email = forms.EmailField(
        label=_("contact email"),
        max_length=254,
        help_text=_("The confirmation and the decision are sent here."),
    )
    presenting = forms.TypedChoiceField(
        label=_("presenting author"),
        coerce=int,
        choices=[(i, str(i)) for i in range(1, AUTHOR_ROWS + 1)],
        initial=1,
        help_text=_("The number of the author who presents."),
    )
    website = forms.CharField(
        required=False,
        label=_("Leave this empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, conference: Conference, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        topics = conference.topic_list
        if topics:
            self.fields["topic"].required = True
            self.fields["topic"].choices = [("", "—"), *((t, t) for t in topics)]  # type: ignore[attr-defined]
        else:
            del self.fields["topic"]
        for i in range(1, AUTHOR_ROWS + 1):
            self.fields[f"author{i}_name"] = forms.CharField(
                label=_("author %(n)d: name") % {"n": i}, max_length=120, required=i == 1
            )
            self.fields[f"author{i}_affiliation"] = forms.CharField(
                label=_("author %(n)d: affiliation") % {"n": i}, max_length=200, required=i == 1
            )

    def clean_website(self) -> str:
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("Leave this field empty."))
        return ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        n = data.get("presenting")
        if n and not (data.get(f"author{n}_name") or "").strip():
            self.add_error("presenting", _("The presenting author needs a name."))
        return data

    @property
    def author_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"author{i}_name"], self[f"author{i}_affiliation"])
            for i in range(1, AUTHOR_ROWS + 1)
        ]

    def authors(self) -> list[AuthorIn]:
        data = self.cleaned_data
        return [
            AuthorIn(
                name=data.get(f"author{i}_name", ""),
                affiliation=data.get(f"author{i}_affiliation", ""),
                presenting=data.get("presenting") == i,
            )
            for i in range(1, AUTHOR_ROWS + 1)
            if (data.get(f"author{i}_name") or "").strip()
        ]


class AssignForm(NoControlChars, forms.Form):
    """A reviewer by username or email: no list of accounts is shown to organisers."""

    reviewer = forms.CharField(label=_("reviewer (username or email)"), max_length=254)

    def clean_reviewer(self) -> User:
        key = self.cleaned_data["reviewer"].strip()
        user = User.objects.filter(
            Q(username__iexact=key) | Q(email__iexact=key), is_active=True
        ).first()
        if user is None:
            raise forms.ValidationError(_("No active account with this username or email."))
        return user


class ReviewForm(NoControlChars, forms.Form):
    score = forms.TypedChoiceField(
        label=_("score"),
        coerce=int,
        choices=[(i, str(i)) for i in range(1, 6)],
        widget=forms.RadioSelect,
        help_text=_("1 = weak, 5 = excellent."),
    )
    comment = forms.CharField(
        label=_("comment"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class _Versioned(NoControlChars, forms.Form):
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_version(self) -> int | None:
        try:
            return parse_token(self.cleaned_data.get("version"))
        except ValueError:
            raise forms.ValidationError(_("This form is damaged; open it again.")) from None


class DecisionForm(_Versioned):
    decision = forms.ChoiceField(
        label=_("decision"), choices=Decision.choices, widget=forms.RadioSelect
    )


class PlaceForm(_Versioned):
    """Placing without drag: a select of room and one of slot (drag fills in the same)."""

    room = forms.ModelChoiceField(label=_("room"), queryset=Room.objects.none())
    slot = forms.ChoiceField(label=_("slot"))

    def __init__(self, *args: Any, conference: Conference, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = conference.rooms.all()  # type: ignore[attr-defined]
        self.fields["slot"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *queries.slot_choices(conference),
        ]

    def clean_slot(self) -> datetime:
        moment = queries.parse_slot(self.cleaned_data.get("slot") or "")
        if moment is None:
            raise forms.ValidationError(_("Choose a slot."))
        return moment
