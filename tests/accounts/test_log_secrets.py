"""Feed tokens, ticket codes and reset links never reach the access log or Django's log."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from gunicorn.config import Config

from luodi.logfilters import SECRET_URL_PARAMETERS, GunicornLogger, MaskSecrets, mask
from tests.conftest import Personas, client_for

SECRET = "Zx9SeCrEt4QwLmN0pQ7rSt2U"  # as long as a real token (24)


@pytest.mark.parametrize(
    "line",
    [
        f"GET /engagements/feed/{SECRET}.ics HTTP/1.1",
        f"GET /projects/calendar/{SECRET}.ics HTTP/1.1",
        f"GET /public/events/12/ticket/{SECRET}/ HTTP/1.1",
        f"https://luodi.example.org/public/events/12/ticket/{SECRET}/qr.svg",
        f"GET /accounts/reset/MTI/{SECRET}/ HTTP/1.1",
        f"GET /credentials/ticket/7/{SECRET}/certificate.pdf HTTP/1.1",
        f"GET /credentials/verify/{SECRET}/ HTTP/1.1",
        f"GET /engagements/events/3/checkin/?q=&code={SECRET} HTTP/1.1",
        f"GET /x/?Token={SECRET}&page=2",
        f"code={SECRET}",
        "GET /import/AbCdEfGhIjKlMnOpQrStUvWx/run/ HTTP/1.1".replace("AbCdEfGhIjKlMnOp", SECRET),
    ],
)
def test_mask_hides_every_kind_of_secret(line: str) -> None:
    masked = mask(line)
    assert SECRET not in masked
    assert "***" in masked


def test_mask_leaves_ordinary_lines_alone() -> None:
    for line in [
        "GET /catalog/people/12/?q=code&page=2 HTTP/1.1",
        "GET /import/ctgov/ HTTP/1.1",
        "GET /import/runs/12/ HTTP/1.1",
    ]:
        assert mask(line) == line
    assert (
        mask("POST /engagements/feed/reset/ HTTP/1.1") == "POST /engagements/feed/reset/ HTTP/1.1"
    )


def _patterns(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, route)
        else:
            yield route, entry


def test_every_route_with_a_secret_parameter_is_masked() -> None:
    # A new route with a token or code in its path must be added to luodi/logfilters.py.
    checked = 0
    for route, entry in _patterns(get_resolver()):
        names = set(entry.pattern.converters)  # type: ignore[attr-defined]
        if not names & SECRET_URL_PARAMETERS:
            continue
        path = "/" + route
        for name in entry.pattern.converters:  # type: ignore[attr-defined]
            value = SECRET if name in SECRET_URL_PARAMETERS else "7"
            path = path.replace(f"<str:{name}>", value).replace(f"<int:{name}>", value)
            path = path.replace(f"<{name}>", value)
        assert SECRET not in mask(f"GET {path} HTTP/1.1"), route
        checked += 1
    assert checked >= 7  # feeds (2), tickets (2), reset link, pending imports (2)


def test_gunicorn_access_log_masks_the_request_line_and_referer(tmp_path: Path) -> None:
    cfg = Config()
    cfg.set("accesslog", str(tmp_path / "access.log"))
    cfg.set("access_log_format", '%(h)s "%(r)s" %(s)s "%(f)s" %(U)s %(q)s')
    logger = GunicornLogger(cfg)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/public/events/3/ticket/{SECRET}/qr.svg?code={SECRET}",
        "PATH_INFO": f"/public/events/3/ticket/{SECRET}/qr.svg",
        "QUERY_STRING": f"code={SECRET}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_REFERER": f"https://luodi.example.org/engagements/feed/{SECRET}.ics",
    }
    resp = SimpleNamespace(status="200 OK", sent=10, headers=[])
    req = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])

    logger.access(resp, req, environ, timedelta(milliseconds=5))
    for handler in logger.access_log.handlers:
        handler.flush()

    line = (tmp_path / "access.log").read_text()
    assert "203.0.113.9" in line and "/public/events/3/ticket/***/qr.svg" in line
    assert SECRET not in line


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """What settings.LOGGING's console handler prints, captured."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, MaskSecrets) for f in h.filters)
    )
    stream = io.StringIO()
    old: Any = handler.setStream(stream)  # type: ignore[attr-defined]
    yield stream
    handler.setStream(old)  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_django_request_log_masks_a_ticket_code(console: io.StringIO) -> None:
    response = Client().get(f"/public/events/999/ticket/{SECRET}/")
    assert response.status_code == 404
    assert "Not Found: /public/events/999/ticket/***/" in console.getvalue()
    assert SECRET not in console.getvalue()


@pytest.mark.django_db
def test_django_request_log_masks_a_feed_token(personas: Personas, console: io.StringIO) -> None:
    assert client_for(personas.partner_a).get(f"/engagements/feed/{SECRET}.ics").status_code == 404
    assert "/engagements/feed/***.ics" in console.getvalue()
    assert SECRET not in console.getvalue()


@pytest.mark.django_db
def test_a_refusal_is_one_log_line_without_a_traceback(
    console: io.StringIO, personas: Personas
) -> None:
    # Field test #18 item 10: every 403 printed the PermissionDenied stack in the console.
    response = client_for(personas.viewer).get("/import/")
    assert response.status_code == 403
    logged = console.getvalue()
    assert "Forbidden (Permission denied): /import/" in logged
    assert "Traceback" not in logged
