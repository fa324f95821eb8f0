"""Engagement test fixtures. The browser fixtures (`browser`, `page`) come from the
tests.browser_fixtures plugin that tests/conftest.py loads."""

from __future__ import annotations

import pytest
from django.core.cache import cache

# Matchmaking's ecosystem (an indexed achievement, parks that can and cannot host it) for the
# park-fit tests; a module using it also imports `_matchmaking_settings` from there.
from tests.matchmaking.conftest import eco  # noqa: F401


@pytest.fixture(autouse=True)
def _clear_rate_limits() -> None:
    cache.clear()
