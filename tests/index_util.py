"""Index jobs in tests: what `luodi worker` does after a commit, run in the test process."""

from __future__ import annotations

from typing import Any

import pytest

from luodi.retrieval import indexing
from luodi.retrieval.kinds import KINDS
from luodi.search import index as search_index


def run_index_jobs() -> None:
    """Apply every queued index row (the signals wrote them in the test's transaction,
    which never commits, so the jobs queued after commit never run by themselves)."""
    for kind in KINDS:
        indexing.drain(kind)


def catch_up_before_each_search(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the index jobs before every search, as if the worker had just caught up."""
    current = search_index.SearchIndex.current.__func__  # type: ignore[attr-defined]

    def caught_up(cls: Any) -> Any:
        run_index_jobs()
        return current(cls)

    monkeypatch.setattr(search_index.SearchIndex, "current", classmethod(caught_up))
