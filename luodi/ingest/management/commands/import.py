"""`luodi import ctgov FILE.csv` and `luodi import table FILE --kind KIND [--dry-run]`.

A progress bar goes to stderr; the last stdout line is the JSON summary
{"created", "updated", "skipped", "errors": [{"line", "reason"}], ...}.
Exit status: 0 every row imported, 1 some rows rejected, 2 unusable input.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from luodi.accounts.models import User
from luodi.ingest import domain, tables
from luodi.ingest.ctgov import CtgovError
from luodi.ingest.fields import FIELDS
from luodi.ingest.summary import Summary


class Command(BaseCommand):
    help = "Import a ClinicalTrials.gov CSV export or a spreadsheet of catalog records."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", choices=["ctgov", "table"])
        parser.add_argument("file", type=Path)
        parser.add_argument("--kind", help=" | ".join(FIELDS))
        parser.add_argument("--dry-run", action="store_true", help="report, write nothing")
        parser.add_argument(
            "--all-or-nothing",
            action="store_true",
            help="write nothing when any row is bad (default: import the good rows)",
        )
        parser.add_argument("--mapping", help='JSON list of field keys per column ("" = skip)')
        parser.add_argument("--user", help="act as this user (default: the system)")

    def _fail(self, message: str) -> CommandError:
        return CommandError(message, returncode=2)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                raise self._fail(f"unknown user {options['user']!r}")
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise self._fail(f"cannot read {path}: {exc}") from exc
        try:
            if options["source"] == "ctgov":
                summary = self._ctgov(data, actor, options)
            else:
                summary = self._table(path.name, data, actor, options)
        except PermissionDenied as exc:
            raise self._fail(f"{actor} may not import this") from exc
        self.stdout.write(json.dumps(summary.as_dict(), ensure_ascii=False))
        if summary.errors:
            raise CommandError(f"{len(summary.errors)} rows rejected", returncode=1)

    def _bar(self, total: int) -> tqdm:
        return tqdm(total=total, file=sys.stderr, unit="row", disable=None, leave=False)

    def _ctgov(self, data: bytes, actor: User | None, options: dict[str, Any]) -> Summary:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise self._fail("the file is not UTF-8 text") from exc
        with self._bar(max(text.count("\n") - 1, 0)) as bar:
            try:
                return domain.import_ctgov(
                    actor=actor,
                    system=actor is None,
                    text=text,
                    dry_run=options["dry_run"],
                    progress=bar.update,
                )
            except CtgovError as exc:
                raise self._fail(str(exc)) from exc

    def _table(
        self, name: str, data: bytes, actor: User | None, options: dict[str, Any]
    ) -> Summary:
        kind = options["kind"]
        if kind not in FIELDS:
            raise self._fail(f"--kind must be one of {', '.join(FIELDS)}")
        try:
            table = tables.read_table(name, data)
        except tables.TableError as exc:
            raise self._fail(str(exc)) from exc
        mapping = tables.suggest_mapping(kind, table, system=actor is None)
        if options["mapping"]:
            try:
                mapping = [str(m or "") for m in json.loads(options["mapping"])]
            except (ValueError, TypeError) as exc:
                raise self._fail("--mapping must be a JSON list") from exc
        problems = tables.check_mapping(kind, mapping, system=actor is None)
        if problems:
            raise self._fail(" ".join(problems))
        with self._bar(len(table.rows)) as bar:
            return domain.import_table(
                actor=actor,
                system=actor is None,
                kind=kind,
                table=table,
                mapping=mapping,
                mode="all" if options["all_or_nothing"] else "good",
                dry_run=options["dry_run"],
                progress=bar.update,
            )
