"""The backend contract (luodi/matching/backend.py), run on the in-process index and on Milvus.

The Milvus side talks to a real milvus-lite server (`milvus-lite server`, started once per
session in its own process). Under CI=true a Milvus test that cannot run fails instead of
skipping.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from luodi.matching import Document, HashingEncoder, MatchingIndex
from luodi.matching.backend import Backend, InProcessBackend, filter_expression
from luodi.matching.fusion import FusionConfig

FILTERABLE: dict[str, Any] = {"kind": str, "area": list[str], "stage": str, "year": int}
Factory = Callable[..., Backend]


def _milvus(uri: str, docs: Sequence[Document], **kw: Any) -> Backend:
    from luodi.matching.milvus import MilvusBackend

    name = "t_" + uuid.uuid4().hex[:12]
    backend = MilvusBackend(uri, name, filterable=FILTERABLE, **kw)
    backend.upsert(docs)
    return backend


def _inprocess(docs: Sequence[Document], **kw: Any) -> Backend:
    index = MatchingIndex(encoder=kw.get("encoder"), fusion=kw.get("fusion"))
    index.upsert(docs)
    return InProcessBackend(index)


@pytest.fixture(params=["inprocess", "milvus"])
def make(request: pytest.FixtureRequest) -> Iterator[Factory]:
    """make(docs, encoder=..., fusion=...) -> a backend of this run's kind holding docs."""
    made: list[Any] = []

    def factory(docs: Sequence[Document], **kw: Any) -> Backend:
        if request.param == "inprocess":
            return _inprocess(docs, **kw)
        backend = _milvus(request.getfixturevalue("milvus_uri"), docs, **kw)
        made.append(backend)
        return backend

    yield factory
    for backend in made:
        backend.drop()
        backend.close()


@pytest.fixture
def both(docs: list[Document], milvus_uri: str) -> Iterator[tuple[Backend, Backend]]:
    inproc = _inprocess(docs, encoder=HashingEncoder(64))
    milvus = _milvus(milvus_uri, docs, encoder=HashingEncoder(64))
    yield inproc, milvus
    milvus.drop()  # type: ignore[attr-defined]


def _ids(hits: Sequence[Any]) -> list[str]:
    return [h.id for h in hits]


def test_upsert_skips_unchanged_replaces_changed_and_deletes(
    make: Factory, docs: list[Document]
) -> None:
    enc = HashingEncoder(64)
    backend = make(docs, encoder=enc)
    calls = enc.calls
    assert isinstance(backend, Backend)

    again = backend.upsert(docs)
    calls_after = enc.calls
    changed = Document("a1", {"title": "Gene therapy for hemophilia B"}, {"kind": "achievement"})
    replaced = backend.upsert([changed, docs[1]])

    assert (again.unchanged, again.added, again.updated, calls_after) == (5, 0, 0, calls)
    assert (replaced.updated, replaced.unchanged, replaced.encoded) == (1, 1, 1)
    assert _ids(backend.search("hemophilia", k=3, mode="lexical")) == ["a1"]
    assert "a1" not in _ids(backend.search("insulin resistance", k=5, mode="lexical"))
    assert backend.metadata("a1") == {"kind": "achievement"}
    assert backend.delete(["a1", "missing"]) == 1
    assert "a1" not in backend and "a2" in backend and len(backend) == 4
    assert sorted(backend.ids()) == ["a2", "a3", "n1", "p1"]
    assert backend.metadata("a1") is None
    assert backend.search("hemophilia", k=3, mode="lexical") == []


def test_filters_are_applied_before_ranking(make: Factory) -> None:
    # 120 stronger matches than the one allowed document: more than k and than the fusion
    # depth (100), so filtering after retrieval would return nothing.
    strong = [
        Document(
            f"s{i}",
            {"title": "lung cancer lung cancer", "body": f"lung cancer trial {i}"},
            {"kind": "need", "area": ["oncology"]},
        )
        for i in range(120)
    ]
    weak = Document("w", {"title": "Registry", "body": "a cancer registry"}, {"kind": "carrier"})
    backend = make([*strong, weak], encoder=HashingEncoder(64))

    for mode in ("lexical", "dense", "hybrid"):
        hits = backend.search("lung cancer", k=1, mode=mode, filters={"kind": "carrier"})
        assert _ids(hits) == ["w"], mode
        assert _ids(backend.search("lung cancer", k=1, mode=mode, ids={"w", "nope"})) == ["w"]


