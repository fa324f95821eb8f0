"""`luodi worker` and a stop signal that arrives while its cluster is still starting."""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Iterator

import pytest

from luodi.jobs.management.commands.worker import _Cluster


@pytest.fixture
def cluster() -> Iterator[_Cluster]:
    """A cluster object (its constructor takes over SIGTERM and SIGINT; they are given back)."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield _Cluster()
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def test_a_signal_before_the_sentinel_exists_is_kept(cluster: _Cluster) -> None:
    cluster.sig_handler(signal.SIGTERM, None)  # upstream raised AttributeError here

    assert cluster.stop_asked


def test_a_signal_before_the_sentinel_has_forked_is_kept(cluster: _Cluster) -> None:
    # The state the multi-node test caught: the process object exists, it has not forked, so
    # upstream's stop() saw is_alive() false and dropped the signal; the worker ran on.
    cluster.sentinel = multiprocessing.get_context("fork").Process(target=print)

    cluster.sig_handler(signal.SIGTERM, None)

    assert cluster.stop_asked
    assert cluster.sentinel.pid is None  # nothing was started or joined


def test_a_signal_once_running_stops_at_once(
    cluster: _Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    stopped: list[int] = []
    cluster.sentinel = multiprocessing.get_context("fork").Process(target=print)
    cluster.sentinel.start()
    cluster.sentinel.join()
    monkeypatch.setattr(_Cluster, "stop", lambda self: stopped.append(1) or True)

    cluster.sig_handler(signal.SIGTERM, None)

    assert stopped == [1]
    assert not cluster.stop_asked
