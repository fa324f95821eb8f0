"""`luodi refresh_matches [--full]`: bring the match indexes up to date now, in this process
(an operator's command; normally `luodi worker` does this as jobs). Encoding happens here or
in the worker, never in a request; vectors are cached, so a rebuild re-encodes only new or
changed passages."""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from luodi.matchmaking import adapters, indexing
from luodi.matchmaking.engine import get_engine


class Command(BaseCommand):
    help = "Apply the queue of changed catalog records to the match indexes (or rebuild them)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="rebuild every index")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        if options["full"]:
            try:
                touched = indexing.rebuild_all()
            except RuntimeError as exc:
                raise CommandError(str(exc)) from exc
        else:
            touched = {}
            for kind in adapters.INDEX_KINDS:
                done = indexing.drain(kind)
                if done is None:
                    raise CommandError(f"the {kind} index is being written by a worker")
                touched[kind] = done
        result = {
            "touched": touched,
            "seconds": round(time.monotonic() - started, 2),
            "encoder": get_engine().encoder_name,
        }
        self.stdout.write(json.dumps(result))
