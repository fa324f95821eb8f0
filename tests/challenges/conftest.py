from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    """The public form's rate limit counts per client address in the cache; every test
    client has the same address, so each test starts with no attempts counted."""
    cache.clear()
    yield
