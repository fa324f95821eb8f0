"""Readiness: can this process serve a search right now?

/healthz runs every check and answers 200 only when all pass; a load balancer then keeps
sending traffic here. The checks: the database (records and who may see them), the shared
cache (rate limits), the shared file storage (documents, reports) and this process's own
search index in memory. /healthz/live asks none of them: it says only that the process
answers, so a supervisor restarts it only when it is stuck, not when a dependency is away.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection

log = logging.getLogger(__name__)

# A name that is never written: asking whether it exists is, for a bucket, an authenticated
# request that fails when the bucket is unreachable or the keys are wrong, without writing
# on every probe. A local directory always answers.
STORAGE_PROBE = "healthz-probe"


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> None:
    # One key per process, written and read back: a cache that answers but cannot store
    # (a read-only replica, a missing table) would let rate limits through.
    key = f"healthz:{socket.gethostname()}:{os.getpid()}"
    token = uuid.uuid4().hex
    cache.set(key, token, 60)
    if cache.get(key) != token:
        raise RuntimeError("the cache did not return what was just written")


def _storage() -> None:
    default_storage.exists(STORAGE_PROBE)


def _search() -> None:
    from luodi.search.index import warm

    # gunicorn's post_worker_init loads the indexes before the worker serves; when that
    # failed (the database was down at start) or there is no such hook (runserver), this
    # loads them now. Not ready until every kind has a published index to serve.
    missing = [kind for kind, ready in warm().items() if not ready]
    if missing:
        raise LookupError(f"no index built yet for {', '.join(missing)}")


CHECKS: dict[str, Callable[[], None]] = {
    "database": _database,
    "cache": _cache,
    "storage": _storage,
    "search": _search,
}


def readiness() -> tuple[bool, dict[str, str]]:
    """(ready, {check: "ok" | "failed: ErrorClass"}). The answer is public, so it names the
    error class only; the details go to the log."""
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:
            log.exception("readiness check %s failed", name)
            results[name] = f"failed: {type(exc).__name__}"
        else:
            results[name] = "ok"
    return all(value == "ok" for value in results.values()), results
