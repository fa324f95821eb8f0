"""How processes start: the cache table comes with `migrate`, and `luodi serve` runs gunicorn
whose workers load their search index in a hook before serving, with no extra thread."""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection

from luodi import gunicorn_conf
from luodi.retrieval import generations
from luodi.retrieval.indexing import rebuild_all
from luodi.retrieval.kinds import KINDS
from luodi.search import service
from tests.conftest import Personas
from tests.factories import AchievementFactory
from tests.ops.conftest import ROOT, child_env, run_luodi


@pytest.mark.django_db(transaction=True)
def test_migrate_creates_the_cache_table(settings) -> None:  # type: ignore[no-untyped-def]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "luodi_cache",
        }
    }
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE luodi_cache")
    try:
        call_command("migrate", verbosity=0)
        assert "luodi_cache" in connection.introspection.table_names()
    finally:
        call_command("createcachetable", verbosity=0)


class _Worker:
    """What the hook uses of a gunicorn worker."""

    log = logging.getLogger("tests.gunicorn.worker")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("fresh_search_index")
def test_post_worker_init_loads_the_search_index(personas: Personas) -> None:
    AchievementFactory(title_zh="预热检索测试支架", title_en="")
    rebuild_all()  # the worker's build
    generations.forget()  # a new gunicorn worker has loaded nothing
    gunicorn_conf.post_worker_init(_Worker())
    assert set(generations._loaded) == set(KINDS)
    assert service.search(personas.staff, "预热检索").total == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("fresh_search_index")
def test_post_worker_init_logs_a_failed_load_and_lets_the_worker_start(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def database_away() -> None:
        raise OperationalError("could not connect to server")

    from luodi.search import index

    monkeypatch.setattr(index, "warm", database_away)
    gunicorn_conf.post_worker_init(_Worker())  # does not raise: gunicorn would halt
    assert "warm-up failed" in caplog.text


def test_a_worker_past_its_memory_bound_is_replaced_after_its_request(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from luodi.search import index

    monkeypatch.setattr(index, "warm", dict)  # loading is the test above's concern
    caplog.set_level(logging.INFO, logger=_Worker.log.name)
    monkeypatch.setenv("LUODI_WORKER_MAX_MB", "500")
    held = {"mb": 300.0}
    monkeypatch.setattr(gunicorn_conf, "anonymous_mb", lambda: held["mb"])
    worker = _Worker()
    worker.alive = True
    gunicorn_conf.post_worker_init(worker)
    held["mb"] = 480.0
    gunicorn_conf.post_request(worker, None, {}, None)
    assert worker.alive  # under the bound: keeps serving
    held["mb"] = 520.0
    gunicorn_conf.post_request(worker, None, {}, None)
    assert not worker.alive  # gunicorn ends it after this request and starts a fresh one
    assert "replaced after this request" in caplog.text

    # Indexes that alone pass the bound: recycling could only loop, so it keeps serving.
    held["mb"] = 700.0
    loaded = _Worker()
    loaded.alive = True
    gunicorn_conf.post_worker_init(loaded)
    assert "above LUODI_WORKER_MAX_MB=500" in caplog.text
    held["mb"] = 900.0
    gunicorn_conf.post_request(loaded, None, {}, None)
    assert loaded.alive


def test_the_memory_bound_reads_this_process_heap() -> None:
    before = gunicorn_conf.anonymous_mb()
    assert before is not None and before > 0
    ballast = bytearray(64 * 2**20)  # 64 MB written: anonymous, resident
    ballast[::4096] = b"x" * len(ballast[::4096])
    after = gunicorn_conf.anonymous_mb()
    assert after is not None and after - before > 50
    del ballast


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _threads(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("Threads")))


def test_luodi_serve_workers_are_ready_and_run_one_thread(tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        # numpy's OpenBLAS keeps a native pool of one thread per extra core; with it at one
        # thread, any other thread in a worker would be one that Luodi started.
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "LUODI_MATCH_ENCODER": "none",
    }
    run_luodi(["migrate", "-v0"], env, tmp_path)
    run_luodi(["refresh_indexes", "--full"], env, tmp_path)  # what the worker does first
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "luodi.cli", "serve", "--port", str(port), "--workers", "2"],
        env=child_env(env, tmp_path),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        status, body = 0, b""
        while time.monotonic() < deadline and status != 200:
            time.sleep(0.5)
            try:
                status, body = _get(f"http://127.0.0.1:{port}/healthz")
            except OSError:
                assert server.poll() is None, "luodi serve exited"
        assert status == 200, body
        workers = [
            int(pid)
            for pid in Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        ]
        assert len(workers) == 2
        assert [_threads(pid) for pid in workers] == [1, 1]
        # A pasted abstract (600 Chinese characters) reaches Django, which answers it (here
        # the API's 401 for a caller without credentials); it used to be gunicorn's bare 414.
        abstract = urllib.parse.quote("胰腺癌靶向药物研究摘要" * 60)
        long_status, long_body = _get(f"http://127.0.0.1:{port}/api/search/?q={abstract}")
        assert long_status == 401 and b'"error"' in long_body
    finally:
        server.terminate()
        log = server.communicate(timeout=60)[0]
    assert '"GET /healthz HTTP/1.1" 200' in log  # the access log of gunicorn_conf
    assert "warm-up failed" not in log
