"""Bulk indexing paths (vectorised postings, forked tokenizer workers, neighbour merges),
the graph-owned dense store, and the rough edges fixed with them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from luodi.matching import Document, HashingEncoder, MatchingIndex, Tokenizer, bulk
from luodi.matching import dense as dense_mod
from luodi.matching import lexical as lexical_mod
from luodi.matching.dense import DenseIndex
from luodi.matching.lexical import LexicalIndex
from luodi.matching.segments import Segment, _build_segment, _merge_by_sorting

WORDS_EN = ["insulin", "diabetes", "lung", "cancer", "screening"]
WORDS_EN += ["trial", "stent", "implant", "fibrosis", "kinase"]
WORDS_ZH = ["糖尿病", "肾病", "肺癌", "筛查", "患者", "临床", "试验", "支架", "的", "治疗"]


def _corpus(n: int, seed: int = 0) -> list[dict[str, str]]:
    rng = np.random.default_rng(seed)
    docs = []
    for _ in range(n):
        en = " ".join(rng.choice(WORDS_EN, int(rng.integers(0, 12))))
        zh = "".join(rng.choice(WORDS_ZH, int(rng.integers(0, 8))))
        docs.append({"title": en[:30], "body": f"{en} {zh}，{zh}", "keywords": zh[:4]})
    return docs


def _reference(lex: LexicalIndex, docs: list[dict[str, str]]) -> tuple[Segment, np.ndarray]:
    """The per-document build the vectorised one replaced (analyze_document + argsort)."""
    t_l, d_l, f_l, m_l, lens = [], [], [], [], []
    for slot, fields in enumerate(docs):
        tf, mask, length = lex.analyze_document(fields)
        lens.append(length)
        t_l.append(np.fromiter(tf.keys(), np.int32, len(tf)))
        f_l.append(np.fromiter(tf.values(), np.float32, len(tf)))
        m_l.append(np.fromiter((mask[t] for t in tf), np.uint8, len(tf)))
        d_l.append(np.full(len(tf), slot, np.int32))
    seg = _build_segment(
        np.concatenate(t_l),
        np.concatenate(d_l),
        np.concatenate(f_l),
        np.concatenate(m_l),
        len(lex.vocab),
    )
    return seg, np.asarray(lens, np.float32)


def _assert_same_index(a: LexicalIndex, b: LexicalIndex) -> None:
    assert a.vocab == b.vocab and a.fields == b.fields
    np.testing.assert_array_equal(a.df, b.df)
    np.testing.assert_array_equal(a.doc_len, b.doc_len)
    assert len(a.segments) == len(b.segments)
    for x, y in zip(a.segments, b.segments, strict=True):
        for u, v in [(x.indptr, y.indptr), (x.docs, y.docs), (x.tf, y.tf), (x.fmask, y.fmask)]:
            np.testing.assert_array_equal(u, v)


def test_vectorised_build_equals_per_document_build() -> None:
    docs = _corpus(300)
    lex = LexicalIndex(Tokenizer(), field_weights={"keywords": 1.3})
    lex.add(list(range(len(docs))), docs, np.ones(len(docs), bool))
    ref, lens = _reference(LexicalIndex(Tokenizer(), field_weights={"keywords": 1.3}), docs)

    seg = lex.segments[0]
    np.testing.assert_array_equal(seg.indptr, ref.indptr)
    np.testing.assert_array_equal(seg.docs, ref.docs)
    np.testing.assert_allclose(seg.tf, ref.tf, rtol=1e-3)  # float16 storage
    np.testing.assert_array_equal(seg.fmask, ref.fmask)
    np.testing.assert_allclose(lex.doc_len, lens, rtol=1e-6)


def test_parallel_tokenization_gives_the_same_index_as_serial(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    docs = _corpus(500, seed=1)
    alive = np.ones(len(docs), bool)
    serial = LexicalIndex(Tokenizer(user_words=["肾病患者"]), workers=1)
    serial.add(list(range(len(docs))), docs, alive)
    monkeypatch.setattr(bulk, "PARALLEL_MIN_DOCS", 10)
    forked = LexicalIndex(Tokenizer(user_words=["肾病患者"]), workers=2)
    forked.add(list(range(len(docs))), docs, alive)

    assert len(bulk.tokenize_parallel(Tokenizer(), docs, 2)) > 1  # really split
    _assert_same_index(serial, forked)


def test_tokenizer_survives_pickling_with_its_dictionary() -> None:
    import pickle

    tok = Tokenizer(user_words=["成都医学城"], cjk_ngrams=())
    copy = pickle.loads(pickle.dumps(tok))

    assert copy.tokenize("位于成都医学城的园区") == tok.tokenize("位于成都医学城的园区")


def test_segmenter_matches_jieba_search_mode() -> None:
    jieba = pytest.importorskip("jieba")
    import logging

    jieba.setLogLevel(logging.WARNING)
    ref = jieba.Tokenizer()
    ref.add_word("糖尿病足溃疡")
    tok = Tokenizer(user_words=["糖尿病足溃疡"])
    texts = [
        "糖尿病足溃疡的治疗需求",
        "左膝外侧滑瞙皱襞综合症",
        "肝上长个血管瘤做微创手术需要多少钱",
    ]
    for text in texts + [d["body"] for d in _corpus(50, seed=2)]:
        for run in text.replace("，", " ").split():
            if run.isascii():
                continue
            assert tok.segmenter.cut_for_search(run) == list(ref.cut_for_search(run, HMM=True))


def test_neighbour_merge_equals_sorting_merge() -> None:
    docs = _corpus(200, seed=3)
    lex = LexicalIndex(Tokenizer())
    alive = np.ones(len(docs), bool)
    for s in range(0, len(docs), 20):
        lex.add(list(range(s, s + 20)), docs[s : s + 20], alive)
    alive[::7] = False
    df = lex.df.copy()
    expected = _merge_by_sorting(lex.segments, alive, df, len(lex.vocab))

    lex.merge(alive)

    got = lex.segments[0]
    np.testing.assert_array_equal(lex.df, df)
    for u, v in [(got.indptr, expected.indptr), (got.docs, expected.docs)]:
        np.testing.assert_array_equal(u, v)
    np.testing.assert_array_equal(got.tf, expected.tf)
    np.testing.assert_array_equal(got.fmask, expected.fmask)


def test_many_segments_are_merged_between_neighbours_and_scores_hold(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(lexical_mod, "SMALL_TAIL_POSTINGS", 0)  # the tiered policy alone
    docs = _corpus(150, seed=4)
    one = LexicalIndex(Tokenizer())
    many = LexicalIndex(Tokenizer())
    alive = np.ones(len(docs), bool)
    one.add(list(range(len(docs))), docs, alive)
    for s in range(0, len(docs), 10):  # 15 adds: more than MERGE_ABOVE_SEGMENTS
        many.add(list(range(s, s + 10)), docs[s : s + 10], alive)

    assert len(many.segments) < 15
    for q in ["lung cancer", "糖尿病 肾病", "stent"]:
        np.testing.assert_allclose(
            many.score_all(many.prepare(many.query_terms(q), alive)),
            one.score_all(one.prepare(one.query_terms(q), alive)),
            rtol=1e-5,
        )


def test_matched_terms_name_the_right_field_past_eight_fields() -> None:
    fields = {f"f{i}": "filler text" for i in range(10)}
    fields["f9"] = "melanoma"
    idx = MatchingIndex()
    idx.upsert([Document("x", fields)])

    exp = idx.search("melanoma", k=1, mode="lexical")[0].explanation

    assert exp is not None and exp.matched_terms == {"f9": ["melanoma"]}


def test_per_index_field_weights_override_defaults_and_persist(tmp_path: Path) -> None:
    docs = [
        Document("t", {"title": "fibrosis", "body": "other words here"}),
        Document("b", {"title": "other words", "body": "fibrosis fibrosis"}),
    ]
    default = MatchingIndex()
    default.upsert(docs)
    body_first = MatchingIndex(field_weights={"title": 0.5, "body": 3.0})
    body_first.upsert(docs)

    assert default.search("fibrosis", k=1, mode="lexical")[0].id == "t"
    assert body_first.search("fibrosis", k=1, mode="lexical")[0].id == "b"
    body_first.save(tmp_path)
    loaded = MatchingIndex.load(tmp_path)
    assert loaded.lexical.field_weights == {"title": 0.5, "body": 3.0}
    assert loaded.search("fibrosis", k=1, mode="lexical")[0].id == "b"


def _unit(rows: int, dim: int, seed: int) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((rows, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_quantized_search_after_the_threshold_keeps_exact_scores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    vecs = _unit(1200, 16, 5)
    dense = DenseIndex(16, ann_threshold=1000)
    dense.set(np.arange(600), vecs[:600])
    assert not dense.quantized
    dense.set(np.arange(600, 1200), vecs[600:])  # crosses the threshold: codes built

    assert dense.quantized and dense.vectors.dtype == np.float16
    np.testing.assert_allclose(dense.vectors[5], vecs[5], atol=2e-3)
    top, scores = dense.search(vecs[7], 10)
    exact, _ = dense.search_exact(vecs[7], 10, None)
    assert top[0] == 7 and len(set(top) & set(exact)) >= 9
    # Reported scores are the exact (f16) inner products, not the quantized estimates.
    np.testing.assert_allclose(scores, vecs[top] @ vecs[7], atol=5e-3)

    dense.remove(np.asarray([7]))
    assert 7 not in dense.search(vecs[7], 10)[0]
    assert dense.scores(vecs[7], np.asarray([7]))[0] == 0
    dense.set(np.asarray([8]), vecs[9:10])  # an update replaces the old code
    top, _ = dense.search(vecs[9], 2)
    assert set(top) == {8, 9}
    assert 8 not in dense.search(vecs[8], 10)[0][:1]

    mask = np.zeros(1200, bool)
    mask[100:140] = True  # small allowed set: scored exactly
    top, _ = dense.search(vecs[120], 5, mask)
    assert top[0] == 120 and mask[top].all()
    monkeypatch.setattr(dense_mod, "EXACT_ALLOWED", 0)
    mask[:] = False
    mask[::2] = True  # large allowed set: oversampled quantized search, then filtered
    top, _ = dense.search(vecs[121], 10, mask)
    assert top.size == 10 and mask[top].all()


def test_save_load_keeps_the_quantized_copy(tmp_path: Path) -> None:
    docs = [Document(f"d{i}", {"title": f"doc {i} insulin"}) for i in range(60)]
    idx = MatchingIndex(encoder=HashingEncoder(dim=16), ann_threshold=50)
    idx.upsert(docs)
    assert idx.dense is not None and idx.dense.quantized
    before = idx.search("doc 7 insulin", k=3)

    idx.save(tmp_path)
    loaded = MatchingIndex.load(tmp_path, encoder=HashingEncoder(dim=16))

    assert loaded.dense is not None and loaded.dense.quantized
    gen = next(p for p in tmp_path.iterdir() if p.is_dir())
    assert (gen / "ann.faiss").exists()
    with np.load(gen / "dense.npz") as z:
        assert z["vectors"].shape[0] >= 60  # the matrix is the only full copy
    assert [h.id for h in loaded.search("doc 7 insulin", k=3)] == [h.id for h in before]


def test_a_copy_changes_without_touching_the_index_it_came_from() -> None:
    """What a serving process does with a delta: change a copy while requests in flight
    keep reading the original (quantized copy, segments, vectors and statistics)."""
    docs = [Document(f"d{i}", {"title": f"doc {i} insulin"}) for i in range(60)]
    idx = MatchingIndex(encoder=HashingEncoder(dim=16), ann_threshold=50)
    idx.upsert(docs)
    assert idx.dense is not None and idx.dense.quantized
    before = [(h.id, h.score) for h in idx.search("doc 7 insulin", k=5)]
    vectors, df = idx.dense.vectors.copy(), idx.lexical.df.copy()

    twin = idx.copy()
    twin.upsert([Document("d7", {"title": "cardiac stent"}), Document("new", {"title": "doc 7"})])
    twin.remove(["d8"])

    assert [(h.id, h.score) for h in idx.search("doc 7 insulin", k=5)] == before
    assert (idx.dense.vectors == vectors).all() and (idx.lexical.df == df).all()
    assert len(idx) == 60 and idx.search("stent", k=3, mode="lexical") == []
    assert len(twin) == 60 and [h.id for h in twin.search("stent", k=3, mode="lexical")] == ["d7"]
    assert "d8" not in twin and "d8" in idx
    assert twin.dense is not None and twin.dense.quantized
    assert [h.id for h in twin.search("doc 8", k=60)].count("d8") == 0
    assert twin.dense._ann.ntotal == 60 and idx.dense._ann.ntotal == 60


def test_a_loaded_index_maps_its_segments_and_still_takes_changes(tmp_path: Path) -> None:
    """Workers of one machine share the segments through the page cache: they are mapped
    read-only from the generation's files, never copied; what changes in place is private."""
    import json

    docs = [Document(f"d{i}", {"title": f"doc {i} insulin 胰岛素"}) for i in range(40)]
    idx = MatchingIndex(encoder=HashingEncoder(dim=16))
    idx.upsert(docs)
    idx.save(tmp_path)
    before = [(h.id, h.score) for h in idx.search("doc 7 insulin", k=5)]

    loaded = MatchingIndex.load(tmp_path, encoder=HashingEncoder(dim=16))
    seg = loaded.lexical.segments[0]

    assert isinstance(seg.docs.base, np.memmap) or isinstance(seg.docs, np.memmap)
    assert not seg.docs.flags.writeable and loaded.lexical.df.flags.writeable
    assert [(h.id, h.score) for h in loaded.search("doc 7 insulin", k=5)] == before
    loaded.upsert([Document("d7", {"title": "cardiac stent 支架"})])
    assert [h.id for h in loaded.search("支架", k=3, mode="lexical")] == ["d7"]

    # A save of the previous format (one lexical.npz) still loads.
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    gdir = tmp_path / manifest["generation"]
    arrays = {p.stem: np.load(p) for p in (gdir / "lexical").glob("*.npy")}
    np.savez(gdir / "lexical.npz", **arrays)  # type: ignore[arg-type]
    for p in (gdir / "lexical").glob("*.npy"):
        p.unlink()
    (gdir / "lexical").rmdir()
    (tmp_path / "manifest.json").write_text(json.dumps({**manifest, "format": 1}))
    old = MatchingIndex.load(tmp_path, encoder=HashingEncoder(dim=16))
    assert [(h.id, h.score) for h in old.search("doc 7 insulin", k=5)] == before


