from __future__ import annotations

from collections.abc import Iterator

import pytest

from luodi.search.engine import engine
from tests.browser.conftest import sign_in  # noqa: F401


@pytest.fixture(autouse=True)
def fresh_index(db) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Each test's database is rolled back, so ids are reused: start from an empty index."""
    engine.reset()
    yield
    engine.reset()
