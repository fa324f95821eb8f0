"""Time-based splits of the COVID CT.gov export for `luodi eval sites`, and weight tuning.

    python bench/sites_split.py [--out /tmp/luodi-sites-split]      # write the split CSVs
    python bench/sites_split.py --tune                               # tune on the dev split

Splits (by `Start Date`; rows are copied verbatim so the CSV format stays the original one):
  dev:  history = start < 2020-04-01, queries = 2020-04-01 <= start < 2020-04-20 (tuning)
  test: history = start < 2020-04-20, queries = start >= 2020-04-20 (held out, never tuned on)

Data is read from ../shared/data at run time and written outside the repository.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from luodi.sites.ctgov_csv import parse_date, read_trials

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ctgov"
SOURCE = DATA / "covid-trials-before-2020-06.csv"
DEV_CUT, TEST_CUT = date(2020, 4, 1), date(2020, 4, 20)
SPLITS = {
    "dev_history": (date.min, DEV_CUT),
    "dev_queries": (DEV_CUT, TEST_CUT),
    "test_history": (date.min, TEST_CUT),
    "test_queries": (TEST_CUT, date.max),
}


def write_splits(out: Path, source: Path = SOURCE) -> dict[str, int]:
    out.mkdir(parents=True, exist_ok=True)
    csv.field_size_limit(1 << 30)
    with open(source, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    col = header.index("Start Date")
    counts = {}
    for name, (lo, hi) in SPLITS.items():
        with open(out / f"{name}.csv", "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            n = 0
            for row in body:
                d = parse_date(row[col]) if len(row) > col else None
                if d is not None and lo <= d < hi:
                    writer.writerow(row)
                    n += 1
        counts[name] = n
    return counts


def tune(out: Path) -> dict[str, object]:
    """Weights of the full ranker and the baseline's popularity weight, on the dev split only."""
    import io

    from luodi.sites.evaluate import evaluate, relevant_sites
    from luodi.sites.ranker import DEFAULT_WEIGHTS, FEATURES, BaselineRanker, SiteRanker
    from luodi.sites.tune import GRID, coordinate_ascent

    history = read_trials(out / "dev_history.csv")
    queries = read_trials(out / "dev_queries.csv")
    ranker = SiteRanker().fit(history)
    data = []
    for t in queries:
        rel = relevant_sites(t, ranker)
        if rel:
            data.append((ranker.features(t), [ranker.sites.index[k] for k in rel]))
    print(f"tuning on {len(data)} dev queries", file=sys.stderr)
    weights = coordinate_ascent(data, FEATURES, DEFAULT_WEIGHTS)

    baseline = BaselineRanker().fit(history)
    best = (-1.0, 0.0)
    for pw in GRID:
        baseline.pop_weight = pw
        res = evaluate(baseline, queries, log=io.StringIO())
        best = max(best, (float(res["recall@10"]) + float(res["map@50"]), pw))
    return {"weights": weights, "baseline_pop_weight": best[1]}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=Path("/tmp/luodi-sites-split"))
    parser.add_argument("--tune", action="store_true")
    args = parser.parse_args()
    if not SOURCE.exists():
        print(f"missing {SOURCE}", file=sys.stderr)
        return 1
    counts = write_splits(args.out)
    print(json.dumps({"out": str(args.out), **counts}), file=sys.stderr)
    if args.tune:
        print(json.dumps(tune(args.out)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
