from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from luodi.api import api


def openapi_text() -> str:
    """The schema as committed: sorted keys, stable indentation, trailing newline."""
    schema = api.get_openapi_schema(path_prefix="/api")
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = "Write the OpenAPI schema (committed as docs/openapi.json; a test compares them)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", default="-")

    def handle(self, *args: Any, **options: Any) -> None:
        text = openapi_text()
        if options["path"] == "-":
            self.stdout.write(text, ending="")
        else:
            Path(options["path"]).write_text(text, encoding="utf-8")
