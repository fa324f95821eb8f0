"""Benchmark: the insights dashboard page (and its JSON endpoint) over the demo data.

    LUODI_SECRET_KEY=x LUODI_HTTPS=false LUODI_VAR_DIR=/tmp/insights-bench \
        .venv/bin/python bench/dashboard_bench.py [--rounds 50]

Sets up its own database in LUODI_VAR_DIR (migrate + demo data, if not there yet), then
requests the signed-in dashboard page (full render: every chart's table, the KPI cards) and
the JSON endpoint the charts draw from, as staff, a park partner and a viewer, through
Django's test client (no network, no browser). The acceptance goal is ≤ 500 ms p95 for the
dashboard page. Prints one JSON object as its last line.
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
    ap.add_argument("--rounds", type=int, default=50, help="requests per role and URL")
    args = ap.parse_args()

    if os.environ.get("LUODI_VAR_DIR"):
        Path(os.environ["LUODI_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from luodi import demo
    from luodi.accounts.models import User
    from luodi.pipeline.models import Project

    demo.load(io.StringIO())
    result: dict[str, object] = {
        "projects": Project.objects.count(),
        "rounds": args.rounds,
        "goal_p95_ms": 500,
    }
    worst = 0.0
    for username in ("staff", "park", "viewer"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        for name, url in (("page", "/insights/"), ("api", "/api/insights/charts")):
            assert client.get(url).status_code == 200, url  # warm-up, and a sanity check
            times = []
            for _i in range(args.rounds):
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            result[f"{username}_{name}_p50_ms"] = _pct(times, 0.5)
            result[f"{username}_{name}_p95_ms"] = _pct(times, 0.95)
            if name == "page":
                worst = max(worst, _pct(times, 0.95))
    result["dashboard_p95_ms"] = worst
    result["goal_met"] = worst <= 500
    print(json.dumps(result))


if __name__ == "__main__":
    main()
