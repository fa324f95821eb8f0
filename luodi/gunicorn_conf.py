"""gunicorn settings for `luodi serve` (`-c python:luodi.gunicorn_conf`); the bind address
and the number of workers come from its command line.

Each worker loads the newest published indexes synchronously in `post_worker_init`, after
the application is loaded and before the worker accepts its first request: no request waits
for it, and no thread runs beside the requests. /healthz reports a worker ready only once
every index is loaded.
"""

from __future__ import annotations

import os
from typing import Any

# A worker that does not report to the master within `timeout` seconds is killed; this
# bounds the warm-up as well as every request.
timeout = 120
# On SIGTERM (systemd stop, a rolling restart) requests in progress get this long to finish.
graceful_timeout = 30
accesslog = "-"
# The access log masks calendar-feed tokens, ticket codes, reset links and secret query
# parameters (luodi/logfilters.py) in the request line, the Referer and every header.
logger_class = "luodi.logfilters.GunicornLogger"
# The longest request line gunicorn accepts (its own maximum). The default 4094 bytes answered
# a pasted 600-character Chinese abstract in the search box with gunicorn's bare "URI Too
# Long" page; at 8190 Django answers it, with the search page's "too long" message.
limit_request_line = 8190

# The bound on what one worker alone holds (LUODI_WORKER_MAX_MB, default 2048; 0: none): its
# anonymous memory, i.e. its heap — the indexes' ids, metadata, vectors and statistics, caches,
# fragmentation — but not the memory-mapped index segments, which the page cache shares among
# a machine's workers. A worker past it finishes its request and is replaced (as uWSGI's
# reload-on-rss does; gunicorn's max_requests works the same way): the new one loads the
# published indexes in a few seconds (README: 100k achievements, ~390 MB when ready, ~580 MB
# after the first requests). A worker whose loaded indexes alone pass the bound keeps serving
# and says so in the log: recycling it could only loop.
DEFAULT_WORKER_MAX_MB = 2048


def worker_max_mb() -> float:
    return float(os.environ.get("LUODI_WORKER_MAX_MB", DEFAULT_WORKER_MAX_MB))


def anonymous_mb() -> float | None:
    """This process's resident anonymous memory in MB (Linux: statm's resident minus its
    file-backed and shared pages, a read of a few microseconds); None where unknown."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            _size, resident, shared = (int(x) for x in f.read().split()[:3])
    except (OSError, ValueError):
        return None
    return (resident - shared) * os.sysconf("SC_PAGE_SIZE") / 2**20


def post_worker_init(worker: Any) -> None:
    """Load this worker's indexes (the newest published generations) before it serves. A
    failure (say the database is not up yet) is logged, not raised: gunicorn would stop the
    whole server when a worker fails to boot, while this worker can still load the index
    later (/healthz tries again, and so does the first search)."""
    from django.db import connections

    from luodi.search.index import warm

    try:
        warm()
    except Exception:
        worker.log.exception("search index warm-up failed; /healthz stays not ready until it loads")
    finally:
        # Requests open their own connections; do not carry a possibly broken one into them.
        connections.close_all()
    ready, bound = anonymous_mb(), worker_max_mb()
    worker.luodi_max_mb = bound
    if ready is not None and bound and ready >= bound:
        worker.luodi_max_mb = 0.0
        worker.log.warning(
            "this worker holds %.0f MB once its indexes are loaded, above LUODI_WORKER_MAX_MB=%.0f;"
            " it is not recycled for memory (raise the bound or add memory)",
            ready,
            bound,
        )


def post_request(worker: Any, req: Any, environ: Any, resp: Any) -> None:
    """Replace this worker after the request when it holds more than its bound (see
    LUODI_WORKER_MAX_MB above); the master starts a fresh one."""
    bound = getattr(worker, "luodi_max_mb", 0.0)
    held = anonymous_mb() if bound else None
    if held is not None and held > bound:
        worker.log.info("worker holds %.0f MB > %.0f MB; replaced after this request", held, bound)
        worker.alive = False
