"""`luodi worker`: run every kind of background job (django-q2 cluster) until SIGTERM.

It registers the periodic jobs first (schedules.py). Stopping: SIGTERM or Ctrl-C lets the
jobs in hand finish, then exits; a job cut short by SIGKILL is taken again by another worker
when its lease runs out (Q_CLUSTER["retry"])."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from luodi.jobs.schedules import ensure_schedules


class Command(BaseCommand):
    help = "Run background jobs: index updates, reports, imports, mail, reminders."

    def handle(self, *args: Any, **options: Any) -> None:
        names = ensure_schedules()
        conf = settings.Q_CLUSTER
        self.stdout.write(
            f"luodi worker: {conf['workers']} processes, job timeout {conf['timeout']} s, "
            f"lease {conf['retry']} s, periodic: {', '.join(names) or 'none'}"
        )
        self.stdout.flush()
        call_command("qcluster")