def test_an_old_save_without_vectors_is_refused(tmp_path: Path) -> None:
    dense = DenseIndex(16)
    with pytest.raises(ValueError, match="older format"):
        dense.restore(np.zeros((0, 16), np.float16), np.ones(5, bool), None)


def test_batch_counts_equal_per_field_counters(monkeypatch: pytest.MonkeyPatch) -> None:
    from collections import Counter

    docs = _corpus(120, seed=6)
    tok = Tokenizer()
    monkeypatch.setattr(bulk, "STREAM_FLUSH", 50)  # count in many small pieces
    bt = bulk.tokenize_batch(tok, docs, offset=5)

    seen: dict[str, None] = {}
    expected = []
    for j, doc in enumerate(docs):
        for name, text in doc.items():
            toks = tok.tokenize(text) if text else []
            if toks:
                seen.update(dict.fromkeys(toks))
                expected.append((j + 5, name, len(toks), Counter(toks)))
    assert bt.terms == list(seen)  # local ids in first-seen order
    ends = np.cumsum(bt.group_terms)
    assert len(expected) == bt.group_doc.shape[0] == ends.shape[0]
    for g, (doc_i, name, n_toks, counter) in enumerate(expected):
        rows = slice(ends[g] - bt.group_terms[g], ends[g])
        got = {bt.terms[t]: int(c) for t, c in zip(bt.tids[rows], bt.counts[rows], strict=True)}
        assert (bt.group_doc[g], bt.fields[bt.group_field[g]], bt.group_len[g]) == (
            doc_i,
            name,
            n_toks,
        )
        assert got == dict(counter)


