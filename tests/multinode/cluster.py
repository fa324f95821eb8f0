"""A small Luodi installation of several machines, for the multi-node tests: one PostgreSQL
database, Redis, an S3 server (moto), two app processes and job workers, each process with
its own LUODI_VAR_DIR as if it ran on its own machine. Everything is driven from outside,
through HTTP, the `luodi` command and SQL, as an operator would see it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import psycopg
import requests

ROOT = Path(__file__).resolve().parents[2]
LUODI = str(Path(sys.executable).with_name("luodi"))
PG_ADMIN = os.environ.get("LUODI_MULTINODE_PG", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("LUODI_MULTINODE_REDIS", "redis://127.0.0.1:6379/7")
DB_NAME = "luodi_multinode"
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(what: str, check: Callable[[], T | None], timeout: float, every: float = 0.2) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def signal(self, sig: int, group: bool = False) -> None:
        if self.popen.poll() is None:
            if group:
                os.killpg(self.popen.pid, sig)
            else:
                self.popen.send_signal(sig)

    def stop(self, timeout: float = 30) -> int | None:
        self.signal(signal.SIGTERM)
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL, group=True)
            self.popen.wait(10)
            return None

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@dataclass
class Cluster:
    base: Path
    env: dict[str, str]
    apps: dict[str, str] = field(default_factory=dict)  # name -> base URL
    procs: dict[str, Proc] = field(default_factory=dict)
    token: str = ""

    # -- processes -----------------------------------------------------------------------
    def _env(self, name: str) -> dict[str, str]:
        var = self.base / name
        var.mkdir(parents=True, exist_ok=True)
        return {**self.env, "LUODI_VAR_DIR": str(var)}

    def luodi(self, *args: str, machine: str = "admin", timeout: float = 300) -> str:
        done = subprocess.run(
            [LUODI, *args],
            env=self._env(machine),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise AssertionError(f"luodi {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def shell(self, code: str, machine: str = "admin") -> Any:
        """Run `code` in `luodi shell` on `machine`; its last printed line, as JSON."""
        out = self.luodi("shell", "-c", code, machine=machine)
        return json.loads(out.strip().splitlines()[-1])

    def start(self, name: str, *args: str) -> Proc:
        log = self.base / f"{name}.log"
        popen = subprocess.Popen(
            [LUODI, *args],
            env=self._env(name),
            cwd=ROOT,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: SIGKILL takes the whole machine
        )
        proc = Proc(name, popen, log)
        self.procs[name] = proc
        return proc

    def start_app(self, name: str) -> str:
        # Static files are collected per machine, as an operator's deploy script does.
        self.luodi("collectstatic", "--noinput", "-v0", machine=name)
        port = free_port()
        proc = self.start(name, "serve", "--host", "127.0.0.1", "--port", str(port))
        url = f"http://127.0.0.1:{port}"

        def live() -> bool:
            if proc.popen.poll() is not None:
                raise AssertionError(f"{name} exited:\n{proc.tail()}")
            try:
                return requests.get(f"{url}/healthz", timeout=2).status_code == 200
            except requests.RequestException:
                return False

        wait_for(f"{name} to be ready", live, timeout=90, every=0.5)
        self.apps[name] = url
        return url

    def start_worker(self, name: str) -> Proc:
        proc = self.start(name, "worker")

        def started() -> bool:
            if proc.popen.poll() is not None:
                raise AssertionError(f"{name} exited:\n{proc.tail()}")
            return "luodi worker:" in proc.log.read_text(errors="replace")

        wait_for(f"{name} to start", started, timeout=60)
        return proc

    # -- HTTP ----------------------------------------------------------------------------
    def api(self, app: str, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return requests.request(
            method, f"{self.apps[app]}/api{path}", headers=headers, timeout=60, **kwargs
        )

    # -- SQL -----------------------------------------------------------------------------
    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.env["DATABASE_URL"], autocommit=True) as conn:
            return conn.execute(query, params).fetchall()

    def jobs_idle(self) -> bool:
        """No queued job, no waiting index row."""
        queued = self.sql("SELECT count(*) FROM django_q_ormq")[0][0]
        waiting = self.sql("SELECT count(*) FROM retrieval_indexrequest WHERE done_at IS NULL")
        return queued == 0 and waiting[0][0] == 0


def services_missing() -> str:
    """Why the multi-node tests cannot run here ("" when they can)."""
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            pass
    except psycopg.Error as exc:
        return f"PostgreSQL at {PG_ADMIN} is not reachable ({exc.__class__.__name__})"
    try:
        import redis

        redis.Redis.from_url(REDIS, socket_connect_timeout=3).ping()
    except Exception as exc:
        return f"Redis at {REDIS} is not reachable ({exc.__class__.__name__})"
    return ""


@contextmanager
def s3_server() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def fresh_database() -> str:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{DB_NAME}"


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS).flushdb()
