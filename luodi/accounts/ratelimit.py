"""Per-client rate limit for the public forms (account applications, event registration).

Attempts are counted in the shared cache (settings.CACHES: a database table, or Redis), so
the limit holds across processes and machines. Each fixed window of `window` seconds has
`limit` slots per scope and client; an attempt claims the first free slot with `cache.add`,
which is atomic on both backends (SET NX on Redis; an INSERT on the cache table's primary
key in the database), and is refused when every slot is taken. A counter read and written
back (`cache.incr` on the database cache is a get and a set) loses updates when two
processes race, which is how 10 of 30 attempts once got through a limit of 5.

The database cache's `add` is only atomic for a new key (over an expired row it is a SELECT
then an UPDATE), so slot keys carry their window's number and live one window longer than
it: a key is never added again once it has expired.

Windows are aligned to the clock: a client can fit up to 2 × limit attempts into a short
span around a window boundary, never more than `limit` into one window.

The client is who `luodi.accounts.audit.client_ip` says, the address the login lockout
and the audit log use too (proxies are trusted only as LUODI_PROXY_COUNT says).
"""

from __future__ import annotations

import math
import time

from django.core.cache import cache
from django.http import HttpRequest

from luodi.accounts.audit import client_ip


def over_limit(request: HttpRequest, scope: str, *, limit: int, window: int) -> bool:
    """Count this attempt; True once the client already made `limit` attempts in `scope`
    within the current window of `window` seconds (the attempt is then not counted)."""
    client = client_ip(request) or "unknown"
    return not claim_slot(f"{scope}:{client}", limit=limit, window=window)


def claim_slot(name: str, *, limit: int, window: int, now: float | None = None) -> bool:
    """Take one of `limit` slots of `name` in the window containing `now` (default: the
    current time); False when all are taken."""
    now = time.time() if now is None else now
    period = int(now // window)
    keys = [f"ratelimit:{name}:{period}:{slot}" for slot in range(limit)]
    # Until the end of the next window, see the module docstring.
    timeout = math.ceil((period + 2) * window - now)
    taken = cache.get_many(keys)
    # Another process may take a slot between get_many and add; add then fails and the
    # next free slot is tried, so a refused attempt costs one read.
    return any(cache.add(key, 1, timeout) for key in keys if key not in taken)
