"""gunicorn settings for `luodi serve` (`-c python:luodi.gunicorn_conf`); the bind address
and the number of workers come from its command line.

Each worker loads the newest published indexes synchronously in `post_worker_init`, after
the application is loaded and before the worker accepts its first request: no request waits
for it, and no thread runs beside the requests. /healthz reports a worker ready only once
every index is loaded.
"""

from __future__ import annotations

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
