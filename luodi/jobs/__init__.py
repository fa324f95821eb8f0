"""Background work: one job system (django-q2, ORM broker) behind a small API.

    from luodi.jobs import job

    @job(retries=5, backoff=30, timeout=900)
    def build_report(report_id: int) -> None: ...

    build_report.enqueue(report_id)           # queued in the caller's transaction
    build_report.enqueue(report_id, delay=60) # not before a minute from now

`luodi worker` runs every kind of job and the periodic ones declared in `schedules.py`.
See docs/architecture.md ("Background work") for why django-q2 and what the guarantees are.
"""

from luodi.jobs.core import Job, job

__all__ = ["Job", "job"]
