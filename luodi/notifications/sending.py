"""Sending one delivery: claim it, hand it to its channel, record the outcome.

Run by the `notifications.deliver` job (tasks.py). The claim is a conditional UPDATE, so two
runs of the same job (a retried job whose first worker died, or an operator re-queuing)
send once; a claim older than LEASE belongs to a dead worker and is taken again. A failure
that another attempt may fix (network, HTTP 5xx, a robot's error code) raises, and the job
runner retries with exponential backoff; one that cannot be fixed by waiting (the channel was
deleted, its address is no longer allowed) is recorded and not retried.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F, Q
from django.utils import timezone

from luodi.notifications import webhooks
from luodi.notifications.models import ChannelKind, Delivery, DeliveryStatus

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)


class DeliveryFailed(Exception):
    """Raised for a failure worth another attempt; the message holds no address or secret."""


class _GiveUp(Exception):
    """A failure that waiting will not fix."""


def claim(delivery_id: int, now: datetime) -> bool:
    """Atomically take the delivery; True only for the one caller that did."""
    claimable = Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED]) | Q(
        status=DeliveryStatus.SENDING, updated_at__lt=now - LEASE
    )
    taken = Delivery.objects.filter(claimable, pk=delivery_id).update(
        status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, updated_at=now
    )
    return taken == 1


def deliver(delivery_id: int) -> str:
    """Send the delivery unless it was sent already; raise DeliveryFailed to be retried."""
    now = timezone.now()
    if not claim(delivery_id, now):
        return "already sent or being sent"
    delivery = Delivery.objects.select_related("notification", "channel").get(pk=delivery_id)
    try:
        _send(delivery)
    except _GiveUp as exc:
        _finish(delivery, DeliveryStatus.FAILED, str(exc))
        log.warning("delivery %s (%s) not sent: %s", delivery.pk, delivery.kind, exc)
        return f"not sent: {exc}"
    except webhooks.WebhookError as exc:
        _finish(delivery, DeliveryStatus.FAILED, str(exc))
        raise DeliveryFailed(str(exc)) from None
    except Exception as exc:
        # Mail backends and the like: the class and message, no traceback with locals.
        error = f"{exc.__class__.__name__}: {exc}"
        _finish(delivery, DeliveryStatus.FAILED, error)
        raise DeliveryFailed(error) from None
    _finish(delivery, DeliveryStatus.SENT, "")
    return "sent"


def _finish(delivery: Delivery, status: str, error: str) -> None:
    now = timezone.now()
    fields: dict[str, object] = {"status": status, "last_error": error[:500], "updated_at": now}
    if status == DeliveryStatus.SENT:
        fields["sent_at"] = now
    Delivery.objects.filter(pk=delivery.pk).update(**fields)


def _send(delivery: Delivery) -> None:
    notification, channel = delivery.notification, delivery.channel
    if delivery.kind == ChannelKind.EMAIL:
        address = delivery.address or (channel.target if channel else "")
        if not address:
            raise _GiveUp("no email address")
        body = notification.body.rstrip() + "\n"
        if notification.link and notification.link not in body:
            body += f"\n{notification.link}\n"
        # Django's mail API: with Luodi's queued backend the message becomes a
        # `jobs.send_email` job, which retries the mail server on its own.
        send_mail(notification.subject, body, settings.DEFAULT_FROM_EMAIL, [address])
        return
    if channel is None:
        raise _GiveUp("the channel was deleted")
    try:
        webhooks.check_url(channel.kind, channel.target, settings.LUODI_WEBHOOK_EXTRA_HOSTS)
    except webhooks.UrlNotAllowed:
        raise _GiveUp("the address is no longer allowed") from None
    text = webhooks.Text(
        title=notification.subject,
        body=notification.body,
        link=notification.link,
        language=notification.language,
    )
    webhooks.send(channel.kind, channel.target, channel.secret, text, now=time.time())
