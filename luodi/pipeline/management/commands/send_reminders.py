"""`luodi send_reminders`: run the reminder job now (`luodi worker` runs it every 10 minutes
as `pipeline.send_reminders`; this command is for operators and tests).

Reminder emails for tasks that fall due, then the daily digest per person (from
LUODI_DIGEST_HOUR, default 8:00 local time). Safe to run twice,
even concurrently: every send is claimed first (see luodi/pipeline/reminders.py)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from luodi.pipeline.tasks import send_reminders


class Command(BaseCommand):
    help = "Send due-task reminders and the daily digests (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-digest", action="store_true", help="Only the reminders, no daily digest."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        done = send_reminders(digest=not options["no_digest"])
        self.stdout.write(
            f"reminders sent: {done['reminders']}, failed: {done['reminders_failed']}; "
            f"digests sent: {done['digests']}, failed: {done['digests_failed']}"
        )
