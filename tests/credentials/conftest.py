"""Credentials test fixtures; the browser fixtures come from tests.browser_fixtures."""

from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clear_rate_limits() -> None:
    cache.clear()
