"""Learning from outcomes: one memory for matchmaking and for `luodi eval retrieval --train`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from luodi.matching import Document, HashingEncoder, MatchingIndex
from luodi.matching.evaluate import main
from luodi.matching.outcomes import OutcomeMemory


def _unit(*xs: float) -> np.ndarray:
    v = np.asarray(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_similar_to_accepted_gains_similar_to_declined_loses() -> None:
    m = OutcomeMemory(3, floor=0.8)
    m.add("park", "a1", _unit(1, 0, 0), accepted=True, title="KRAS inhibitor")
    m.add("park", "a2", _unit(0, 1, 0), accepted=False, title="Knee implant")
    m.add("fund", "a3", _unit(0, 0, 1), accepted=True)

    near_accepted = m.recall(_unit(1, 0.1, 0))
    assert set(near_accepted) == {"park"}  # the fund's item is not similar
    r = near_accepted["park"]
    assert r.gain > 0.5 and r.accepted and r.item == "a1" and r.title == "KRAS inhibitor"

    near_declined = m.recall(_unit(0.05, 1, 0))["park"]
    assert near_declined.gain < 0 and not near_declined.accepted and near_declined.item == "a2"

    assert m.recall(_unit(1, 1, 1) * -1) == {}  # nothing similar: nothing to say
    assert m.recall(_unit(1, 0, 0), sides={"fund"}) == {}
    assert m.recall(_unit(1, 0, 0), exclude_item="a1") == {}  # its own outcome is its status
    assert m.gains(_unit(1, 0, 0)) == {"park": pytest.approx(1.0)}


def test_index_ranks_with_the_outcome_memory() -> None:
    enc = HashingEncoder(dim=64)
    index = MatchingIndex(encoder=enc)
    index.upsert(
        [
            Document("d1", {"title": "standard diagnosis alpha"}),
            Document("d2", {"title": "standard diagnosis beta"}),
        ]
    )
    index.fusion.extra_weights = {"memory": 2.0}
    query = "clinical shorthand zz9"  # no word in common with either document
    qv = enc.encode_queries([query])[0]
    for doc in ("d1", "d2"):
        memory = OutcomeMemory(enc.dim)
        memory.add(doc, "past query", qv, accepted=True)
        index.outcomes = memory
        assert index.search(query, k=2)[0].id == doc  # the document that accepted it


def test_train_replays_labels_into_the_outcome_memory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "set"
    (root / "qrels").mkdir(parents=True)
    docs = {f"d{i}": f"standard name {i} {'x' * (i % 3)}" for i in range(12)}
    queries = {f"q{i}": f"mention {i % 12} shorthand" for i in range(48)}
    with open(root / "corpus.jsonl", "w", encoding="utf-8") as f:
        for d, t in docs.items():
            f.write(json.dumps({"_id": d, "title": t, "text": ""}) + "\n")
    with open(root / "queries.jsonl", "w", encoding="utf-8") as f:
        for q, t in queries.items():
            f.write(json.dumps({"_id": q, "text": t}) + "\n")
    lines = ["query-id\tcorpus-id\tscore"] + [f"q{i}\td{i % 12}\t1" for i in range(48)]
    (root / "qrels" / "test.tsv").write_text("\n".join(lines) + "\n")

    args = [str(root), "--encoder", "hashing", "--cache", str(tmp_path / "cache")]
    main([*args, "--train", str(root)])
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["learning"] is True and out["product_settings"] is False
    assert out["outcomes"] >= out["outcome_queries"] > 0
    # Fold-B queries repeat fold-A wording ("mention 3 shorthand"): the replayed outcomes
    # find their documents, which words alone cannot tell apart.
    assert out["ndcg@10"] > 0.9
