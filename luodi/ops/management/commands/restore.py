"""`luodi restore FILE.tar.gz [--force]`: bring back what `luodi backup` wrote.

The database must be migrated to the state the backup was made at (`luodi migrate` with the
same Luodi version) and, without --force, hold no rows. Stop the app and worker processes
first and start them again after: they hold search indexes and caches of the old data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from luodi.ops.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore the database and the stored files from a `luodi backup` archive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="a .tar.gz written by `luodi backup`")
        parser.add_argument(
            "--force",
            action="store_true",
            help="delete every row of a database that is not empty before restoring",
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, archive: Path, force: bool, database: str, **options: Any) -> None:
        try:
            manifest = restore_backup(archive, force=force, using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["database"]["rows"].values())
        if options["verbosity"]:
            self.stdout.write(
                f"restored {rows} rows and {len(manifest['files'])} files from {archive} "
                f"(made {manifest['created_at']}); restart the app and worker processes."
            )
