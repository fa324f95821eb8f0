"""Import jobs, found by the job system's autodiscovery (luodi.jobs.apps)."""

from __future__ import annotations

from luodi.ingest import pending, runs
from luodi.jobs import job


@job(retries=2, backoff=60)
def run_import(run_id: int) -> str:
    """Import a queued `ImportRun`; safe to deliver twice (see runs.py)."""
    return runs.execute(run_id)


@job(daily_at="04:00", retries=1)
def cleanup_pending() -> int:
    """Remove uploads that waited more than a day for their confirmation."""
    return pending.cleanup()
