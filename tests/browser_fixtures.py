"""Playwright driving Debian's Chromium against pytest-django's live server.

Registered once for the whole suite (root conftest's pytest_plugins): one Playwright and one
browser per session, whichever test folder the browser tests live in.

Never downloads a browser: without /usr/bin/chromium the browser tests skip, saying why.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread

CHROMIUM = os.environ.get("LUODI_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"

# Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures
# here are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class _SerialWSGIServer(WSGIServer):
    """The live server, answering one request at a time.

    With SQLite in memory every request thread of Django's threaded live server shares the
    test's one connection; two concurrent requests (a page and the chart fetches it starts)
    then deadlock inside sqlite3 and the run hangs. Serial answers avoid that, and Django
    closes each connection after its response for a non-threaded server, so keep-alive
    cannot starve the browser's other requests."""

    def __init__(self, *args: Any, connections_override: Any = None, **kwargs: Any) -> None:
        # LiveServerThread.run has already installed the shared connections in its thread.
        super().__init__(*args, **kwargs)


LiveServerThread.server_class = _SerialWSGIServer


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "page" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (install Debian's chromium); browser tests skipped")
    from playwright.sync_api import expect, sync_playwright

    # CI machines have 2 cores and run two database legs; 5 s (the default) is too tight
    # for an assertion waiting on an htmx round trip when the machine is busy.
    expect.set_options(timeout=10_000)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()


def _is_script_error(message) -> bool:  # type: ignore[no-untyped-def]
    # A 4xx answer that a test provokes on purpose is logged by Chromium as a failed
    # resource; CSP violations and exceptions are what must never appear.
    return message.type == "error" and not message.text.startswith("Failed to load resource")


def keep_screenshot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """Keep a picture of the page in test-artifacts/NAME.png for whoever reads a failure.

    The picture is a diagnostic, not an assertion: Chromium sometimes refuses a full-page
    capture ("Unable to capture screenshot", seen on a busy CI machine after a test had
    passed), so fall back to the viewport and, failing that, to no picture."""
    from playwright.sync_api import Error

    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    for full_page in (True, False):
        try:
            page.screenshot(path=str(path), full_page=full_page)
            return
        except Error:
            continue


@pytest.fixture
def page(browser, live_server, request):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if _is_script_error(m) else None)
    # An uncaught exception is not a console message: without this, htmx failing on every
    # event page ("e.matches is not a function") passed every test.
    page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
    yield page
    keep_screenshot(page, request.node.name)
    context.close()
    # A CSP violation or a script error shows up here; pages must run clean.
    assert errors == [], errors


def sign_in(page, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    # Wait for the next page to finish loading: typing before the deferred htmx script has
    # processed the page would send no request at all.
    with page.expect_navigation(wait_until="load"):
        page.click("form button[type=submit].button")
