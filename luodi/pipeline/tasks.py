"""Pipeline jobs, found by the job system's autodiscovery."""

from __future__ import annotations

from django.conf import settings

from luodi.jobs import job
from luodi.pipeline.reminders import send_digests, send_due_reminders


@job(retries=2, backoff=120, every_minutes=10)
def send_reminders(digest: bool = True) -> dict[str, int]:
    """Reminders for tasks that fall due, then the daily digests (from LUODI_DIGEST_HOUR).
    Every send is claimed first, so overlapping runs never send twice."""
    reminders = send_due_reminders()
    hour = int(getattr(settings, "LUODI_DIGEST_HOUR", 8))
    digests = send_digests(not_before_hour=hour) if digest else None
    return {
        "reminders": reminders.reminders,
        "reminders_failed": reminders.failed,
        "digests": digests.digests if digests else 0,
        "digests_failed": digests.failed if digests else 0,
    }
