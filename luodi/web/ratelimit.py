"""Per-address rate limit for the public forms (account applications, event registration).

Counts live in Django's cache, so with several server processes the cache must be shared
(a database or Redis cache) for the limit to hold across them."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest

from luodi.accounts.audit import client_ip


def over_limit(request: HttpRequest, scope: str, *, limit: int, window: int) -> bool:
    """Count this attempt; True once the client address made more than `limit` attempts in
    `scope` within `window` seconds."""
    key = f"ratelimit:{scope}:{client_ip(request) or 'unknown'}"
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
    return bool(count > limit)
