"""Patent jobs, found by the job system's autodiscovery."""

from __future__ import annotations

from luodi.jobs import job
from luodi.patents.reminders import send_fee_reminders


@job(daily_at="07:40", retries=2, backoff=300)
def fee_reminders() -> int:
    """Every morning: reminders of annual fees falling due, claimed per patent, year and
    lead time, so a re-run sends nothing twice."""
    return send_fee_reminders()
