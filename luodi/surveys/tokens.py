"""The private link of an attendee's invitation: the invitation's id signed with the site's
secret (django.core.signing.Signer, a salt of its own, no timestamp so the link is the same
in the mail and on the ticket page), so it cannot be guessed or forged and needs no stored
secret. The path /surveys/r/<token>/ is masked in the logs (luodi/logfilters.py)."""

from __future__ import annotations

from django.core import signing
from django.urls import reverse

SALT = "luodi.surveys.invitation"


def make(invitation_id: int) -> str:
    return signing.Signer(salt=SALT).sign(str(invitation_id))


def read(token: str) -> int | None:
    """The invitation id the token was made for; None for a forged or garbled token."""
    if len(token) > 200:
        return None
    try:
        value = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() and len(value) < 19 else None


def answer_path(invitation_id: int) -> str:
    return reverse("surveys:answer", args=[make(invitation_id)])
