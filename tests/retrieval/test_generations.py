"""Published index generations: versioned, fenced, loaded by version, never built by a read."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.storage import default_storage

from luodi.jobs import leases
from luodi.matching import MatchingIndex
from luodi.matching.fields import Document
from luodi.retrieval import generations, indexing
from luodi.retrieval.engine import get_engine, make_encoder
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


# -- deltas -------------------------------------------------------------------------------


def _dense_index(*titles: str) -> generations.State:
    idx = MatchingIndex(encoder=make_encoder("hashing"))
    idx.upsert([Document(id=str(i), fields={"title": t}) for i, t in enumerate(titles, 1)])
    return generations.State(idx)


def _change(state: generations.State, docs: list[Document], removed: list[str]) -> Any:
    """What an index job does: apply the change to the writer's state, then publish it."""
    state.index.upsert(docs)
    state.index.remove(removed)
    return generations.Change(docs, removed)


def _titles(served: generations.Loaded | None, query: str) -> list[str]:
    assert served is not None
    return [h.id for h in served.index.search(query, k=10, mode="lexical")]


def test_a_change_is_published_as_a_delta_that_every_process_serves_alike() -> None:
    encoder = make_encoder("hashing")
    writer = _dense_index("肺癌靶向药", "糖尿病贴片", "Cardiac stent coating")
    whole = generations.publish("achievement", writer, 0, "hashing")
    generations.forget()
    held = generations.current("achievement", encoder)  # a process serving v1
    assert held is not None and held.version == 1
    held_index = held.index

    edit = [
        Document("2", {"title": "Glucose sensing patch 血糖贴片"}),
        Document("4", {"title": "骨科机器人"}),
    ]
    delta = generations.publish_change(
        "achievement", writer, 1, "hashing", _change(writer, edit, ["3"])
    )
    generations._checked.clear()  # its next look at the database
    served = generations.current("achievement", encoder)
    generations.forget()  # a fresh process on another machine
    fresh = generations.current("achievement", encoder)

    assert (delta.version, delta.delta_of) == (2, whole.version)
    assert default_storage.size(delta.path) < default_storage.size(whole.path) / 2
    for process in (served, fresh):
        assert process is not None and process.version == 2
        assert _titles(process, "glucose") == ["2"] and _titles(process, "机器人") == ["4"]
        assert _titles(process, "stent") == [] and sorted(process.index.slot_of) == ["1", "2", "4"]
        for doc_id in ("1", "2", "4"):  # vectors replayed, never re-encoded differently
            assert process.index.dense is not None and writer.index.dense is not None
            ours = process.index.dense.get([process.index.slot_of[doc_id]])
            theirs = writer.index.dense.get([writer.index.slot_of[doc_id]])
            assert (ours == theirs).all()
    # The copy was changed, not the index a request in flight may still be reading.
    assert held_index is not served.index and _titles(held, "stent") == ["3"]  # type: ignore[union-attr]
    assert len(held_index) == 3


def test_the_chain_ends_after_its_links_or_with_a_large_change(monkeypatch: Any) -> None:
    monkeypatch.setattr(generations, "MAX_LINKS", 2)
    monkeypatch.setattr(generations, "MAX_DELTA_DOCS", 3)
    state = _index("肺癌靶向药")
    generations.publish("achievement", state, 0, "")
    published = []
    for version, n in enumerate((1, 1, 1, 4, 1), start=1):
        docs = [Document(f"{version}-{i}", {"title": f"器械 {version} {i}"}) for i in range(n)]
        gen = generations.publish_change(
            "achievement", state, version, "", _change(state, docs, [])
        )
        published.append(gen.delta_of)

    # Two deltas on v1, then whole (chain full), then whole (4 documents), then a delta on v5.
    assert published == [1, 1, None, None, 5]
    generations.forget()
    served = generations.current("achievement", None)
    assert served is not None and (served.version, len(served.index)) == (6, 9)


def test_a_missing_delta_makes_the_reader_load_the_chain_again() -> None:
    state = _index("肺癌靶向药")
    generations.publish("achievement", state, 0, "")
    generations.forget()
    held = generations.current("achievement", None)
    docs = [Document("9", {"title": "骨科机器人"})]
    lost = generations.publish_change("achievement", state, 1, "", _change(state, docs, []))
    generations.publish_change("achievement", state, 2, "", _change(state, [], ["9"]))
    generations._checked.clear()
    generations._loaded["achievement"] = held  # type: ignore[assignment]
    lost.delete()  # as if a cleanup had raced the reader

    # The chain cannot be read: the process keeps serving what it holds (nothing half
    # applied), and says so in the log; a fresh process has nothing to serve.
    assert generations.current("achievement", None) is held
    assert len(held.index) == 1  # type: ignore[union-attr]
    generations.forget()
    with pytest.raises(RuntimeError):
        generations.current("achievement", None)


def test_old_chains_are_cleaned_up_but_never_the_newest(monkeypatch: Any) -> None:
    from datetime import timedelta

    monkeypatch.setattr(generations, "KEEP_OLD", timedelta(0))
    state = _index("肺癌靶向药")
    generations.publish("achievement", state, 0, "")
    for version in range(1, 5):
        docs = [Document(f"n{version}", {"title": f"器械 {version}"})]
        generations.publish_change("achievement", state, version, "", _change(state, docs, []))

    assert list(IndexGeneration.objects.order_by("version").values_list("version", flat=True)) == [
        1,
        2,
        3,
        4,
        5,
    ]
    generations.publish("achievement", state, 5, "")  # a whole one starts a new chain
    generations.publish_change("achievement", state, 6, "", _change(state, [], ["n1"]))
    kept = list(IndexGeneration.objects.order_by("version").values_list("version", flat=True))
    assert kept == [6, 7]
    assert len(default_storage.listdir("indexes/achievement")[1]) == 2
    generations.forget()
    served = generations.current("achievement", None)
    assert served is not None and len(served.index) == 4


def test_a_writer_behind_on_the_chain_replays_what_the_other_writer_published() -> None:
    mine = _index("肺癌靶向药", "糖尿病贴片")
    generations.publish("achievement", mine, 0, "")
    held = generations._loaded["achievement"]  # this worker wrote v1 and still holds it
    other = generations.State(mine.index.copy(), chain=1)  # another machine's worker
    docs = [Document("3", {"title": "骨科机器人"})]
    generations.publish_change("achievement", other, 1, "", _change(other, docs, ["1"]))
    generations._loaded["achievement"] = held

    state, version = generations.take_for_writing("achievement", None, None)

    assert state is mine and version == 2 and (state.chain, state.links) == (1, 1)
    assert sorted(state.index.slot_of) == ["2", "3"]