def test_unordered_and_sparse_slots_index_like_consecutive_ones() -> None:
    docs = _corpus(80, seed=7)
    slots = np.random.default_rng(0).permutation(len(docs)) * 3 + 1
    plain = LexicalIndex(Tokenizer())
    plain.add(list(range(len(docs))), docs, np.ones(len(docs), bool))
    sparse = LexicalIndex(Tokenizer())
    alive = np.zeros(int(slots.max()) + 1, bool)
    alive[slots] = True
    sparse.add(slots.tolist(), docs, alive)

    for q in ["lung cancer", "糖尿病 肾病", "stent trial"]:
        np.testing.assert_allclose(
            sparse.score_all(sparse.prepare(sparse.query_terms(q), alive))[slots],
            plain.score_all(plain.prepare(plain.query_terms(q), np.ones(len(docs), bool))),
            rtol=1e-6,
        )


def test_forked_batches_with_unordered_slots_give_the_serial_index(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    docs = _corpus(300, seed=8)
    slots = (np.random.default_rng(1).permutation(len(docs)) * 2).tolist()
    alive = np.ones(max(slots) + 1, bool)
    serial = LexicalIndex(Tokenizer(), workers=1)
    serial.add(slots, docs, alive)
    monkeypatch.setattr(bulk, "PARALLEL_MIN_DOCS", 10)
    forked = LexicalIndex(Tokenizer(), workers=2)
    forked.add(slots, docs, alive)  # batches' slot ranges interleave: combined by sorting

    _assert_same_index(serial, forked)


def test_failed_forked_add_frees_the_workers_for_the_next_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    docs = _corpus(200, seed=9)
    alive = np.ones(len(docs), bool)
    monkeypatch.setattr(bulk, "PARALLEL_MIN_DOCS", 10)
    lex = LexicalIndex(Tokenizer(), workers=2)

    def fail(*args: object) -> None:
        raise RuntimeError("packing failed")

    monkeypatch.setattr(lex, "_pack", fail)
    with pytest.raises(RuntimeError) as err:
        lex.add(list(range(len(docs))), docs, alive)
    # The traceback (kept alive here) must not hold the fork lock.
    assert err.value is not None and not bulk._WORK_LOCK.locked()
    monkeypatch.undo()
    monkeypatch.setattr(bulk, "PARALLEL_MIN_DOCS", 10)
    lex = LexicalIndex(Tokenizer(), workers=2)
    lex.add(list(range(len(docs))), docs, alive)
    assert lex.segments


def test_frozen_heap_nests_and_always_thaws() -> None:
    import gc

    gc.unfreeze()  # an earlier test's filtered search may have settled (frozen) its heap
    assert gc.get_freeze_count() == 0
    with bulk.frozen_heap():
        assert gc.get_freeze_count() > 0
        with bulk.frozen_heap():  # the forked tokenizer's scope inside a bulk upsert
            pass
        assert gc.get_freeze_count() > 0  # the inner exit kept the outer scope frozen
    assert gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError), bulk.frozen_heap():
        raise RuntimeError("a failed add")
    assert gc.get_freeze_count() == 0
    with bulk.frozen_heap(enabled=False):
        assert gc.get_freeze_count() == 0


