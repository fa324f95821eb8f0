"""Fixtures for the operations tests: child processes that talk to the same database or Redis
as the test, and a probe for the Redis server at 127.0.0.1:6379."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from luodi.retrieval import generations

ROOT = Path(__file__).resolve().parents[2]
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


@pytest.fixture
def fresh_search_index(settings: Any, tmp_path: Path) -> Iterator[None]:
    """Indexes of this test only: its own storage, nothing loaded in the process before or
    after it."""
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MATCHMAKING_ENCODER = "none"
    generations.forget()
    yield
    generations.forget()


def redis_url_or_skip(db: int = 0) -> str:
    """The Redis at 127.0.0.1:6379; skip (with the reason) when it is not there, except in
    CI, where a skipped Redis test would hide a failure."""
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=1):
            pass
    except OSError as exc:
        reason = f"no Redis at {REDIS_HOST}:{REDIS_PORT} ({exc})"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}; CI=true needs it")
        pytest.skip(reason)
    return f"redis://{REDIS_HOST}:{REDIS_PORT}/{db}"


def database_url_for_children(tmp_path: Path) -> str:
    """A database URL other processes can open: the test database itself on PostgreSQL; on
    SQLite (whose test database lives in memory) a new file with only the cache table."""
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        user = settings["USER"] or ""
        password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
        host = settings["HOST"] or "127.0.0.1"
        port = settings["PORT"] or 5432
        return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    run_luodi(["createcachetable"], {"DATABASE_URL": url}, tmp_path)
    return url


def child_env(extra: dict[str, str], tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LUODI_", "DATABASE_URL"))}
    return env | {
        "LUODI_SECRET_KEY": "ops-test-secret-key",
        "LUODI_VAR_DIR": str(tmp_path / "var"),
        "LUODI_HTTPS": "false",
        "PYTHONPATH": str(ROOT),
        **extra,
    }


def run_luodi(args: list[str], extra: dict[str, str], tmp_path: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "luodi.cli", *args],
        env=child_env(extra, tmp_path),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout
