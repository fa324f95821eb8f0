"""Ledger jobs, found by the job system's autodiscovery."""

from __future__ import annotations

from luodi.jobs import job
from luodi.ledger.overdue import raise_overdue_payments


@job(daily_at="07:50", retries=2, backoff=300)
def overdue_payments() -> int:
    """Every morning: a follow-up task for each expected payment past its day, on its
    agreement's project, claimed per entry so a re-run raises nothing twice."""
    return raise_overdue_payments()
