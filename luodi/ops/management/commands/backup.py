"""`luodi backup FILE.tar.gz`: the database and every stored file (see luodi/ops/backup.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from luodi.ops.backup import write_backup


class Command(BaseCommand):
    help = "Write the database and every stored file to one .tar.gz archive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="the .tar.gz file to write")
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, archive: Path, database: str, **options: Any) -> None:
        try:
            manifest = write_backup(archive, using=database)
        except OSError as exc:  # an unwritable destination, an unreadable stored file
            raise CommandError(f"backup failed, {archive} not written: {exc}") from exc
        rows = sum(manifest["database"]["rows"].values())
        files = manifest["files"]
        size = sum(f["bytes"] for f in files)
        if options["verbosity"]:
            self.stdout.write(
                f"{archive}: {rows} rows, {len(files)} files ({size / 1e6:.1f} MB), "
                f"migration state of Luodi {manifest['app_version']}"
            )
