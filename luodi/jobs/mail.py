"""Mail as jobs: `EMAIL_BACKEND` queues every message (Django's own mails included, e.g.
password reset), and the `jobs.send_email` job hands it to the real backend
(`LUODI_EMAIL_DELIVERY_BACKEND`: SMTP in production, the console by default) with retries.
A request never waits on the mail server, and a message whose send failed is tried again
with backoff instead of being lost."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from email.mime.base import MIMEBase
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend

from luodi.jobs.core import job


def serialize(message: EmailMessage) -> dict[str, Any]:
    """A message as plain literals (the queue stores job arguments as text)."""
    attachments: list[list[str]] = []
    for item in message.attachments:
        if isinstance(item, MIMEBase):  # pre-built MIME parts are not used by Luodi
            raise ValueError("MIME attachments cannot be queued; attach (name, content, type)")
        filename, content, mimetype = item
        raw = content.encode() if isinstance(content, str) else bytes(content)
        attachments.append([filename or "", base64.b64encode(raw).decode(), mimetype or ""])
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": str(message.from_email),
        "to": [str(a) for a in message.to],
        "cc": [str(a) for a in message.cc],
        "bcc": [str(a) for a in message.bcc],
        "reply_to": [str(a) for a in message.reply_to],
        "headers": {str(k): str(v) for k, v in (message.extra_headers or {}).items()},
        "alternatives": [
            [str(content), str(mimetype)]
            for content, mimetype in getattr(message, "alternatives", []) or []
        ],
        "attachments": attachments,
    }


def deserialize(data: dict[str, Any]) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
    )
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    for filename, encoded, mimetype in data["attachments"]:
        message.attach(filename or None, base64.b64decode(encoded), mimetype or None)
    return message


@job(retries=6, backoff=60, timeout=120)
def send_email(data: dict[str, Any]) -> int:
    """Deliver one queued message through the real backend; raises (→ retry) on failure."""
    connection = get_connection(settings.LUODI_EMAIL_DELIVERY_BACKEND, fail_silently=False)
    return connection.send_messages([deserialize(data)]) or 0


class QueuedEmailBackend(BaseEmailBackend):
    """Django email backend that queues each message as a `jobs.send_email` job."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        count = 0
        for message in email_messages:
            if not message.recipients():
                continue
            send_email.enqueue(serialize(message))
            count += 1
        return count
