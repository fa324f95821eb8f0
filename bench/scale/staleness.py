"""Phase 5, staleness: an edit, the index job, and a serving process that searches for the
new word until it finds it."""

from __future__ import annotations

import argparse
import json
import random
import select
import subprocess
import sys
import time
from typing import Any

from bench.scale.common import Timers, proc_status, profiled, rss_mb
from bench.scale.processes import run_child, spawn


def child_watch() -> None:
    """Serve like a worker: load every kind, then for each "WORD PK" line on stdin search
    for WORD as staff until achievement PK shows; report when."""
    import django

    django.setup()
    from luodi.accounts.models import User
    from luodi.retrieval import generations
    from luodi.retrieval.engine import get_engine
    from luodi.search.index import warm
    from luodi.search.service import search

    timers = Timers()
    timers.wrap(generations, "load")
    timers.wrap(generations, "_advance")  # replaying deltas on a copy of what it holds
    staff = User.objects.get(username="bench-staff")
    warm()
    search(staff, "pancreatc")  # builds the typo dictionary, as a serving worker has
    timers.take()
    print("READY", flush=True)
    for line in sys.stdin:
        word, pk_text = line.split()
        pk = int(pk_text)
        loaded = get_engine().loaded("achievement")
        before = loaded.version if loaded else -1
        polls, deadline = 0, time.time() + 300
        found_at, call_ms = 0.0, 0.0
        while time.time() < deadline:
            polls += 1
            t = time.perf_counter()
            res = search(staff, word, kinds=["achievements"])
            if any(item.pk == pk for item in res.items):
                call_ms = (time.perf_counter() - t) * 1000
                found_at = time.time()
                break
            time.sleep(0.02)
        loaded = get_engine().loaded("achievement")
        report = {
            "found_at": found_at,
            "reader_rss_mb": rss_mb(),
            "reader_peak_rss_mb": proc_status("VmHWM"),
            "polls": polls,
            "found_call_ms": round(call_ms, 1),
            "version_before": before,
            "version_after": loaded.version if loaded else -1,
            **timers.take(),
        }
        print(json.dumps(report), flush=True)


def child_sync() -> dict[str, Any]:
    """A worker process that just started runs the index job."""
    import django

    django.setup()
    from luodi.retrieval import generations, indexing

    timers = Timers()
    for name in ("load", "publish", "publish_change"):
        timers.wrap(generations, name)
    started = time.time()
    t = time.perf_counter()
    touched = indexing.sync_index("achievement")
    return {
        "job_s": round(time.perf_counter() - t, 2),
        "touched": touched,
        "started_at": started,
        "ended_at": time.time(),
        **timers.take(),
    }


def _read_line(proc: subprocess.Popen[str], timeout: float) -> str:
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    if not ready:
        raise TimeoutError("the watching process did not answer")
    return proc.stdout.readline().strip()


def staleness_phase(args: argparse.Namespace, notes: dict[str, str]) -> dict[str, Any]:
    from django.conf import settings
    from django.core.files.storage import default_storage
    from django.db import transaction

    from luodi.catalog.models import Achievement
    from luodi.retrieval import generations, indexing

    rng = random.Random(args.seed + 7)
    timers = Timers()
    for name in ("load", "publish", "publish_change"):
        timers.wrap(generations, name)
    targets = list(
        Achievement.objects.filter(
            status="published", disclosure="public", archived_at__isnull=True
        )
        .exclude(title_en="")
        .order_by("?")[: args.edits + 1]
    )
    watcher = spawn(args, "watch", stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert watcher.stdin is not None
    edits = []
    try:
        line = _read_line(watcher, 600)
        assert line == "READY", line
        for n, target in enumerate(targets):
            cold = n == len(targets) - 1  # the last edit: a worker process that just started
            word = "q" + "".join(rng.choice("bcdfghjklmnprstvwxz") for _ in range(9))
            watcher.stdin.write(f"{word} {target.pk}\n")
            watcher.stdin.flush()
            time.sleep(0.5)
            with transaction.atomic():
                a = Achievement.objects.get(pk=target.pk)
                a.title_en = f"{a.title_en} {word}"[:255]
                a.save(update_fields=["title_en", "updated_at"])
            committed = time.time()
            if cold:
                job = run_child(args, "sync")
                started, ended = job.pop("started_at"), job.pop("ended_at")
            else:
                started = time.time()
                t = time.perf_counter()
                with profiled("sync", args.profile if n == 0 else set(), notes):
                    touched = indexing.sync_index("achievement")
                job = {"job_s": round(time.perf_counter() - t, 2), "touched": touched}
                job |= timers.take()
                ended = time.time()
            report = json.loads(_read_line(watcher, 600))
            gen = generations.newest("achievement")
            edits.append(
                {
                    "worker": "fresh process" if cold else "holding the generation",
                    **job,
                    "visible_after_job_s": round(report["found_at"] - ended, 2),
                    "visible_after_job_start_s": round(report["found_at"] - started, 2),
                    "visible_after_commit_s": round(report["found_at"] - committed, 2),
                    "reader_load_s": report.get("load_s"),
                    "reader_replay_s": report.get("advance_s"),
                    "reader_found_call_ms": report["found_call_ms"],
                    "reader_rss_mb": report["reader_rss_mb"],
                    "reader_peak_rss_mb": report["reader_peak_rss_mb"],
                    "versions": [report["version_before"], report["version_after"]],
                    "generation_mb": round(default_storage.size(gen.path) / 2**20, 1)
                    if gen
                    else None,
                }
            )
    finally:
        watcher.stdin.close()
        watcher.wait(timeout=60)
    warm = [e for e in edits if e["worker"] != "fresh process"] or edits

    def most(key: str, among: list[dict[str, Any]]) -> float:
        return max(e[key] for e in among)

    return {
        "check_seconds": float(settings.LUODI_INDEX_CHECK_SECONDS),
        "edits": edits,
        "job_s_max": most("job_s", edits),
        "visible_after_job_s_max": most("visible_after_job_s", edits),
        # The goal's measure: from the job's start (in whichever process runs it) until a
        # process serving the previous generation finds the change.
        "visible_after_job_start_s_max": most("visible_after_job_start_s", edits),
        "visible_after_job_start_s_max_warm_job": most("visible_after_job_start_s", warm),
        "visible_after_commit_s_max": most("visible_after_commit_s", edits),
    }
