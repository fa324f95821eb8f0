"""Engagement forms. Business rules beyond field checks (conflicts, capacity) live in the
domain; views turn the domain's refusals into form errors. Possible duplicates are asked
about here (`AskDuplicate`), so the web pages and the API, which both run these forms, warn
alike."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luodi.accounts.models import User
from luodi.accounts.rules import AnyUser
from luodi.catalog.models import Organization
from luodi.catalog.rules import achievements_visible_to, organizations_visible_to
from luodi.concurrency import VersionedForm
from luodi.control_chars import NoControlChars
from luodi.engagements import duplicates
from luodi.engagements.models import (
    Event,
    Meeting,
    OutcomeKind,
    Visit,
    VisitStop,
)

_SPLIT = re.compile(r"[;；,，、\n]+")
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=DATETIME_FORMAT, **kwargs)


def _orgs(user: AnyUser) -> QuerySet[Organization]:
    return organizations_visible_to(user).order_by("name_zh", "name_en")


class UserForm(NoControlChars, VersionedForm, forms.ModelForm):
    """A model form whose organization, project and agreement choices are those the user may
    see. `m2m_fields` are saved by the domain after the row."""

    org_fields: tuple[str, ...] = ()
    m2m_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        from luodi.pipeline.rules import agreements_visible_to, projects_visible_to

        super().__init__(*args, **kwargs)
        self.user = user
        for name in self.org_fields:
            if name in self.fields:
                self.fields[name].queryset = _orgs(user)  # type: ignore[attr-defined]
        if "projects" in self.fields:
            self.fields["projects"].queryset = projects_visible_to(user)  # type: ignore[attr-defined]
        if "agreements" in self.fields:
            self.fields["agreements"].queryset = agreements_visible_to(user)  # type: ignore[attr-defined]

    @property
    def plain_fields(self) -> list[str]:
        return [n for n in self._meta.fields or [] if n not in self.m2m_fields]

    def m2m(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.m2m_fields}


class VisitForm(UserForm):
    org_fields = ("organizer", "organizations", "company")
    m2m_fields = ("organizations", "projects", "agreements")
    # Staff start from a place they know (the association's office, a hotel, a park), not
    # from typed coordinates (field test #18 item 8); coordinates stay for anywhere else.
    start_from = forms.ModelChoiceField(
        label=_("start from"),
        required=False,
        queryset=Organization.objects.none(),
        help_text=_(
            "An organization on the map; its name and location become the start point. Or "
            "type a place and its coordinates below."
        ),
    )

    class Meta:
        model = Visit
        fields = [
            "title_zh",
            "title_en",
            "purpose",
            "date",
            "start_time",
            "start_label",
            "start_latitude",
            "start_longitude",
            "organizer",
            "organizations",
            "company",
            "achievement",
            "projects",
            "agreements",
        ]
        widgets = {
            "date": DateInput(),
            "start_time": TimeInput(),
            "organizations": forms.SelectMultiple(attrs={"size": 6}),
            "projects": forms.SelectMultiple(attrs={"size": 4}),
            "agreements": forms.SelectMultiple(attrs={"size": 4}),
            "purpose": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["achievement"].queryset = achievements_visible_to(  # type: ignore[attr-defined]
            user
        ).order_by("title_zh")
        self.fields["start_from"].queryset = _orgs(user).filter(  # type: ignore[attr-defined]
            latitude__isnull=False, longitude__isnull=False
        )
        names = list(self.fields)
        names.remove("start_from")
        names.insert(names.index("start_label"), "start_from")
        self.order_fields(names)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("title_zh") and not data.get("title_en"):
            raise forms.ValidationError(_("Give a Chinese or an English title."))
        place: Organization | None = data.get("start_from")
        if place is not None:
            data["start_label"] = data.get("start_label") or place.display_name
            data["start_latitude"], data["start_longitude"] = place.latitude, place.longitude
        if (data.get("start_latitude") is None) != (data.get("start_longitude") is None):
            raise forms.ValidationError(_("Give both the latitude and the longitude."))
        return data


class AskDuplicate(NoControlChars):
    """A form that, before adding what looks like a duplicate, says so on the field and
    shows an "add anyway" box; ticked, the next submit goes through. Hidden otherwise."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["allow_duplicate"] = forms.BooleanField(
            label=_("Add anyway: it is not a duplicate"),
            required=False,
            widget=forms.HiddenInput,
        )

    def ask(self, field: str | None, message: str) -> None:
        if self.cleaned_data.get("allow_duplicate"):
            return
        self.add_error(field, message)
        self.fields["allow_duplicate"].widget = forms.CheckboxInput()


