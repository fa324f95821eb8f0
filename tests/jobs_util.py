"""Run queued jobs in the test process, the way a worker would (for tests that turn the
inline mode off to see what a user sees before the worker has run)."""

from __future__ import annotations

from django_q.brokers import get_broker
from django_q.signing import SignedPackage

from luodi.jobs import core


def run_queued_jobs() -> int:
    """Take every queued job from the ORM broker, run it through the job runner, and
    acknowledge it; returns how many ran."""
    broker = get_broker()
    ran = 0
    while broker.queue_size():
        for ack_id, payload in broker.dequeue() or []:
            task = SignedPackage.loads(payload)
            assert task["func"] == "luodi.jobs.core.run", task["func"]
            core.run(*task["args"], **task["kwargs"])
            broker.acknowledge(ack_id)
            ran += 1
    return ran