def test_list_valued_filters_match_any_element(make: Factory, docs: list[Document]) -> None:
    backend = make(docs, encoder=HashingEncoder(64))
    q = "cancer diabetes 糖尿病 GMP"

    def found(filters: dict[str, Any]) -> set[str]:
        return set(_ids(backend.search(q, k=10, filters=filters)))

    assert found({"kind": "achievement"}) == {"a1", "a2", "a3"}
    assert found({"area": ["endocrine"]}) == {"a1", "n1", "p1"}
    assert found({"area": ["oncology", "nothing"]}) == {"a2", "a3", "p1"}
    assert found({"kind": ["achievement", "need"], "area": "endocrine"}) == {"a1", "n1"}
    assert found({"stage": ["phase II", "marketed"]}) == {"a2", "a3"}
    assert found({"area": []}) == set()
    assert backend.search(q, k=10, ids=set()) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("肺癌靶向药", "zh"),  # rjieba search-mode words + characters on both sides
        ("screened", "en"),  # stems to "screen", as does "screening"
        ("靶向 therapies", "zh"),
    ],
)
def test_chinese_and_english_lexical_queries(make: Factory, query: str, expected: str) -> None:
    docs = [
        Document(
            "zh", {"title": "EGFR 靶向药物治疗晚期非小细胞肺癌", "body": "一项靶向治疗研究。"}
        ),
        Document("en", {"title": "Screening for colorectal cancer", "body": "Targeted therapy."}),
        Document("other", {"title": "糖尿病足溃疡敷料", "body": "Wound dressing."}),
    ]
    backend = make(docs)

    assert _ids(backend.search(query, k=1, mode="lexical")) == [expected]


def test_hybrid_with_encoder_explains_both_sides(make: Factory, docs: list[Document]) -> None:
    backend = make(docs, encoder=HashingEncoder(64))

    hits = backend.search("lung cancer screening", k=3, mode="hybrid", explain=True)

    assert hits[0].id == "a3" and hits[0].metadata["stage"] == "marketed"
    exp = hits[0].explanation
    assert exp is not None and exp.method == "convex-minmax"
    assert set(exp.parts) == {"lexical", "dense"} and exp.dense_similarity is not None
    assert sorted(exp.matched_terms["title"]) == ["cancer", "lung", "screening"]
    assert hits[0].score == pytest.approx(sum(exp.parts.values()))


def test_stored_vectors_and_similarities(make: Factory, docs: list[Document]) -> None:
    enc = HashingEncoder(64)
    backend = make(docs, encoder=enc)
    want = enc.encode_passages([docs[1].passage_text()])[0]

    got = backend.vector("a2")
    sims = backend.similarities(want, ["a2", "missing", "a3"])

    assert got is not None and np.allclose(got, want, atol=1e-3)  # in-process keeps f16
    assert backend.vector("missing") is None and backend.vector_dim() == 64
    assert sims[0] == pytest.approx(1.0, abs=1e-3) and sims[1] is None
    other = enc.encode_passages([docs[4].passage_text()])[0]
    assert sims[2] == pytest.approx(float(np.dot(other, want)), abs=1e-3)


def test_matched_terms_per_field(make: Factory, docs: list[Document]) -> None:
    backend = make(docs)

    found = backend.matched_terms("lung cancer 糖尿病", ["a3", "n1", "a1", "missing"])

    assert set(found) == {"a3", "n1"}  # a1 holds none of the words; missing is unknown
    assert {f: sorted(w) for f, w in found["a3"].items()} == {
        "title": ["cancer", "lung"],
        "body": ["cancer", "lung"],
    }
    assert set(found["n1"]["title"]) >= {"糖尿病", "糖尿"}
    assert backend.matched_terms("zebrafish", ["a3"]) == {}


def test_holders_say_what_matched_terms_say_without_fields(
    make: Factory, docs: list[Document]
) -> None:
    backend = make(docs)
    ids = [d.id for d in docs] + ["missing"]
    query = "lung cancer 糖尿病 zebrafish"

    held = backend.holders(query, ids)

    want: dict[str, set[str]] = {}
    for doc_id, fields in backend.matched_terms(query, ids).items():
        for words in fields.values():
            for word in words:
                want.setdefault(word, set()).add(doc_id)
    assert held == want
    assert held["cancer"] >= {"a3"} and "a1" not in held["cancer"]
    assert "zebrafish" not in held


