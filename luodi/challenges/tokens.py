"""The private link of an applicant without an account: the proposal's id signed with the
site's secret (django.core.signing, a salt of its own), so it cannot be guessed or forged
and needs no stored secret. It does not expire: the applicant keeps the link to follow and
withdraw the proposal."""

from __future__ import annotations

from django.core import signing

SALT = "luodi.challenges.proposal"


def make(proposal_id: int) -> str:
    return signing.dumps(proposal_id, salt=SALT, compress=False)


def read(token: str) -> int | None:
    """The proposal id the token was made for; None for a forged or garbled token."""
    if len(token) > 200:
        return None
    try:
        value = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None
