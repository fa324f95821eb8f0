"""`luodi refresh_indexes [--full] [--kind K]`: bring the search and match indexes up to
date now, in this process (an operator's command; normally `luodi worker` does this as
jobs). Vectors are cached, so a rebuild re-encodes only new or changed passages."""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from luodi.retrieval import indexing
from luodi.retrieval.engine import get_engine
from luodi.retrieval.kinds import KINDS


class Command(BaseCommand):
    help = "Apply the queue of changed catalog records to the indexes (or rebuild them)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="rebuild from the database")
        parser.add_argument("--kind", choices=sorted(KINDS), action="append", help="only these")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        kinds = options["kind"] or list(KINDS)
        if options["full"]:
            try:
                touched = indexing.rebuild_all(kinds=kinds)
            except RuntimeError as exc:
                raise CommandError(str(exc)) from exc
        else:
            touched = {}
            for kind in kinds:
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
