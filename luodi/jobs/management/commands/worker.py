"""`luodi worker`: run every kind of background job (django-q2 cluster) until SIGTERM.

It registers the periodic jobs first (schedules.py). Stopping: SIGTERM or Ctrl-C lets the
jobs in hand finish, then exits; a job cut short by SIGKILL is taken again by another worker
when its lease runs out (Q_CLUSTER["retry"])."""

from __future__ import annotations

import signal
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django_q.cluster import Cluster

from luodi.jobs.schedules import ensure_schedules

_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class _Cluster(Cluster):
    """django-q2's cluster, without its start-up race: a stop signal that arrived after the
    sentinel process object was made but before it had forked found `is_alive()` false, was
    dropped, and the worker then ran until SIGKILL (seen in the multi-node test as a
    30-second hang). Such a signal is now remembered and honoured once the cluster is up."""

    stop_asked = False

    def sig_handler(self, signum: int, frame: FrameType | None) -> None:
        if self.sentinel is None or self.sentinel.pid is None:  # not forked yet
            self.stop_asked = True
            return
        super().sig_handler(signum, frame)

    def start(self) -> int:
        pid: int = super().start()
        if self.stop_asked and self.start_event is not None:
            self.stop()
        return pid


class Command(BaseCommand):
    help = "Run background jobs: index updates, reports, imports, mail, reminders."

    def handle(self, *args: Any, **options: Any) -> None:
        # Until the cluster installs its own handlers, a stop signal is only noted: stopping
        # before anything has started is a clean exit, not a kill.
        asked: list[int] = []
        for sig in _STOP_SIGNALS:
            signal.signal(sig, lambda signum, _frame: asked.append(signum))
        names = ensure_schedules()
        conf = settings.Q_CLUSTER
        self.stdout.write(
            f"luodi worker: {conf['workers']} processes, job timeout {conf['timeout']} s, "
            f"lease {conf['retry']} s, periodic: {', '.join(names) or 'none'}"
        )
        self.stdout.flush()
        cluster = _Cluster()  # installs the cluster's handlers for both signals
        if asked:
            return
        # Returns once the sentinel runs; the process then waits for it (multiprocessing
        # joins it at exit) until a stop signal makes the cluster shut down, as `qcluster`.
        cluster.start()
