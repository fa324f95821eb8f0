"""`luodi refresh_matches`: drain the matchmaking refresh queue (or rebuild everything with
--full). Encoding happens here, never in a request; vectors are cached, so a rebuild re-encodes
only new or changed passages."""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from luodi.matchmaking import engine


class Command(BaseCommand):
    help = "Refresh the matchmaking indexes from the queue of changed catalog records."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="rebuild every index")
        parser.add_argument(
            "--loop",
            type=float,
            default=0.0,
            help="keep draining every N seconds (a simple worker)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            started = time.monotonic()
            touched = engine.rebuild_all() if options["full"] else engine.drain()
            result = {
                "touched": touched,
                "seconds": round(time.monotonic() - started, 2),
                "encoder": engine.get_engine().encoder_name,
            }
            # As a --loop worker beside the server, stay quiet while the queue is empty.
            if touched or not options["loop"]:
                self.stdout.write(json.dumps(result))
            if not options["loop"] or options["full"]:
                return
            time.sleep(options["loop"])
