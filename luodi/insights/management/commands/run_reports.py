"""`luodi run_reports [--loop SECONDS]`: build queued reports (each claimed by a conditional
UPDATE, so several workers and the web's background thread never build one twice)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from luodi.insights.reports import run_queued


class Command(BaseCommand):
    help = "Build queued insight reports (PDF + xlsx)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=20)
        parser.add_argument("--loop", type=int, default=0, help="poll every N seconds")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            done = run_queued(limit=options["limit"])
            # As a --loop worker beside the server, stay quiet while the queue is empty.
            if done or not options["loop"]:
                self.stdout.write(f"{done} report(s) built")
            if not options["loop"]:
                return
            time.sleep(options["loop"])
