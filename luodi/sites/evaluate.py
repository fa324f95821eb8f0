"""`luodi eval sites --history H.csv --trials T.csv [--run FILE] [--k 50]`.

Fits the site ranker on H, then ranks all known sites for every trial in T that has at least
one site present in H (its relevant set: those known sites; its own locations are used only
as ground truth, never by the ranker). Progress goes to stderr; the last stdout line is JSON:
{"trials", "sites", "recall@10", "recall@50", "map@50", "query_p50_ms"}.

Metrics are per trial, then averaged, computed on merged sites by `luodi.matching.metrics`
(trec_eval's recall_k and map_cut_50; the one implementation, checked against ir-measures).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Sequence
from typing import TextIO

from luodi.matching.metrics import average_precision, mean, recall_at
from luodi.matching.product import git_commit

from .ctgov_csv import Trial, read_trials
from .ranker import TUNED_ON, BaselineRanker, SiteRanker, planned_countries

__all__ = ["evaluate", "main", "relevant_sites", "write_run"]


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
    parser.add_argument(
        "--planned-countries",
        action="store_true",
        help="give the ranker each trial's countries (from its own sites, as its sponsor "
        "knew them when planning); default: unknown, as in a CT.gov export",
    )
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)

    history = read_trials(args.history)
    queries = read_trials(args.trials)
    if args.planned_countries:
        queries = [planned_countries(t) for t in queries]
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
    # Weights tuned on trials that started inside the tuning window would be measured on
    # their own tuning data: say how many query trials did.
    lo, hi = TUNED_ON
    report: dict[str, object] = dict(result)
    in_window = sum(1 for t in queries if t.start_date is None or t.start_date < hi)
    report["queries_in_tuning_window"] = in_window
    if in_window:
        print(
            f"warning: {in_window} query trials started before {hi}, inside or before the "
            "window the weights were tuned on; report trials that started later",
            file=sys.stderr,
        )
    report["config"] = {
        "method": args.method,
        "weights": ranker.weights
        if not isinstance(ranker, BaselineRanker)
        else {"pop": ranker.pop_weight},
        "tuned_on": {"history_before": lo.isoformat(), "queries_before": hi.isoformat()},
        "planned_countries": bool(args.planned_countries),
    }
    # The ranker is fitted on the history but learns nothing from labelled outcomes.
    report["learning"] = False
    report["commit"] = git_commit()
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