def test_backends_rank_alike(both: tuple[Backend, Backend]) -> None:
    """The same documents in the same order with the same scores, in every mode: the
    server's BM25 over terms repeated by field weight (title 4, summary 3, body 2 copies,
    k1 2.4) is the in-process BM25F."""
    inproc, milvus = both
    queries = ["lung cancer screening", "糖尿病足", "GMP biologics 生物药", "insulin 肺癌"]
    for q in queries:
        for mode in ("lexical", "dense", "hybrid"):
            a = inproc.search(q, k=5, mode=mode, explain=True)
            b = milvus.search(q, k=5, mode=mode, explain=True)
            assert _ids(a) == _ids(b), (q, mode)
            tol = {"rel": 1e-5} if mode == "lexical" else {"abs": 2e-3}  # in-process: f16
            assert [h.score for h in b] == pytest.approx([h.score for h in a], **tol), (q, mode)


def test_rrf_and_zscore_fusion_rank_alike(docs: list[Document], milvus_uri: str) -> None:
    for cfg in (FusionConfig(method="rrf"), FusionConfig(norm="zscore")):
        inproc = _inprocess(docs, encoder=HashingEncoder(64), fusion=cfg)
        milvus = _milvus(milvus_uri, docs, encoder=HashingEncoder(64), fusion=cfg)
        for q in ("lung cancer", "糖尿病 敷料", "GMP plant"):
            a, b = inproc.search(q, k=5), milvus.search(q, k=5)
            assert _ids(a) == _ids(b) and [h.score for h in b] == pytest.approx(
                [h.score for h in a], abs=2e-3
            )
        milvus.drop()  # type: ignore[attr-defined]


def test_milvus_refuses_undeclared_filters_and_other_settings(
    docs: list[Document], milvus_uri: str
) -> None:
    from luodi.matching.milvus import MilvusBackend

    backend = _milvus(milvus_uri, docs, encoder=HashingEncoder(64))
    name = backend.collection  # type: ignore[attr-defined]
    try:
        with pytest.raises(ValueError, match="not filterable"):
            backend.search("cancer", filters={"colour": "red"})
        with pytest.raises(ValueError, match="is not str"):
            backend.upsert([Document("x", {"title": "t"}, {"kind": 3})])
        with pytest.raises(ValueError, match="built with"):
            MilvusBackend(milvus_uri, name, HashingEncoder(32), filterable=FILTERABLE)
        reopened = MilvusBackend(milvus_uri, name, HashingEncoder(64), filterable=FILTERABLE)
        assert len(reopened) == 5 and _ids(reopened.search("screening", k=1)) == ["a3"]
    finally:
        backend.drop()  # type: ignore[attr-defined]


def test_term_codes_are_one_plain_token_each() -> None:
    from luodi.matching.milvus import term_code

    codes = [term_code(t) for t in ["screen", "2", "肺癌", "zeta", "é", "x" * 60]]

    assert codes[:2] == ["screen", "2"]
    assert all(c.isascii() and c.isalnum() and c == c.lower() for c in codes)
    assert len(set(codes)) == len(codes) and codes[3] != "zeta"


def test_filter_expression_quotes_values() -> None:
    expr = filter_expression(
        {"m_kind": ['a"b', "c\\d"], "m_tags": ["x"], "m_year": np.int64(2020), "m_s": None},
        arrays=["m_tags"],
    )

    assert expr == (
        'm_kind in ["a\\"b", "c\\\\d"] and array_contains_any(m_tags, ["x"]) '
        "and m_year in [2020] and (m_s in [] or m_s is null)"
    )
    with pytest.raises(ValueError):
        filter_expression({"a or 1": 1}, [])


def test_eval_cli_runs_both_backends(
    tmp_path: Path, milvus_uri: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from luodi.matching.evaluate import main

    root = tmp_path / "tiny"
    (root / "qrels").mkdir(parents=True)
    corpus = [
        {"_id": "d1", "title": "肺癌靶向药", "text": "EGFR 靶向治疗"},
        {"_id": "d2", "title": "Screening", "text": "colorectal cancer screening"},
        {"_id": "d3", "title": "糖尿病", "text": "足溃疡敷料"},
    ]
    (root / "corpus.jsonl").write_text("\n".join(json.dumps(r) for r in corpus))
    queries = [{"_id": "q1", "text": "肺癌 靶向"}, {"_id": "q2", "text": "cancer screened"}]
    (root / "queries.jsonl").write_text("\n".join(json.dumps(r) for r in queries))
    (root / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\n")

    args = [str(root), "--encoder", "hashing", "--backend", "inprocess,milvus"]
    code = main([*args, "--milvus-uri", milvus_uri, "--cache", str(tmp_path / "cache")])

    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines() if x.startswith("{")]
    assert code == 0 and [r["backend"] for r in lines] == ["inprocess", "milvus"]
    assert lines[0]["ndcg@10"] == lines[1]["ndcg@10"] == 1.0
