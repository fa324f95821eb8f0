"""After-landing jobs, found by the job system's autodiscovery."""

from __future__ import annotations

from luodi.aftercare.digest import send_stall_digests
from luodi.aftercare.stalls import raise_shortfalls
from luodi.jobs import job


@job(daily_at="07:30", retries=2, backoff=300)
def follow_through() -> dict[str, int]:
    """Every morning: a task for each commitment that fell short; on Mondays the weekly
    stall digest. Both are claimed per item, so a re-run sends and raises nothing twice."""
    return {"shortfalls": raise_shortfalls(), "stall_digests": send_stall_digests()}
