"""Jobs of the notifications app (found by luodi.jobs' autodiscovery)."""

from __future__ import annotations

from luodi.jobs import job
from luodi.notifications import sending


# Six attempts over about a quarter of an hour (30 s, 1, 2, 4, 8 min between them): long
# enough to ride out a robot's rate limit or a short outage, short enough for a reminder to
# still be timely. One robot call has a 5 s timeout, so a minute is plenty per attempt.
@job(retries=5, backoff=30, timeout=60)
def deliver(delivery_id: int) -> str:
    """Send one delivery (idempotent: a sent one is skipped); raises to be retried."""
    return sending.deliver(delivery_id)
