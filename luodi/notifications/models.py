"""Channels (where messages go), email preferences, notifications (what was said) and
deliveries (one per notification and channel, with the outcome of each attempt)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("Email")
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk robot")
    FEISHU = "feishu", _("Feishu / Lark bot")


WEBHOOK_KINDS = frozenset({ChannelKind.WECOM, ChannelKind.DINGTALK, ChannelKind.FEISHU})
# Services that sign requests with a shared secret (WeCom's robot has none).
SIGNED_KINDS = frozenset({ChannelKind.DINGTALK, ChannelKind.FEISHU})


class EventKind(models.TextChoices):
    """What a recipient can subscribe to."""

    REMINDER = "reminder", _("Task reminders and daily digest")
    MATCH_ALERT = "match_alert", _("Match alerts")
    OPEN_CALL = "open_call", _("Open calls")
    EVENT_REGISTRATION = "event_registration", _("Event registrations")


# A test message is a notification too (it has deliveries to show), but nobody subscribes
# to it.
TEST_KIND = "test"
NOTIFICATION_KINDS = [*EventKind.choices, (TEST_KIND, _("Test message"))]

# Account email per event kind when the user has not chosen: on where Luodi already sent
# mail before channels existed, off for the organisers' registration notices (new, and one
# message per registrant).
EMAIL_DEFAULTS: dict[str, bool] = {
    EventKind.REMINDER: True,
    EventKind.MATCH_ALERT: True,
    EventKind.OPEN_CALL: True,
    EventKind.EVENT_REGISTRATION: False,
}


class Channel(models.Model):
    """An email address or a group robot, owned by one user or by one organization (team)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notification_channels",
    )
    organization = models.ForeignKey(
        "catalog.Organization",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notification_channels",
        verbose_name=_("organization"),
    )
    kind = models.CharField(_("channel"), max_length=16, choices=ChannelKind.choices)
    name = models.CharField(_("name"), max_length=80)
    # The webhook address (its key or token lets anyone post to the group, so it is shown
    # masked) or, for an email channel, the address.
    target = models.CharField(_("address"), max_length=1000)
    secret = models.CharField(_("signing secret"), max_length=200, blank=True)
    events = models.JSONField(_("kinds of messages"), default=list, blank=True)
    language = models.CharField(
        _("language"), max_length=16, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification channel")
        verbose_name_plural = _("notification channels")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, organization__isnull=True)
                | models.Q(user__isnull=True, organization__isnull=False),
                name="notification_channel_one_owner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    def receives(self, kind: str) -> bool:
        return self.is_active and kind in self.events


class EmailPreference(models.Model):
    """A user's choice for mail to their account address about one kind of event; without a
    row, EMAIL_DEFAULTS applies."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preferences"
    )
    kind = models.CharField(_("kind of message"), max_length=24, choices=EventKind.choices)
    enabled = models.BooleanField(_("email"), default=True)

    class Meta:
        verbose_name = _("email preference")
        verbose_name_plural = _("email preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="unique_email_preference")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.kind}: {'on' if self.enabled else 'off'}"


class Notification(models.Model):
    """One message to one recipient (a user or a team), written in one language."""

    kind = models.CharField(_("kind of message"), max_length=24, choices=NOTIFICATION_KINDS)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    organization = models.ForeignKey(
        "catalog.Organization",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    language = models.CharField(_("language"), max_length=16)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("text"))
    link = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One notification through one channel. Claimed by the `notifications.deliver` job with
    a conditional UPDATE, so a job that runs twice sends once."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    # Empty for mail to the recipient's account address, and after the channel was deleted
    # (the row stays as a record of what was sent).
    channel = models.ForeignKey(
        Channel, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    kind = models.CharField(_("channel"), max_length=16, choices=ChannelKind.choices)
    label = models.CharField(_("sent to"), max_length=200)
    address = models.EmailField(_("email"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    # When the row last changed state; a SENDING claim older than the lease is taken again.
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.notification_id} → {self.label} ({self.status})"
