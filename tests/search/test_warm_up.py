"""The WSGI module warms each worker's search index in the background."""

from __future__ import annotations

import importlib
import threading

import pytest

from luodi.search import service
from tests.conftest import Personas
from tests.factories import AchievementFactory


@pytest.mark.django_db(transaction=True)
def test_warm_up_builds_the_index_off_the_request_path(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LUODI_WARM_SEARCH", "false")  # import without starting a thread
    wsgi = importlib.import_module("luodi.wsgi")
    AchievementFactory(title_zh="预热检索测试支架", title_en="")
    from luodi.search.engine import engine

    assert engine.term_words is None  # cold: nothing indexed yet
    worker = threading.Thread(target=wsgi._warm_search)
    worker.start()
    worker.join(timeout=60)
    assert engine.term_words is not None
    assert engine.indexed["achievements"]
    assert service.search(personas.staff, "预热检索").total == 1
