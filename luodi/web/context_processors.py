from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from luodi.web.menu import entries_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None:
        return {"menu": [], "active_section": ""}
    section = request.path_info.strip("/").split("/", 1)[0]
    return {"menu": entries_for(user), "active_section": section}
