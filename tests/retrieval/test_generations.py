"""Published index generations: versioned, fenced, loaded by version, never built by a read."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.storage import default_storage

from luodi.jobs import leases
from luodi.matching import MatchingIndex
from luodi.matching.fields import Document
from luodi.retrieval import generations, indexing
from luodi.retrieval.engine import get_engine
from luodi.retrieval.models import IndexGeneration, IndexRequest

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _own_files(settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MATCHMAKING_ENCODER = "hashing"
    generations.forget()


def _index(*titles: str) -> generations.State:
    idx = MatchingIndex(encoder=None)
    idx.upsert([Document(id=str(i), fields={"title": t}) for i, t in enumerate(titles, 1)])
    return generations.State(idx)


def test_nothing_published_means_nothing_served_and_nothing_built() -> None:
    assert get_engine().backend("achievement") is None
    assert not IndexGeneration.objects.exists()
    assert not IndexRequest.objects.exists()  # a read queues nothing either


def test_a_second_writer_on_the_same_base_loses_and_leaves_no_file() -> None:
    first = generations.publish("achievement", _index("肺癌靶向药"), 0, "")

    with pytest.raises(generations.Conflict):
        generations.publish("achievement", _index("糖尿病贴片"), 0, "")

    assert list(IndexGeneration.objects.values_list("version", flat=True)) == [1]
    files = default_storage.listdir("indexes/achievement")[1]
    assert files == [first.path.rsplit("/", 1)[1]]


def test_a_process_serves_the_newest_generation_loaded_from_storage() -> None:
    generations.publish("achievement", _index("肺癌靶向药"), 0, "")
    generations.publish("achievement", _index("肺癌靶向药", "糖尿病贴片"), 1, "")
    generations.forget()  # as a fresh process on another machine

    served = generations.current("achievement", None)

    assert served is not None and (served.version, len(served.index)) == (2, 2)


def test_a_generation_deleted_while_loading_makes_the_reader_take_the_newest() -> None:
    old = generations.publish("achievement", _index("肺癌靶向药"), 0, "")
    generations.publish("achievement", _index("肺癌靶向药", "糖尿病贴片"), 1, "")
    generations.forget()
    real_newest = generations.newest
    seen: list[int] = []

    def stale_then_real(kind: str) -> Any:
        # The first look returns a row whose file a cleanup has just deleted.
        if not seen:
            seen.append(1)
            default_storage.delete(old.path)
            return old
        return real_newest(kind)

    generations.newest = stale_then_real  # type: ignore[assignment]
    try:
        served = generations.current("achievement", None)
    finally:
        generations.newest = real_newest  # type: ignore[assignment]

    assert served is not None and served.version == 2


def test_an_index_being_written_elsewhere_is_left_to_its_writer(settings: Any) -> None:
    settings.LUODI_JOBS_SYNC = False  # see what the busy job queues
    from django_q.models import Schedule

    holder = leases.acquire("index:achievement", 60)
    indexing.request("achievement", 7)

    assert holder and indexing.drain("achievement") is None
    assert indexing.sync_index("achievement") == 0
    retry = Schedule.objects.get()  # it looks again when the holder's lease could be over
    assert "retrieval.sync_index" in retry.args
    assert IndexRequest.objects.filter(done_at__isnull=True).count() == 1