class StopForm(AskDuplicate, forms.ModelForm):
    class Meta:
        model = VisitStop
        fields = ["organization", "place", "window_start", "window_end", "duration_min", "hosts"]
        widgets = {"window_start": TimeInput(), "window_end": TimeInput()}

    def __init__(
        self, *args: Any, user: AnyUser, visit: Visit | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.visit = visit
        self.fields["organization"].queryset = _orgs(user)  # type: ignore[attr-defined]
        self.fields["duration_min"].widget.attrs.update({"min": 5, "max": 600})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("organization") and not data.get("place"):
            raise forms.ValidationError(_("Choose an organization or name the place."))
        start, end = data.get("window_start"), data.get("window_end")
        if start and end and end <= start:
            self.add_error("window_end", _("The window must end after it starts."))
        if self.visit is not None:
            same = duplicates.stop(self.visit, data.get("organization"), data.get("place", ""))
            if same:
                self.ask(
                    "organization" if data.get("organization") else "place",
                    _("“%(place)s” is on the itinerary already.") % {"place": same},
                )
        return data


class MinutesForm(NoControlChars, forms.Form):
    minutes = forms.CharField(
        label=_("minutes"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )


class ParticipantForm(AskDuplicate, forms.Form):
    name = forms.CharField(label=_("full name"), max_length=120)
    organization = forms.ModelChoiceField(
        label=_("organization"), required=False, queryset=Organization.objects.none()
    )
    role = forms.CharField(label=_("title / role"), max_length=120, required=False)

    def __init__(
        self, *args: Any, user: AnyUser, record: Visit | Meeting | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.record = record
        self.fields["organization"].queryset = _orgs(user)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        name = data.get("name", "")
        if self.record is not None and name and duplicates.participant(self.record, name):
            self.ask(
                "name",
                _("%(name)s is on the list already. Same name, different person?") % {"name": name},
            )
        return data


class OutcomeForm(NoControlChars, forms.Form):
    kind = forms.ChoiceField(label=_("type"), choices=OutcomeKind.choices)
    text = forms.CharField(label=_("what was agreed"), widget=forms.Textarea(attrs={"rows": 2}))
    counterpart = forms.ModelChoiceField(
        label=_("with organization"), required=False, queryset=Organization.objects.none()
    )
    stop = forms.ModelChoiceField(
        label=_("at stop"), required=False, queryset=VisitStop.objects.none()
    )

    def __init__(
        self, *args: Any, user: AnyUser, visit: Visit | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["counterpart"].queryset = _orgs(user)  # type: ignore[attr-defined]
        if visit is not None:
            self.fields["stop"].queryset = visit.stops.select_related("organization")  # type: ignore[attr-defined]
        else:
            del self.fields["stop"]


class FollowUpForm(NoControlChars, forms.Form):
    title = forms.CharField(label=_("task"), max_length=255)
    owner = forms.ModelChoiceField(
        label=_("person responsible"), required=False, queryset=User.objects.none()
    )
    owner_name = forms.CharField(
        label=_("person responsible (if not a user)"), max_length=120, required=False
    )
    due_date = forms.DateField(label=_("due date"), required=False, widget=DateInput())
    project = forms.ModelChoiceField(
        label=_("project"),
        required=False,
        queryset=User.objects.none(),
        help_text=_("The task is added to the owner's pipeline tasks, under this project."),
    )
    stop = forms.ModelChoiceField(
        label=_("at stop"), required=False, queryset=VisitStop.objects.none()
    )

    def __init__(
        self, *args: Any, user: AnyUser, visit: Visit | None = None, **kwargs: Any
    ) -> None:
        from luodi.pipeline.rules import projects_visible_to

        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(is_active=True).order_by("display_name", "username")
        )
        self.fields["project"].queryset = projects_visible_to(user)  # type: ignore[attr-defined]
        if visit is not None:
            self.fields["stop"].queryset = visit.stops.select_related("organization")  # type: ignore[attr-defined]
        else:
            del self.fields["stop"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("owner") and not data.get("owner_name"):
            self.add_error("owner", _("Every follow-up needs a person responsible."))
        return data


class MeetingForm(AskDuplicate, UserForm):
    org_fields = ("organizations",)
    m2m_fields = ("organizations", "projects", "agreements")

    class Meta:
        model = Meeting
        fields = [
            "title",
            "starts_at",
            "ends_at",
            "location",
            "organizations",
            "visit",
            "projects",
            "agreements",
            "minutes",
        ]
        widgets = {
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "organizations": forms.SelectMultiple(attrs={"size": 6}),
            "projects": forms.SelectMultiple(attrs={"size": 4}),
            "agreements": forms.SelectMultiple(attrs={"size": 4}),
            "minutes": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        from luodi.engagements.rules import visits_visible_to

        super().__init__(*args, user=user, **kwargs)
        self.fields["visit"].queryset = visits_visible_to(user)  # type: ignore[attr-defined]
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = [DATETIME_FORMAT]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end < start:
            self.add_error("ends_at", _("The end must not be before the start."))
        title = data.get("title", "")
        if title and start and duplicates.meeting(title, start, self.instance.pk):
            self.ask(
                "title",
                _("A meeting “%(title)s” on this day is recorded already.") % {"title": title},
            )
        return data


class EventForm(UserForm):
    org_fields = ("organizer", "co_organizers")
    m2m_fields = ("co_organizers", "agreements")

    class Meta:
        model = Event
        fields = [
            "kind",
            "title_zh",
            "title_en",
            "description_zh",
            "description_en",
            "organizer",
            "co_organizers",
            "venue",
            "address",
            "starts_at",
            "ends_at",
            "capacity",
            "registration_open",
            "agreements",
        ]
        widgets = {
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "co_organizers": forms.SelectMultiple(attrs={"size": 6}),
            "agreements": forms.SelectMultiple(attrs={"size": 4}),
            "description_zh": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = [DATETIME_FORMAT]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("title_zh") and not data.get("title_en"):
            raise forms.ValidationError(_("Give a Chinese or an English title."))
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end < start:
            self.add_error("ends_at", _("The end must not be before the start."))
        return data


class SessionForm(NoControlChars, forms.Form):
    title_zh = forms.CharField(label=_("title (Chinese)"), max_length=255, required=False)
    title_en = forms.CharField(label=_("title (English)"), max_length=255, required=False)
    room = forms.CharField(label=_("room"), max_length=120, required=False)
    starts_at = forms.DateTimeField(
        label=_("starts"), widget=DateTimeInput(), input_formats=[DATETIME_FORMAT]
    )
    ends_at = forms.DateTimeField(
        label=_("ends"), widget=DateTimeInput(), input_formats=[DATETIME_FORMAT]
    )
    speakers = forms.CharField(
        label=_("speakers"), required=False, help_text=_("Names separated by commas or 、.")
    )

    def __init__(self, *args: Any, event: Event | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["speakers"].help_text = _(
            "Names separated by commas or 、, in protocol order: the order is kept."
        )

    def clean_speakers(self) -> list[str]:
        text = self.cleaned_data.get("speakers") or ""
        return [part.strip() for part in _SPLIT.split(text) if part.strip()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("title_zh") and not data.get("title_en"):
            raise forms.ValidationError(_("Give a Chinese or an English title."))
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", _("A session must end after it starts."))
        if self.event is not None:
            self._within_event(start, end)
        return data

    def _within_event(self, start: Any, end: Any) -> None:
        """An agenda item falls on the event's days (field test: a session two days after a
        one-day forum was accepted)."""
        assert self.event is not None
        first = timezone.localtime(self.event.starts_at).date()
        last = timezone.localtime(self.event.ends_at).date()
        days = {"first": first.isoformat(), "last": last.isoformat()}
        message = (
            _("The event is on %(first)s; a session must be on that day.") % days
            if first == last
            else _("The event runs from %(first)s to %(last)s; a session must fall within.") % days
        )
        if start and not first <= timezone.localtime(start).date() <= last:
            self.add_error("starts_at", message)
        if end and not first <= timezone.localtime(end).date() <= last:
            self.add_error("ends_at", message)


_PHONE = re.compile(r"^\+?[0-9][0-9 \-]{5,19}$")


class RegistrationForm(NoControlChars, forms.Form):
    """The public registration form. `website` is a honeypot: people leave it empty."""

    name = forms.CharField(label=_("your name"), max_length=120)
    email = forms.EmailField(label=_("email"), max_length=254)
    organization_name = forms.CharField(label=_("organization"), max_length=200, required=False)
    position = forms.CharField(label=_("title / position"), max_length=120, required=False)
    phone = forms.CharField(label=_("phone"), max_length=40, required=False)
    website = forms.CharField(
        required=False,
        label=_("Leave this empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if len(name) < 2 or any(c in name for c in "<>@/\\"):
            raise forms.ValidationError(_("Enter your name as it should appear on the badge."))
        return name

    def clean_phone(self) -> str:
        phone = self.cleaned_data.get("phone", "").strip()
        if phone and not _PHONE.match(phone):
            raise forms.ValidationError(_("Enter a phone number of digits, spaces or dashes."))
        return phone

    def clean_website(self) -> str:
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("Leave this field empty."))
        return ""


class CheckInForm(NoControlChars, forms.Form):
    code = forms.CharField(
        label=_("code from the confirmation or QR code"), max_length=40, required=False
    )
    q = forms.CharField(
        label=_("search by name, email or organization"), max_length=100, required=False
    )

    def clean_code(self) -> str:
        raw = self.cleaned_data.get("code", "")
        # A scanner may yield the whole ticket URL; the code is its last path segment.
        return raw.strip().rstrip("/").rsplit("/", 1)[-1].upper().replace("-", "")


class EventOutcomesForm(NoControlChars, forms.Form):
    outcome_notes = forms.CharField(
        label=_("post-event outcomes"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )


class CalendarFilterForm(NoControlChars, forms.Form):
    organization = forms.ModelChoiceField(
        label=_("organization"), required=False, queryset=Organization.objects.none()
    )

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = _orgs(user)  # type: ignore[attr-defined]


class MatchRecordField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        achievement = obj.achievement.title if obj.achievement else "—"
        counterparty = obj.counterparty.display_name if obj.counterparty else "—"
        return f"{achievement} → {counterparty} ({obj.get_status_display()}, {obj.score:.2f})"


class PullMatchesForm(NoControlChars, forms.Form):
    """Matches worth presenting: shortlisted, introduced or in discussion."""

    # Not "matches": a form control of that name shadows the <form> element's matches()
    # method, and htmx, calling form.matches(selector), failed on every event page.
    records = MatchRecordField(
        label=_("matches"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        from luodi.matchmaking.models import MatchStatus
        from luodi.matchmaking.rules import records_visible_to

        super().__init__(*args, **kwargs)
        self.fields["records"].queryset = (  # type: ignore[attr-defined]
            records_visible_to(user)
            .filter(
                status__in=[
                    MatchStatus.SHORTLISTED,
                    MatchStatus.INTRODUCED,
                    MatchStatus.IN_DISCUSSION,
                ],
                achievement__isnull=False,
                counterparty__isnull=False,
            )
            .order_by("-score", "-id")
        )
