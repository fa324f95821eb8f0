"""`luodi eval sites --history H.csv --trials T.csv [--run FILE] [--k 50]`.

Fits the site ranker on H, then ranks all known sites for every trial in T that has at least
one site present in H (its relevant set: those known sites; its own locations are used only
as ground truth, never by the ranker). Progress goes to stderr; the last stdout line is JSON:
{"trials", "sites", "recall@10", "recall@50", "map@50", "query_p50_ms"}.

Metrics are per trial, then averaged: recall@k = |relevant in top k| / |relevant|; AP@50 as in
trec_eval's map_cut_50 (precision at each relevant hit in the top 50, divided by |relevant|),
computed on merged sites.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Sequence
from typing import TextIO

from .ctgov_csv import Trial, read_trials
from .ranker import BaselineRanker, SiteRanker

__all__ = ["average_precision", "evaluate", "main", "recall_at", "write_run"]


def recall_at(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranked[:k])) / len(relevant)


def average_precision(ranked: Sequence[str], relevant: set[str], k: int = 50) -> float:
    if not relevant:
        return 0.0
    hits, total = 0, 0.0
    for i, key in enumerate(ranked[:k], start=1):
        if key in relevant:
            hits += 1
            total += hits / i
    return total / len(relevant)


def relevant_sites(trial: Trial, ranker: SiteRanker) -> set[str]:
    """Ground truth: the trial's sites (merged keys) that exist in the history."""
    return {k for k in map(ranker.site_of, trial.locations) if k is not None}


def write_run(
    out: TextIO,
    nct_id: str,
    ranking: Sequence[tuple[str, float, object]],
    ranker: SiteRanker,
    tag: str,
) -> None:
    """TREC run lines; a merged site is written as each of its raw entries on consecutive
    lines with the same rank and score, so raw-entry qrels can be scored too."""
    for rank, (key, score, _) in enumerate(ranking, start=1):
        for entry in ranker.entries(key):
            doc = "_".join(entry.split())
            out.write(f"{nct_id} Q0 {doc} {rank} {score:.6f} {tag}\n")


def evaluate(
    ranker: SiteRanker,
    queries: Sequence[Trial],
    k: int = 50,
    run: TextIO | None = None,
    tag: str = "luodi-sites",
    log: TextIO = sys.stderr,
) -> dict[str, float | int]:
    r10: list[float] = []
    r50: list[float] = []
    aps: list[float] = []
    times: list[float] = []
    for n, trial in enumerate(queries, start=1):
        if n % 200 == 0:
            print(f"  {n}/{len(queries)} trials, {len(r10)} evaluated", file=log)
        relevant = relevant_sites(trial, ranker)
        if not relevant:
            continue
        t0 = time.perf_counter()
        ranking = ranker.rank(trial, k=max(k, 50))
        times.append((time.perf_counter() - t0) * 1000)
        keys = [key for key, _, _ in ranking]
        r10.append(recall_at(keys, relevant, 10))
        r50.append(recall_at(keys, relevant, 50))
        aps.append(average_precision(keys, relevant, 50))
        if run is not None:
            write_run(run, trial.nct_id, ranking[:k], ranker, tag)

    def mean(xs: list[float]) -> float:
        return round(statistics.fmean(xs), 4) if xs else 0.0

    return {
        "trials": len(r10),
        "sites": len(ranker.site_keys),
        "recall@10": mean(r10),
        "recall@50": mean(r50),
        "map@50": mean(aps),
        "query_p50_ms": round(statistics.median(times), 2) if times else 0.0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="luodi eval sites", description=__doc__.split("\n")[0])
    parser.add_argument("--history", required=True, help="CT.gov CSV export (old or current)")
    parser.add_argument("--trials", required=True, help="CT.gov CSV export of query trials")
    parser.add_argument("--run", help="write a TREC run (top k sites per trial) here")
    parser.add_argument("--k", type=int, default=50, help="sites per trial in the run")
    parser.add_argument(
        "--method", choices=["full", "baseline"], default="full", help="baseline: BM25+pop"
    )
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)

    history = read_trials(args.history)
    queries = read_trials(args.trials)
    query_ids = {t.nct_id for t in queries}
    # A query trial inside the history would leak its own sites; keep it out of the history.
    overlap = [t for t in history if t.nct_id in query_ids]
    if overlap:
        print(f"excluding {len(overlap)} query trials from the history", file=sys.stderr)
        history = [t for t in history if t.nct_id not in query_ids]
    t0 = time.perf_counter()
    ranker: SiteRanker = BaselineRanker() if args.method == "baseline" else SiteRanker()
    ranker.fit(history)
    print(
        f"history: {len(history)} trials, {len(ranker.site_keys)} sites "
        f"({sum(len(c) for c in ranker.sites.raw)} raw entries); "
        f"fit {time.perf_counter() - t0:.1f}s; {len(queries)} query trials",
        file=sys.stderr,
    )
    run = open(args.run, "w", encoding="utf-8") if args.run else None  # noqa: SIM115
    try:
        result = evaluate(ranker, queries, k=args.k, run=run, tag=f"luodi-sites-{args.method}")
    finally:
        if run is not None:
            run.close()
    print(
        f"{result['trials']} of {len(queries)} query trials have a site known in the history",
        file=sys.stderr,
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
