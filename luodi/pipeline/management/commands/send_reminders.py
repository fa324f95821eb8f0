"""`luodi send_reminders`: the scheduled job (run it every few minutes from cron or a timer).

Reminder emails for tasks that fall due, then the daily digest per person (from
LUODI_DIGEST_HOUR, default 8:00 local time). Safe to run twice,
even concurrently: every send is claimed first (see luodi/pipeline/reminders.py)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from luodi.pipeline.reminders import send_digests, send_due_reminders


class Command(BaseCommand):
    help = "Send due-task reminders and the daily digests (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-digest", action="store_true", help="Only the reminders, no daily digest."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        reminders = send_due_reminders()
        hour = int(getattr(settings, "LUODI_DIGEST_HOUR", 8))
        digests = None if options["no_digest"] else send_digests(not_before_hour=hour)
        self.stdout.write(
            f"reminders sent: {reminders.reminders}, failed: {reminders.failed}; "
            f"digests sent: {digests.digests if digests else 0}, "
            f"failed: {digests.failed if digests else 0}"
        )