def _small_index() -> MatchingIndex:
    idx = MatchingIndex(encoder=HashingEncoder(dim=16))
    docs = [
        Document(str(i), {"title": f"word{i} 糖尿病 肾病"}, {"archived": False, "tag": [i % 3]})
        for i in range(50)
    ]
    idx.upsert(docs)
    return idx


def test_the_lazily_built_filter_lists_leave_the_collections() -> None:
    import gc

    gc.unfreeze()
    try:
        idx = _small_index()
        assert gc.get_freeze_count() == 0
        idx.search("word3", k=5, mode="lexical", filters={"archived": False})  # builds them
        assert gc.get_freeze_count() > 0
        with bulk.frozen_heap():  # inside a bulk scope settling does nothing: its exit thaws
            bulk.settle_long_lived()
        assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()


def test_an_index_and_its_copy_are_freed_without_a_collection() -> None:
    """Frozen objects are only freed by reference counting (settle_long_lived): an index,
    its copy and their parts must hold no reference cycle, or every replaced copy would
    stay in memory until the next whole load."""
    import gc
    import weakref

    gc.disable()
    try:
        idx = _small_index()
        idx.search("word3", k=5, filters={"archived": False})
        twin = idx.copy()
        twin.upsert([Document("x", {"title": "new words"}, {"archived": False})])
        twin.search("new", k=5, filters={"archived": False})
        parts = [idx, idx.lexical, idx.dense, idx._meta_index, twin, twin.lexical, twin.dense]
        refs = [weakref.ref(p) for p in parts]
        del idx, twin, parts
        assert [r() for r in refs] == [None] * len(refs)
    finally:
        gc.enable()


