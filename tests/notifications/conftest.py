"""A local fake of the three group-robot services, answering real HTTP on 127.0.0.1.

It speaks like the real ones: paths as the official webhook addresses, JSON answers with
`errcode` (WeCom, DingTalk) or `code` (Feishu), and it checks DingTalk's and Feishu's
signatures by the documented algorithms, answering the services' own error codes when a
signature is wrong."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from luodi.accounts.models import MembershipRole
from tests.conftest import Personas
from tests.factories import MembershipFactory, UserFactory


@dataclass
class Received:
    path: str
    query: dict[str, str]
    body: dict[str, Any]
    headers: dict[str, str]


@dataclass
class FakeRobots:
    base: str
    received: list[Received] = field(default_factory=list)
    # Scripted answers, used in order; then 200 with code 0.
    answers: list[tuple[int, Any, dict[str, str]]] = field(default_factory=list)
    dingtalk_secret: str = ""
    feishu_secret: str = ""

    def wecom_url(self, key: str = "wk-1234567890") -> str:
        return f"{self.base}/cgi-bin/webhook/send?key={key}"

    def dingtalk_url(self, token: str = "dt-0123456789abcdef") -> str:
        return f"{self.base}/robot/send?access_token={token}"

    def feishu_url(self, token: str = "fs-5e3d587e-d78e-4a07") -> str:
        return f"{self.base}/open-apis/bot/v2/hook/{token}"

    def answer(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self.answers.append((status, body, headers or {}))


def _dingtalk_ok(robots: FakeRobots, query: dict[str, str]) -> bool:
    timestamp, sign = query.get("timestamp", ""), query.get("sign", "")
    string_to_sign = f"{timestamp}\n{robots.dingtalk_secret}".encode()
    key = robots.dingtalk_secret.encode()
    expected = base64.b64encode(hmac.new(key, string_to_sign, hashlib.sha256).digest()).decode()
    return bool(timestamp) and hmac.compare_digest(sign, expected)


def _feishu_ok(robots: FakeRobots, body: dict[str, Any]) -> bool:
    if not robots.feishu_secret:
        return True  # a robot without signature verification takes any request
    timestamp, sign = str(body.get("timestamp", "")), str(body.get("sign", ""))
    key = f"{timestamp}\n{robots.feishu_secret}".encode()
    expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    return bool(timestamp) and hmac.compare_digest(sign, expected)


def _handler(robots: FakeRobots) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            body = json.loads(raw.decode() or "{}")
            robots.received.append(Received(parts.path, query, body, dict(self.headers)))
            status, answer, headers = 200, {"errcode": 0, "errmsg": "ok"}, {}
            if parts.path.startswith("/open-apis/"):
                answer = {"code": 0, "msg": "success", "data": {}}
            if robots.answers:
                status, answer, headers = robots.answers.pop(0)
            elif parts.path.startswith("/robot/") and robots.dingtalk_secret:
                if not _dingtalk_ok(robots, query):
                    answer = {"errcode": 310000, "errmsg": "sign not match"}
            elif parts.path.startswith("/open-apis/") and not _feishu_ok(robots, body):
                answer = {"code": 19021, "msg": "sign match fail", "data": {}}
            data = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass  # keep the test output clean

    return Handler


@pytest.fixture
def robots() -> Iterator[FakeRobots]:
    robots = FakeRobots(base="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(robots))
    robots.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield robots
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(autouse=True)
def _local_robots_allowed(settings: Any) -> None:
    settings.LUODI_WEBHOOK_EXTRA_HOSTS = ["127.0.0.1"]


@pytest.fixture
def admin_a(personas: Personas) -> Any:
    """An admin of organization A (personas' partner_a is a plain member)."""
    user = UserFactory(username="admin_a")
    MembershipFactory(user=user, organization=personas.org_a, role=MembershipRole.ADMIN)
    return user
