import logging
import os
import threading

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luodi.settings")
application = get_wsgi_application()


def _warm_search() -> None:
    """Build this worker's in-memory search index in the background, so the first person to
    search after a restart does not wait for it (seconds on a large catalog)."""
    from django.db import connections

    from luodi.search.engine import engine

    try:
        engine.ensure_current()
    except Exception:  # a cold index is only slower; never take the worker down
        logging.getLogger(__name__).exception("search warm-up failed")
    finally:
        connections.close_all()


if os.environ.get("LUODI_WARM_SEARCH", "true").lower() not in {"0", "false", "no"}:
    threading.Thread(target=_warm_search, name="search-warm-up", daemon=True).start()