def test_single_records_keep_one_small_tail_segment_and_optimize_makes_one(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Deltas add one record at a time: the newest small segments merge into one tail (each
    segment costs every query term a lookup); a whole build is merged into one segment
    unless that merge would pass the memory bound."""
    docs = _corpus(150, seed=5)
    alive = np.ones(len(docs), bool)
    ref = LexicalIndex(Tokenizer())
    ref.add(list(range(len(docs))), docs, alive)
    lex = LexicalIndex(Tokenizer())
    big = 100
    lex.add(list(range(big)), docs[:big], alive)
    monkeypatch.setattr(lexical_mod, "SMALL_TAIL_POSTINGS", lex.segments[0].n_postings - 1)
    for s in range(big, len(docs)):  # 50 single records, as a chain of deltas brings them
        lex.add([s], docs[s : s + 1], alive)
        assert len(lex.segments) <= 2
    assert len(lex.segments) == 2 and lex.segments[0].n_postings == ref.segments[0].n_postings - (
        lex.segments[1].n_postings
    )
    queries = ["lung cancer", "糖尿病 肾病", "stent"]

    def scores(index: LexicalIndex) -> list[np.ndarray]:
        return [index.score_all(index.prepare(index.query_terms(q), alive)) for q in queries]

    for got, want in zip(scores(lex), scores(ref), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5)
    monkeypatch.setattr(lexical_mod, "MAX_MERGED_POSTINGS", ref.segments[0].n_postings - 1)
    assert not lex.optimize(alive) and len(lex.segments) == 2  # too big to merge: kept
    monkeypatch.undo()
    assert lex.optimize(alive) and len(lex.segments) == 1
    for got, want in zip(scores(lex), scores(ref), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5)
