"""System checks (`luodi check`, and every `luodi migrate` or `luodi serve` start)."""

from __future__ import annotations

import importlib.util
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register


@register()
def proxy_trust(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """django-axes reads X-Forwarded-For through django-ipware and silently falls back to
    REMOTE_ADDR without it: behind a proxy every client would then share the proxy's address
    (one login lockout, one rate-limit bucket for everybody)."""
    if getattr(settings, "AXES_IPWARE_PROXY_COUNT", None) is None:
        return []
    if importlib.util.find_spec("ipware") is None:
        return [
            Error(
                "LUODI_PROXY_COUNT is set but django-ipware is not installed.",
                hint="Install the project's dependencies (pip install -e .).",
                id="luodi.E001",
            )
        ]
    return []
