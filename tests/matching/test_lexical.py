from __future__ import annotations

from unittest.mock import patch

import bm25s
import numpy as np

from luodi.matching import Tokenizer, lexical
from luodi.matching.lexical import LexicalIndex

CORPUS = [
    "insulin resistance and type 2 diabetes in adults",
    "lung cancer screening with low dose computed tomography",
    "insulin pump therapy for type 1 diabetes in children",
    "diabetes prevention through diet and exercise",
    "immune checkpoint inhibitors in lung cancer",
    "cancer cancer cancer registry statistics",
]


def test_bm25_scores_match_bm25s_lucene() -> None:
    tok = Tokenizer()
    lex = LexicalIndex(tok, k1=1.2, b=0.75)
    alive = np.ones(len(CORPUS), dtype=bool)
    # A single field with weight 1.0 reduces BM25F to plain BM25.
    lex.add(list(range(len(CORPUS))), [{"body": t} for t in CORPUS], alive)
    ref = bm25s.BM25(method="lucene", k1=1.2, b=0.75)
    ref.index([tok.tokenize(t) for t in CORPUS], show_progress=False)

    for query in ["insulin diabetes", "lung cancer", "cancer registry", "exercise"]:
        ours = lex.score_all(lex.prepare(lex.query_terms(query), alive))
        theirs = ref.get_scores(tok.tokenize(query))

        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_bm25_field_weights_rank_title_match_first() -> None:
    lex = LexicalIndex(Tokenizer())
    alive = np.ones(2, dtype=bool)
    lex.add(
        [0, 1],
        [
            {"title": "other topic", "body": "fibrosis treatment"},
            {"title": "fibrosis treatment", "body": "other topic"},
        ],
        alive,
    )

    scores = lex.score_all(lex.prepare(lex.query_terms("fibrosis"), alive))

    assert scores[1] > scores[0] > 0


def test_bm25_merge_drops_dead_postings_and_keeps_scores(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(lexical, "SMALL_TAIL_POSTINGS", 0)
    tok = Tokenizer()
    lex = LexicalIndex(tok)
    alive = np.ones(len(CORPUS), dtype=bool)
    for i, t in enumerate(CORPUS):  # one segment per document
        lex.add([i], [{"body": t}], alive)
    assert len(lex.segments) == len(CORPUS)
    alive[5] = False
    before = lex.score_all(lex.prepare(lex.query_terms("lung cancer"), alive))

    lex.merge(alive)
    after = lex.score_all(lex.prepare(lex.query_terms("lung cancer"), alive))

    assert len(lex.segments) == 1
    assert after[5] == 0
    # df no longer counts the deleted document, so idf of "cancer" rises a little.
    assert after[1] > before[1]


def _zipf_corpus(n: int, seed: int) -> list[dict[str, str]]:
    """Common and rare words in proportions like real text, in several segments' worth."""
    rng = np.random.default_rng(seed)
    vocab = [f"w{i}" for i in range(300)] + ["肺癌", "胃癌", "乳腺癌", "疫苗", "抗体"]
    p = 1.0 / np.arange(1, len(vocab) + 1)
    p /= p.sum()
    return [
        {
            "title": " ".join(rng.choice(vocab, int(rng.integers(1, 6)), p=p)),
            "body": " ".join(rng.choice(vocab, int(rng.integers(5, 60)), p=p)),
        }
        for _ in range(n)
    ]


def _three_segments(n: int, seed: int) -> tuple[LexicalIndex, np.ndarray]:
    """An index of a Zipf corpus of n documents, added in three segments."""
    docs = _zipf_corpus(n, seed)
    lex = LexicalIndex(Tokenizer(), workers=1)
    alive = np.ones(n, dtype=bool)
    step = n // 3
    with patch.object(lexical, "SMALL_TAIL_POSTINGS", 0):  # keep them apart: small ones merge
        for start in range(0, n, step):
            lex.add(list(range(start, start + step)), docs[start : start + step], alive)
    assert len(lex.segments) == 3
    return lex, alive


def test_pruned_top_k_equals_ranking_every_score() -> None:
    lex, alive = _three_segments(900, seed=3)
    alive[::7] = False  # deleted documents still have postings
    rng = np.random.default_rng(4)
    masks = [alive, alive & (rng.random(alive.size) < 0.5), alive & (rng.random(alive.size) < 0.02)]
    queries = ["w0 w1 w2 w250", "w3 w120", "w0 w0 w1", "乳腺癌 w5 w9 w2", "w299", "nothing"]

    for query in queries:
        q = lex.prepare(lex.query_terms(query), alive)
        full = lex.score_all(q)
        for mask in masks:
            for k in (1, 10, 100):
                slots, scores = lex.top(q, mask, k)
                ref = np.where(mask, full, 0.0)
                want = np.sort(ref[ref > 0])[::-1][:k]
                # Same scores in the same order; ties at the k-th place may pick either.
                np.testing.assert_allclose(scores, want, rtol=1e-6)
                np.testing.assert_allclose(full[slots], scores, rtol=1e-6)
                assert mask[slots].all()
                # Exactly: a words-only search reads its scores from top() (index.py).
                np.testing.assert_array_equal(lex.score_slots(q, slots), scores)


def test_pruned_top_k_skips_the_longest_posting_lists(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    docs = [{"body": "common " * 5 + ("rare" if i % 50 == 0 else "other")} for i in range(500)]
    lex = LexicalIndex(Tokenizer(), workers=1)
    alive = np.ones(len(docs), dtype=bool)
    lex.add(list(range(len(docs))), docs, alive)
    read: list[int] = []
    real = LexicalIndex._add_term

    def counting(self: LexicalIndex, acc, tid, w, norm):  # type: ignore[no-untyped-def]
        read.append(tid)
        return real(self, acc, tid, w, norm)

    monkeypatch.setattr(LexicalIndex, "_add_term", counting)
    q = lex.prepare(lex.query_terms("rare common"), alive)

    slots, _ = lex.top(q, alive, 5)

    assert read == [lex.vocab["rare"]]  # "common" was only looked up for the candidates
    assert set(slots.tolist()) <= set(range(0, 500, 50))


def test_radix_order_is_a_stable_sort_past_16_bits() -> None:
    from luodi.matching.lexical import _radix_order

    rng = np.random.default_rng(5)
    for high in (1 << 10, 1 << 20, (1 << 32) - 1):  # one digit, two digits
        keys = rng.integers(0, high, 5000).astype(np.int64)
        keys[:100] = keys[100:200]  # ties: their original order must be kept

        np.testing.assert_array_equal(_radix_order(keys), np.argsort(keys, kind="stable"))


def test_matched_fields_of_many_slots_in_one_pass() -> None:
    lex, _ = _three_segments(600, seed=8)
    qterms = lex.query_terms("w0 w3 w40 乳腺癌")
    slots = [599, 0, 250, 7, 401, 250]  # unsorted, repeated, across segments

    by_term = lex.matched_fields_at(slots, qterms)

    got = [{tid: at[j] for tid, at in by_term.items() if j in at} for j in range(len(slots))]
    for slot, fields in zip(slots, got, strict=True):
        want: dict[int, int] = {}
        for tid in qterms:
            for seg in lex.segments:
                d, _, m = seg.postings(tid)
                hit = np.flatnonzero(d == slot)
                if hit.size:
                    want[tid] = want.get(tid, 0) | int(m[hit[0]])
        assert fields == want
    assert any(got)  # the query does match some of them
