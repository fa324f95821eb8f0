from __future__ import annotations

import bm25s
import numpy as np

from luodi.matching import Tokenizer
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
        ours = lex.score_all(lex.query_terms(query), alive)
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

    scores = lex.score_all(lex.query_terms("fibrosis"), alive)

    assert scores[1] > scores[0] > 0


def test_bm25_merge_drops_dead_postings_and_keeps_scores() -> None:
    tok = Tokenizer()
    lex = LexicalIndex(tok)
    alive = np.ones(len(CORPUS), dtype=bool)
    for i, t in enumerate(CORPUS):  # one segment per document
        lex.add([i], [{"body": t}], alive)
    alive[5] = False
    before = lex.score_all(lex.query_terms("lung cancer"), alive)

    lex.merge(alive)
    after = lex.score_all(lex.query_terms("lung cancer"), alive)

    assert len(lex.segments) == 1
    assert after[5] == 0
    # df no longer counts the deleted document, so idf of "cancer" rises a little.
    assert after[1] > before[1]
