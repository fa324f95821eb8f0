from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from luodi.retrieval import generations
from tests.browser.conftest import sign_in  # noqa: F401
from tests.index_util import catch_up_before_each_search


@pytest.fixture(autouse=True)
def worker_before_each_search(
    db: Any, settings: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Each test has its own indexes, and the index jobs run before every search, as if the
    worker had just caught up (tests of staleness call the pieces themselves)."""
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MATCHMAKING_ENCODER = "none"
    generations.forget()
    catch_up_before_each_search(monkeypatch)
    yield
    generations.forget()
