from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from luodi.matching import Document, FusionConfig, HashingEncoder, MatchingIndex
from luodi.matching import index as index_module


def test_search_explains_matched_terms_per_field(index: MatchingIndex) -> None:
    hits = index.search("lung cancer screening", k=3)

    assert hits[0].id == "a3"
    exp = hits[0].explanation
    assert exp is not None
    assert sorted(exp.matched_terms["title"]) == ["cancer", "lung", "screening"]
    assert exp.dense_similarity is not None
    assert set(exp.parts) == {"lexical", "dense"}
    assert hits[0].score == pytest.approx(sum(exp.parts.values()))


def test_allowed_ids_never_returns_disallowed_even_best_match(index: MatchingIndex) -> None:
    best = index.search("lung cancer biologics", k=1, mode="lexical")[0].id
    allowed = {"a1", "n1", "p1"}

    for mode in ("lexical", "dense", "hybrid"):
        hits = index.search("lung cancer biologics", k=10, mode=mode, allowed_ids=allowed)

        assert best not in allowed
        assert {h.id for h in hits} <= allowed
        assert hits  # filtering happens before ranking, so allowed documents still come back


def test_allowed_ids_empty_returns_nothing(index: MatchingIndex) -> None:
    assert index.search("lung cancer", allowed_ids=set()) == []


def test_structured_filters_equality_and_membership(index: MatchingIndex) -> None:
    eq = index.search("cancer diabetes 糖尿病", k=10, filters={"kind": "achievement"})
    member = index.search("cancer diabetes 糖尿病", k=10, filters={"area": ["endocrine"]})
    both = index.search(
        "cancer diabetes 糖尿病",
        k=10,
        filters={"kind": ["achievement", "need"], "area": "endocrine"},
    )

    assert {h.id for h in eq} == {"a1", "a2", "a3"}
    assert {h.id for h in member} == {"a1", "n1", "p1"}
    assert {h.id for h in both} == {"a1", "n1"}


def test_filters_follow_every_change_without_rebuilding(index: MatchingIndex) -> None:
    """The metadata index is built once, then kept current as documents come and go (and a
    copy keeps its own)."""
    query, only_endocrine = "cancer diabetes 糖尿病", {"area": ["endocrine"]}
    assert {h.id for h in index.search(query, k=10, filters=only_endocrine)} == {"a1", "n1", "p1"}
    built = index._meta_index._inv
    # Each filtered value's slots are converted to an array once, not on every search.
    arrays = dict(index._meta_index._arrays)
    assert arrays
    index.search("insulin", k=10, filters=only_endocrine)
    assert all(index._meta_index._arrays[k] is a for k, a in arrays.items())
    twin = index.copy()

    index.upsert([Document("a1", {"title": "cancer vaccine"}, {"kind": "achievement"})])
    index.upsert([Document("x9", {"title": "diabetes patch 糖尿病"}, {"area": ["endocrine"]})])
    index.remove(["n1"])

    assert index._meta_index._inv is built
    found = {h.id for h in index.search(query, k=10, filters=only_endocrine)}
    fresh = MatchingIndex(encoder=None)
    fresh.upsert(
        [
            Document(i, {"title": "marker"}, index.metadata[s] or {})
            for i, s in index.slot_of.items()
        ]
    )
    assert (
        found
        == {"p1", "x9"}
        == {h.id for h in fresh.search("marker", k=10, filters=only_endocrine)}
    )
    assert {h.id for h in twin.search(query, k=10, filters=only_endocrine)} == {"a1", "n1", "p1"}
    twin.upsert([Document("t1", {"title": "糖尿病 insulin"}, {"area": ["endocrine"]})])
    assert {h.id for h in twin.search(query, k=10, filters=only_endocrine)} == {
        "a1",
        "n1",
        "p1",
        "t1",
    }
    assert {h.id for h in index.search(query, k=10, filters=only_endocrine)} == {"p1", "x9"}


def test_rrf_fusion_available(index: MatchingIndex) -> None:
    index.fusion = FusionConfig(method="rrf")

    hits = index.search("lung cancer", k=2)

    assert hits[0].explanation is not None and hits[0].explanation.method == "rrf"


