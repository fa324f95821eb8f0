"""Engagement test fixtures. The browser fixtures (`browser`, `page`) come from the
tests.browser_fixtures plugin that tests/conftest.py loads."""

from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clear_rate_limits() -> None:
    cache.clear()
