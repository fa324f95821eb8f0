from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from luodi.control_chars import NoControlChars
from luodi.notifications import domain, webhooks
from luodi.notifications.models import Channel, ChannelKind, EventKind


class ChannelForm(NoControlChars, forms.Form):
    """Add a channel, or (with `channel`) change one: then the kind is fixed, and an empty
    address or secret keeps the stored one, which is never sent back to the browser."""

    kind = forms.ChoiceField(label=_("Channel"), choices=ChannelKind.choices)
    name = forms.CharField(
        label=_("Name"), max_length=80, help_text=_("For you, e.g. “BD team group”.")
    )
    target = forms.CharField(
        label=_("Address"),
        max_length=1000,
        help_text=_(
            "The robot’s webhook address from the group’s robot settings, or an email address."
        ),
    )
    secret = forms.CharField(
        label=_("Signing secret"),
        max_length=200,
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "Only for DingTalk (加签, starts with SEC) and Feishu / Lark (signature "
            "verification). Leave empty when the robot does not sign."
        ),
    )
    remove_secret = forms.BooleanField(label=_("Remove the signing secret"), required=False)
    events = forms.MultipleChoiceField(
        label=_("Messages to send"),
        choices=EventKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    language = forms.ChoiceField(label=_("Language of the messages"), choices=[])
    is_active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args: Any, channel: Channel | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.channel = channel
        self.fields["language"].choices = settings.LANGUAGES  # type: ignore[attr-defined]
        if channel is None:
            del self.fields["remove_secret"], self.fields["is_active"]
            self.initial.setdefault("language", settings.LANGUAGE_CODE)
            self.initial.setdefault("events", list(EventKind.values))
            return
        del self.fields["kind"]
        target = self.fields["target"]
        target.required = False
        shown = (
            channel.target
            if channel.kind == ChannelKind.EMAIL
            else webhooks.mask_url(channel.target)
        )
        target.help_text = _("Now %(address)s. Leave empty to keep it.") % {"address": shown}
        if channel.secret:
            self.fields["secret"].help_text = _("A secret is set; leave empty to keep it.")
        else:
            del self.fields["remove_secret"]
        for name in ("name", "events", "language", "is_active"):
            self.initial.setdefault(name, getattr(channel, name))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = self.channel.kind if self.channel else data.get("kind")
        if not kind:
            return data
        secret = data.get("secret", "")
        if self.channel is not None:
            if data.get("remove_secret"):
                secret = ""
            elif not secret:
                secret = self.channel.secret
        problems = domain.channel_errors(
            kind=kind,
            name=data.get("name", ""),
            target=data.get("target") or (self.channel.target if self.channel else ""),
            secret=secret,
            events=list(data.get("events", [])),
            language=data.get("language", ""),
        )
        for field, messages in problems.items():
            if field in self.errors:
                continue  # the field's own check already said what is wrong
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
        return data

    def changes(self) -> dict[str, Any]:
        """Keyword arguments for domain.update_channel."""
        data = self.cleaned_data
        secret: str | None = data.get("secret") or None
        if data.get("remove_secret"):
            secret = ""
        return {
            "name": data["name"],
            "target": data.get("target") or None,
            "secret": secret,
            "events": data["events"],
            "language": data["language"],
            "is_active": data["is_active"],
        }


class EmailChoicesForm(NoControlChars, forms.Form):
    """Mail to the account address, one check box per kind of event."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for value, label in EventKind.choices:
            self.fields[value] = forms.BooleanField(label=label, required=False)
