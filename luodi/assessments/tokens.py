"""The link an external reviewer (no account) uses: `/assessments/<id>/review/?token=…`.

The token is Django's signing of {assessment, invitation, expiry} with the secret key and a
salt of its own: it cannot be forged, it names one assessment (a token used on another
assessment's address is refused), it expires (at the deadline plus TOKEN_GRACE_DAYS, so a
late reviewer still reads a clear "closed" page) and it stops working when the invitation is
withdrawn. Nothing secret is stored: the invitation row is all the server keeps.

The token travels as a query parameter `token=`, which `luodi.logfilters` masks in every
log line (a path segment named token would need a new log pattern).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.core import signing
from django.utils import timezone

from luodi.assessments.models import Invitation

SALT = "luodi.assessments.review"
TOKEN_GRACE_DAYS = 14


class TokenError(Exception):
    """Why a link does not open: forged | expired | elsewhere | withdrawn."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def expires_at(invitation: Invitation) -> datetime:
    day = invitation.assessment.deadline + timedelta(days=TOKEN_GRACE_DAYS)
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def make(invitation: Invitation, until: datetime | None = None) -> str:
    until = until or expires_at(invitation)
    payload = {"a": invitation.assessment_id, "i": invitation.pk, "e": int(until.timestamp())}
    return signing.dumps(payload, salt=SALT)


def read(token: str, assessment_id: int, now: datetime | None = None) -> Invitation:
    """The external invitation `token` opens on assessment `assessment_id`, or TokenError."""
    try:
        payload = signing.loads(token, salt=SALT)
        a, i, e = int(payload["a"]), int(payload["i"]), int(payload["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise TokenError("forged") from None
    if a != assessment_id:
        raise TokenError("elsewhere")
    if (now or timezone.now()).timestamp() > e:
        raise TokenError("expired")
    invitation = (
        Invitation.objects.select_related("assessment__achievement__owner")
        .filter(pk=i, assessment_id=a, user__isnull=True)
        .first()
    )
    if invitation is None:
        raise TokenError("forged")
    if invitation.revoked_at is not None:
        raise TokenError("withdrawn")
    return invitation
