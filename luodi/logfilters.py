"""Secrets in URLs never reach a log line.

Some URLs carry a secret: a personal calendar feed (/engagements/feed/<token>.ics, and the
former /projects/calendar/<token>.ics), an event ticket (/public/events/<id>/ticket/<code>/
and its QR image, whose Referer is the ticket page; the certificate it leads to,
/credentials/ticket/<id>/<code>/certificate.pdf, and a certificate's public check,
/credentials/verify/<serial>/), a password-reset link
(/accounts/reset/<uid>/<token>/), a pending import (/import/<token>/), and check-in or API
calls with ?code=… or ?token=…. Anyone
who can read the access log could otherwise subscribe to a person's calendar, walk in on
their ticket or set their password.

`mask` replaces those parts with ***; it is applied to every text field of gunicorn's access
log (GunicornLogger, named in gunicorn_conf.py: request line, path, query, Referer and
every other header) and, by the MaskSecrets filter on the console handler
(settings.LOGGING), to every record Django and Luodi log. tests/accounts/test_log_secrets.py
walks the URL configuration so that a new route with a secret parameter cannot slip past.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn.glogging import Logger as _GunicornLogger

MASK = "***"
_END = r"[^/?#&\s\"']+"
_PATTERNS = [
    # calendar feeds: /engagements/feed/<token>.ics, /projects/calendar/<token>.ics,
    # /partnering/feed/<token>.ics
    (
        re.compile(rf"(/(?:engagements/feed|projects/calendar|partnering/feed)/){_END}(\.ics)"),
        rf"\g<1>{MASK}\2",
    ),
    # private links of people without an account: a challenge applicant's
    # /challenges/p/<token>/…, an abstract's author's /conferences/public/abstract/<token>/,
    # an attendee's survey /surveys/r/<token>/
    (
        re.compile(rf"(/(?:challenges/p|conferences/public/abstract|surveys/r)/){_END}"),
        rf"\g<1>{MASK}",
    ),
    # certificates: the public verification page /credentials/verify/<serial>/ and a
    # registrant's own certificate /credentials/ticket/<event_id>/<ticket code>/certificate.pdf
    (re.compile(rf"(/credentials/verify/){_END}"), rf"\g<1>{MASK}"),
    (re.compile(rf"(/credentials/ticket/[^/?#\s]+/){_END}"), rf"\g<1>{MASK}"),
    # event tickets and their QR image: /public/events/<id>/ticket/<code>/
    (re.compile(rf"(/ticket/){_END}"), rf"\g<1>{MASK}"),
    # password-reset links: /accounts/reset/<uidb64>/<token>/
    (re.compile(rf"(/reset/){_END}/{_END}"), rf"\g<1>{MASK}/{MASK}"),
    # a pending import's upload: /import/<token>/ (its other pages have short fixed names)
    (re.compile(r"(/import/)[A-Za-z0-9_-]{16,64}(?=/)"), rf"\g<1>{MASK}"),
    # secret query parameters (check-in codes, tokens, keys), in a URL or a bare query
    # string (gunicorn's %(q)s), also after a percent-encoded '&'
    (
        re.compile(
            r"((?:^|[?&]|%26)(?:code|token|key|secret|password|access_token|signature|sig)=)"
            r"[^&#\s\"']*",
            re.IGNORECASE,
        ),
        rf"\g<1>{MASK}",
    ),
]
# URL parameter names that hold a secret; the test checks each such route is masked.
SECRET_URL_PARAMETERS = frozenset({"token", "code", "uidb64"})


def mask(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _masked(value: Any) -> Any:
    return mask(value) if isinstance(value, str) else value


class MaskSecrets(logging.Filter):
    """Mask secrets in a record's message and its arguments (Django logs a request's path
    as an argument: "Not Found: %s")."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _masked(record.msg)
        if isinstance(record.args, dict):
            record.args = {k: _masked(v) for k, v in record.args.items()}
        elif record.args:
            record.args = tuple(_masked(a) for a in record.args)
        return True


class ClientErrorsWithoutTraceback(logging.Filter):
    """A 4xx answer is the user's mistake or a refusal, not a fault: Django logs a 403 with
    the PermissionDenied traceback attached, which buried real errors in the console under
    pages of stack. Keep the one-line warning ("Forbidden (Permission denied): /path"),
    drop the stack; 5xx records keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True


class GunicornLogger(_GunicornLogger):
    """gunicorn's logger with every text atom of the access log masked."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        return {name: _masked(value) for name, value in atoms.items()}
