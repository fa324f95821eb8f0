from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from luodi.web.menu import entries_for, grouped


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None:
        return {"menu": [], "menu_groups": [], "active_url": ""}
    entries = entries_for(user)
    path = request.path_info
    # The longest menu URL that prefixes the path is the active one ("/" only on its own).
    matches = [e.url for e in entries if path == e.url or (e.url != "/" and path.startswith(e.url))]
    return {
        "menu": entries,
        "menu_groups": grouped(entries),
        "active_url": max(matches, key=len, default=""),
    }