def test_incremental_update_reencodes_only_changed_docs(docs: list[Document]) -> None:
    enc = HashingEncoder()
    idx = MatchingIndex(encoder=enc)
    idx.upsert(docs)
    assert enc.calls == len(docs)
    changed = Document(
        "a2", {"title": "PD-L1 antibody for melanoma", "body": "Melanoma trial."}, docs[1].metadata
    )

    stats = idx.upsert([*docs[:1], changed, *docs[2:]])

    assert (stats.added, stats.updated, stats.unchanged, stats.encoded) == (0, 1, 4, 1)
    assert enc.calls == len(docs) + 1
    assert idx.search("melanoma", k=1, mode="lexical")[0].id == "a2"
    assert all(h.id != "a2" for h in idx.search("lung cancer survival", k=10, mode="lexical"))


def test_embedding_cache_avoids_reencoding_across_indexes(
    docs: list[Document], tmp_path: Path
) -> None:
    enc = HashingEncoder()
    MatchingIndex(encoder=enc, cache_dir=tmp_path).upsert(docs)

    stats = MatchingIndex(encoder=enc, cache_dir=tmp_path).upsert(docs)

    assert stats.encoded == 0 and enc.calls == len(docs)


def test_remove_documents(index: MatchingIndex) -> None:
    assert index.remove(["a3", "missing"]) == 1

    assert "a3" not in index and len(index) == 4
    assert all(h.id != "a3" for h in index.search("lung cancer screening", k=10))


def test_save_load_round_trip(index: MatchingIndex, tmp_path: Path) -> None:
    index.remove(["a1"])
    index.fusion = FusionConfig(lexical_weight=0.7, norm="zscore")
    before = [(h.id, round(h.score, 5)) for h in index.search("cancer 糖尿病 GMP", k=5)]
    index.save(tmp_path / "idx")

    loaded = MatchingIndex.load(tmp_path / "idx", encoder=HashingEncoder(dim=64))

    assert [(h.id, round(h.score, 5)) for h in loaded.search("cancer 糖尿病 GMP", k=5)] == before
    assert len(loaded) == 4 and loaded.fusion.lexical_weight == 0.7
    loaded.upsert([Document("z9", {"title": "new lung device"})])  # still maintainable
    assert loaded.search("device", k=1, mode="lexical")[0].id == "z9"


def test_load_refuses_other_encoder(index: MatchingIndex, tmp_path: Path) -> None:
    index.save(tmp_path / "idx")

    with pytest.raises(ValueError, match="encoder"):
        MatchingIndex.load(tmp_path / "idx", encoder=HashingEncoder(dim=32))


def test_interrupted_save_leaves_previous_index_loadable(
    index: MatchingIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index.save(tmp_path / "idx")
    index.upsert([Document("x1", {"title": "brand new document"})])
    calls = {"n": 0}
    real = index_module.atomic_write_npz

    def failing(path: Path, **arrays: np.ndarray) -> None:
        calls["n"] += 1
        if calls["n"] == 2:  # die halfway through writing the new generation
            raise OSError("disk full")
        real(path, **arrays)

    monkeypatch.setattr(index_module, "atomic_write_npz", failing)
    with pytest.raises(OSError):
        index.save(tmp_path / "idx")
    monkeypatch.undo()

    loaded = MatchingIndex.load(tmp_path / "idx", encoder=HashingEncoder(dim=64))
    assert len(loaded) == 5 and "x1" not in loaded
    assert loaded.search("lung cancer", k=1)[0].id in {"a2", "a3"}


def test_duplicate_ids_in_one_upsert_rejected() -> None:
    idx = MatchingIndex()
    with pytest.raises(ValueError):
        idx.upsert([Document("d", {"title": "a"}), Document("d", {"title": "b"})])


def test_lexical_only_index_without_encoder(docs: list[Document]) -> None:
    idx = MatchingIndex()
    idx.upsert(docs)

    hits = idx.search("糖尿病 敷料", k=2)

    assert hits[0].id == "n1"
    assert hits[0].explanation is not None and hits[0].explanation.dense_similarity is None


def test_matched_terms_list_the_most_specific_first() -> None:
    docs = [
        Document(id=str(i), fields={"title": "medical device" + (" oximeter" if i == 0 else "")})
        for i in range(20)
    ]
    index = MatchingIndex()
    index.upsert(docs)

    hit = index.search("medical oximeter", mode="lexical", k=1)[0]

    assert hit.id == "0"
    assert hit.explanation is not None
    assert hit.explanation.matched_terms["title"] == ["oximeter", "medical"]
