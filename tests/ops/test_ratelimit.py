"""The public-form rate limit: atomic slots in the shared cache, keyed on the client address
with the login lockout's proxy trust."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory

from luodi.accounts.audit import client_ip
from luodi.accounts.models import AccountApplication, AuditEntry
from luodi.accounts.ratelimit import claim_slot, over_limit
from tests.conftest import Personas
from tests.ops.conftest import ROOT, child_env, database_url_for_children, redis_url_or_skip

NGINX = "10.0.0.2"  # REMOTE_ADDR of every request that came through the proxy

# Waits for "go" on stdin once Django is set up, so that every process hits at once.
CHILD = """
import sys, django
django.setup()
from luodi.accounts.ratelimit import claim_slot
name, limit, window, now, attempts = sys.argv[1:]
print("ready", flush=True)
sys.stdin.readline()
claim = dict(limit=int(limit), window=int(window), now=float(now))
print(sum(claim_slot(name, **claim) for _ in range(int(attempts))), flush=True)
"""


def _hammer(extra_env: dict[str, str], tmp_path: Path, *, processes: int, attempts: int) -> int:
    """Slots taken by `processes` processes making `attempts` claims each, all at once, for
    one name with a limit of 5 per hour."""
    name = f"test-{uuid.uuid4().hex}"
    args = [name, "5", "3600", str(time.time()), str(attempts)]
    env = child_env({"DJANGO_SETTINGS_MODULE": "luodi.settings", **extra_env}, tmp_path)
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, *args],
            env=env,
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    try:
        for child in children:
            assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        for child in children:
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        return sum(int(child.communicate(timeout=120)[0]) for child in children)
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()


@pytest.mark.django_db(transaction=True)
def test_limit_holds_across_processes_on_the_database_cache(tmp_path: Path) -> None:
    url = database_url_for_children(tmp_path)
    assert _hammer({"DATABASE_URL": url}, tmp_path, processes=4, attempts=8) == 5


def test_limit_holds_across_processes_on_redis(tmp_path: Path) -> None:
    redis_url = redis_url_or_skip()
    env = {"LUODI_REDIS_URL": redis_url, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    assert _hammer(env, tmp_path, processes=4, attempts=8) == 5


@pytest.fixture
def _empty_cache(db: None) -> None:
    cache.clear()


@pytest.mark.usefixtures("_empty_cache")
def test_slots_run_out_within_a_window_and_return_in_the_next() -> None:
    now = 1_000_000.0  # 277 windows of an hour after the epoch: [997200, 1000800)
    taken = [claim_slot("t", limit=3, window=3600, now=now + i) for i in range(10)]
    assert taken == [True] * 3 + [False] * 7
    assert claim_slot("t", limit=3, window=3600, now=1_000_800.0) is True
    assert claim_slot("other", limit=3, window=3600, now=now) is True


def _request(remote: str, forwarded: str | None = None) -> Any:
    meta: dict[str, Any] = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/apply/", **meta)


@pytest.fixture
def behind_one_proxy(settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """The proxy settings exactly as luodi/settings.py derives them from LUODI_PROXY_COUNT=1."""
    monkeypatch.setenv("LUODI_PROXY_COUNT", "1")
    spec = importlib.util.spec_from_file_location(
        "settings_behind_proxy", ROOT / "luodi/settings.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name in ("AXES_IPWARE_PROXY_COUNT", "AXES_IPWARE_META_PRECEDENCE_ORDER", "IPWARE_STRICT"):
        setattr(settings, name, getattr(module, name))


@pytest.mark.usefixtures("_empty_cache", "behind_one_proxy")
def test_behind_the_proxy_each_forwarded_client_has_its_own_bucket() -> None:
    first, second = _request(NGINX, "203.0.113.7"), _request(NGINX, "198.51.100.9")
    assert [over_limit(first, "t", limit=2, window=3600) for _ in range(3)] == [
        False,
        False,
        True,
    ]
    assert over_limit(second, "t", limit=2, window=3600) is False
    # What the client writes into the header itself comes before the proxy's entry and is
    # not believed: this is still the first client.
    forged = _request(NGINX, "192.0.2.1, 203.0.113.7")
    assert client_ip(forged) == "203.0.113.7"
    assert over_limit(forged, "t", limit=2, window=3600) is True


@pytest.mark.usefixtures("_empty_cache")
def test_without_the_proxy_setting_a_forged_header_changes_nothing() -> None:
    requests = [_request("203.0.113.50", f"198.51.100.{i}") for i in range(3)]
    assert {client_ip(r) for r in requests} == {"203.0.113.50"}
    assert [over_limit(r, "t", limit=2, window=3600) for r in requests] == [False, False, True]


@pytest.mark.usefixtures("_empty_cache", "behind_one_proxy")
def test_apply_form_limits_each_client_behind_the_proxy() -> None:
    client = Client(REMOTE_ADDR=NGINX)
    form = {
        "name": "王医生",
        "organization_name": "某某医院",
        "organization_kind": "hospital",
        "message": "发布临床需求",
    }
    for i in range(5):
        answer = client.post(
            "/apply/", {**form, "email": f"a{i}@example.org"}, HTTP_X_FORWARDED_FOR="203.0.113.7"
        )
        assert answer.status_code == 200
    blocked = client.post(
        "/apply/", {**form, "email": "a5@example.org"}, HTTP_X_FORWARDED_FOR="203.0.113.7"
    )
    other = client.post(
        "/apply/", {**form, "email": "b@example.org"}, HTTP_X_FORWARDED_FOR="198.51.100.9"
    )
    assert (blocked.status_code, other.status_code) == (429, 200)
    assert AccountApplication.objects.count() == 6


@pytest.mark.usefixtures("behind_one_proxy")
def test_login_lockout_and_audit_log_see_the_same_forwarded_client(
    personas: Personas, settings
) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    wrong = {"username": "partner_a", "password": "wrong-pass-1"}
    attacker, colleague = Client(REMOTE_ADDR=NGINX), Client(REMOTE_ADDR=NGINX)
    for _ in range(3):
        attacker.post("/accounts/login/", wrong, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert (
        attacker.post("/accounts/login/", wrong, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code
        == 429
    )
    # Another client behind the same proxy is not locked out with the attacker.
    assert (
        colleague.post("/accounts/login/", wrong, HTTP_X_FORWARDED_FOR="198.51.100.9").status_code
        == 200
    )
    failures = AuditEntry.objects.filter(verb="auth.login_failed").values_list("ip", flat=True)
    assert set(failures) == {"203.0.113.7", "198.51.100.9"}


def test_system_check_refuses_proxy_trust_without_ipware(
    settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from luodi.ops import checks

    settings.AXES_IPWARE_PROXY_COUNT = 0  # LUODI_PROXY_COUNT=1
    assert checks.proxy_trust() == []
    real = importlib.util.find_spec
    monkeypatch.setattr(
        checks.importlib.util, "find_spec", lambda name: None if name == "ipware" else real(name)
    )
    assert [error.id for error in checks.proxy_trust()] == ["luodi.E001"]
    settings.AXES_IPWARE_PROXY_COUNT = None  # no proxy: REMOTE_ADDR needs no ipware
    assert checks.proxy_trust() == []
