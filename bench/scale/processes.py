"""Phase 2, build (the product's rebuild and publish per kind), and phase 3, ready: fresh
processes that start like a gunicorn worker, and one per kind."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.scale.common import ENTRY, T_TOP, Timers, private_mb, proc_status, rss_mb


def build_all() -> dict[str, Any]:
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from luodi.retrieval import indexing
    from luodi.retrieval.kinds import KINDS
    from luodi.retrieval.models import IndexGeneration

    out: dict[str, Any] = {}
    for kind in KINDS:
        started_at = timezone.now()
        wall, cpu = time.perf_counter(), time.process_time()
        docs = indexing.rebuild_all(kinds=[kind])[kind]
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        gens = list(IndexGeneration.objects.filter(kind=kind).order_by("version"))
        out[kind] = {
            "documents": docs,
            "s": round(wall, 1),
            "cpu_s": round(cpu, 1),
            # The first generation (words only for the dense kinds) is searchable from then.
            "first_generation_s": round((gens[0].created_at - started_at).total_seconds(), 1),
            "generations": [
                {
                    "version": g.version,
                    "encoder": g.encoder or "lexical",
                    "mb": round(default_storage.size(g.path) / 2**20, 1),
                }
                for g in gens
            ],
        }
    return out


def child_ready(args: argparse.Namespace) -> dict[str, Any]:
    """In a fresh process: django.setup, the WSGI application, warm(), as a gunicorn worker
    does; with `--first-requests`, then one search and one match page."""
    spawned = float(os.environ.get("BENCH_SPAWN_T", T_TOP))
    out: dict[str, Any] = {"interpreter_s": round(T_TOP - spawned, 2), "rss_start_mb": rss_mb()}
    t = time.perf_counter()
    import django

    django.setup()
    from django.core.wsgi import get_wsgi_application

    get_wsgi_application()
    out["django_setup_s"] = round(time.perf_counter() - t, 2)
    out["rss_django_mb"] = rss_mb()
    from luodi.retrieval import generations
    from luodi.search.index import warm

    timers = Timers()
    timers.wrap(generations, "_fetch")
    t = time.perf_counter()
    ready = warm()
    out["warm_s"] = round(time.perf_counter() - t, 2)
    out |= {f"warm_{k}": v for k, v in timers.take().items()}
    out["kinds_ready"] = sorted(k for k, v in ready.items() if v)
    out["ready_after_spawn_s"] = round(time.time() - spawned, 2)
    # CPU seconds of this process until then (interpreter included): its wall time on an
    # idle core, whatever else the machine runs.
    out["ready_cpu_s"] = round(time.process_time(), 2)
    out["rss_ready_mb"] = rss_mb()
    out["index_mb"] = round(out["rss_ready_mb"] - out["rss_django_mb"], 1)
    out |= {f"ready_{k}": v for k, v in private_mb().items()}
    if args.first_requests:
        # What warm() leaves to the first requests: the URLconf (imported on the first
        # request), the segmenter's dictionary (loaded on the first tokenization).
        from django.urls import get_resolver

        from luodi.accounts.models import User
        from luodi.catalog.models import Organization
        from luodi.matchmaking import queries
        from luodi.search.index import SearchIndex
        from luodi.search.service import search

        t = time.perf_counter()
        get_resolver().url_patterns  # noqa: B018 - the import is what is timed
        out["urlconf_s"] = round(time.perf_counter() - t, 2)
        out["rss_urlconf_mb"] = rss_mb()
        index = SearchIndex.current()
        t = time.perf_counter()
        if index is not None:
            index.tokenizer.tokenize("肺癌靶向药物 inhibitor")
        out["tokenizer_first_use_s"] = round(time.perf_counter() - t, 2)
        out["rss_tokenizer_mb"] = rss_mb()
        t = time.perf_counter()
        for backend in index.backends.values() if index is not None else ():
            backend.search("cancer", k=1, mode="lexical", filters={"archived": False})
        out["filter_indexes_s"] = round(time.perf_counter() - t, 2)  # built on first use
        out["rss_filter_indexes_mb"] = rss_mb()
        staff = User.objects.get(username="bench-staff")
        t = time.perf_counter()
        search(staff, "肺癌 inhibitor")
        out["first_search_ms"] = round((time.perf_counter() - t) * 1000, 1)
        t = time.perf_counter()
        search(staff, "pancreatc")  # a typo: builds the spelling dictionary
        out["first_typo_search_ms"] = round((time.perf_counter() - t) * 1000, 1)
        park = Organization.objects.filter(kind="park", status="published").first()
        if park is not None:
            t = time.perf_counter()
            source = queries.load_source(staff, "organization", park.pk)
            queries.matches(staff, source, "achievement")
            out["first_match_ms"] = round((time.perf_counter() - t) * 1000, 1)
        out["rss_after_first_requests_mb"] = rss_mb()
        out["first_requests_done_after_spawn_s"] = round(time.time() - spawned, 2)
        out |= {f"after_first_requests_{k}": v for k, v in private_mb().items()}
    out["rss_peak_mb"] = proc_status("VmHWM")
    return out


def child_kind(kind: str) -> dict[str, Any]:
    """One kind alone in a fresh process: load time, RSS growth, what its arrays hold, and
    what its first filtered search adds (the filter index is built on first use)."""
    import django

    django.setup()
    from luodi.retrieval.engine import get_engine

    engine = get_engine()
    engine.loaded("carrier" if kind != "carrier" else "trial")  # the shared tokenizer, etc.
    before, t = rss_mb(), time.perf_counter()
    loaded = engine.loaded(kind)
    took = time.perf_counter() - t
    if loaded is None:
        return {}
    index = loaded.index
    _meta, arrays = index.lexical.state()
    dense = index.dense.state() if index.dense is not None else {}
    lexical_mb = sum(a.nbytes for a in arrays.values()) / 2**20
    dense_mb = sum(a.nbytes for a in dense.values()) / 2**20
    grown = rss_mb() - before
    t = time.perf_counter()
    index.search("cancer", k=1, mode="lexical", filters={"archived": False})
    return {
        "documents": len(index),
        "segments": len(index.lexical.segments),
        "load_s": round(took, 2),
        "rss_growth_mb": round(grown, 1),
        "lexical_arrays_mb": round(lexical_mb, 1),
        "dense_arrays_mb": round(dense_mb, 1),
        "python_objects_mb": round(grown - lexical_mb - dense_mb, 1),
        "first_filtered_search_s": round(time.perf_counter() - t, 2),
        "rss_after_filter_index_mb": round(rss_mb() - before, 1),
        "vocabulary": len(index.lexical.vocab),
        "spelling_words": len(loaded.state.spelling),
    }


def spawn(args: argparse.Namespace, mode: str, *extra: str, **popen: Any) -> subprocess.Popen[str]:
    env = dict(os.environ, BENCH_SPAWN_T=repr(time.time()))
    cmd = [sys.executable, str(ENTRY), "--child", mode, *extra]
    if args.profile:
        cmd += ["--profile", ",".join(sorted(args.profile))]
    return subprocess.Popen(cmd, env=env, text=True, **popen)


def run_child(args: argparse.Namespace, mode: str, *extra: str) -> dict[str, Any]:
    proc = spawn(args, mode, *extra, stdout=subprocess.PIPE)
    stdout, _ = proc.communicate(timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(f"child {mode} failed ({proc.returncode})")
    return json.loads(stdout.strip().splitlines()[-1])


def ready_phase(args: argparse.Namespace) -> dict[str, Any]:
    var = Path(os.environ["LUODI_VAR_DIR"])
    shutil.rmtree(var / "index-cache", ignore_errors=True)  # this machine has no copy yet
    from luodi.retrieval.kinds import KINDS

    first = run_child(args, "ready")
    second = run_child(args, "ready", "--first-requests")
    kinds = {kind: run_child(args, "kind", "--kind", kind) for kind in KINDS}
    for kind, out in kinds.items():
        out["on_disk_mb"] = _disk_mb(var / "index-cache" / kind)  # this machine's copy
    return {"first_process_on_machine": first, "next_worker": second, "per_kind": kinds}


def _disk_mb(folder: Path) -> float:
    """Size of the files under `folder` (the extracted generations a machine keeps)."""
    return round(sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20, 1)
