"""Helpers every phase uses: timing samples, percentiles, memory of this process, the load
average, profiling, and timers wrapped around product functions (instrumentation only)."""

from __future__ import annotations

import contextlib
import cProfile
import os
import pstats
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

T_TOP = time.time()  # when this interpreter reached the bench (for the child processes)

ROOT = Path(__file__).resolve().parents[2]
ENTRY = ROOT / "bench" / "retrieval_scale_bench.py"  # what child processes run
BATCH = 2000  # rows per bulk_create
GOALS = {"org_match_p95_ms": 300, "search_p95_ms": 100, "ready_s": 5.0, "staleness_s": 5.0}


def _pct(values: Sequence[float], q: float) -> float:
    s = sorted(values)
    return round(s[min(len(s) - 1, round(q * (len(s) - 1)))], 1) if s else 0.0


def _stats(values: Sequence[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50_ms": _pct(values, 0.5),
        "p95_ms": _pct(values, 0.95),
        "max_ms": round(max(values), 1) if values else 0.0,
    }


class Sample:
    """Wall and CPU milliseconds of timed calls. The machine is shared: CPU time (this
    process, all its threads) is what a quiet machine would show as wall time for this
    single-threaded work, so both are reported."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    @contextlib.contextmanager
    def timed(self) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.wall.append((time.perf_counter() - wall) * 1000)
            self.cpu.append((time.process_time() - cpu) * 1000)

    def extend(self, other: Sample) -> None:
        self.wall += other.wall
        self.cpu += other.cpu

    def stats(self) -> dict[str, float]:
        return _stats(self.wall) | {
            "cpu_p50_ms": _pct(self.cpu, 0.5),
            "cpu_p95_ms": _pct(self.cpu, 0.95),
        }


def proc_status(key: str) -> float:
    """A /proc/self/status memory line (VmRSS, VmHWM) in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def rss_mb() -> float:
    return proc_status("VmRSS")


def load_avg() -> float:
    return round(os.getloadavg()[0], 2)


def private_mb() -> dict[str, float]:
    """Proportional and private (unshared) memory of this process, MB: what a worker costs
    beyond what it shares with its siblings (code pages, copy-on-write after a fork)."""
    out = {"pss_mb": 0.0, "private_mb": 0.0}
    try:
        text = Path("/proc/self/smaps_rollup").read_text()
    except OSError:
        return out
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        kb = int(rest.split()[0]) if rest.split() and rest.split()[0].isdigit() else 0
        if key == "Pss":
            out["pss_mb"] = round(kb / 1024, 1)
        elif key in ("Private_Clean", "Private_Dirty"):
            out["private_mb"] = round(out["private_mb"] + kb / 1024, 1)
    return out


@contextlib.contextmanager
def profiled(name: str, wanted: set[str], out: dict[str, str]) -> Iterator[None]:
    if name not in wanted:
        yield
        return
    prof = cProfile.Profile()
    prof.enable()
    try:
        yield
    finally:
        prof.disable()
        path = Path(os.environ["LUODI_VAR_DIR"]) / f"profile-{name}.txt"
        with path.open("w") as fh:
            stats = pstats.Stats(prof, stream=fh)
            stats.sort_stats("cumulative").print_stats(60)
            stats.sort_stats("tottime").print_stats(40)
        out[name] = str(path)


class Timers:
    """Durations of product functions, by wrapping them (instrumentation only)."""

    def __init__(self) -> None:
        self.calls: dict[str, list[float]] = {}
        self.originals: list[tuple[Any, str, Any]] = []

    def wrap(self, module: Any, name: str) -> None:
        original = getattr(module, name)
        self.originals.append((module, name, original))

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.calls.setdefault(name, []).append(time.perf_counter() - started)

        setattr(module, name, timed)

    def take(self) -> dict[str, float]:
        out = {f"{k.strip('_')}_s": round(sum(v), 3) for k, v in self.calls.items()}
        self.calls = {}
        return out

    def restore(self) -> None:
        for module, name, original in reversed(self.originals):
            setattr(module, name, original)
        self.originals = []
