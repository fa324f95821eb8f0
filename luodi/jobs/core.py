"""The job API on top of django-q2.

Every job goes through `run`, the one function django-q2 executes: it looks the job up by
name, runs it, and on an exception queues the next attempt with exponential backoff (as a
one-off django-q2 schedule, so the delay survives a worker restart). django-q2 itself gives
the other half of at-least-once: a task whose worker died (SIGKILL, OOM, a lost machine) is
not acknowledged, so its lease (`Q_CLUSTER["retry"]`) runs out and another worker takes it.
Jobs are therefore written to be idempotent: they claim their rows by conditional update and
a second run finds nothing left to do.

Arguments must be plain literals (ints, strings, lists, dicts): delayed attempts are stored
as text in the schedule table and read back with `ast.literal_eval`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Generic, ParamSpec, TypeVar

from django.conf import settings
from django.utils import timezone

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

MAX_BACKOFF = 3600  # seconds; a retry is never further away than an hour
_REGISTRY: dict[str, Job[Any, Any]] = {}


class JobError(RuntimeError):
    """Raised by the runner for a job name no module declared (a deploy mismatch)."""


@dataclass(frozen=True)
class Job(Generic[P, R]):
    """A declared job: call it for a direct run, `.enqueue(...)` for the worker."""

    name: str
    fn: Callable[P, R]
    retries: int
    backoff: int
    timeout: int | None
    every_minutes: int | None = None  # periodic: run every N minutes
    daily_at: str | None = None  # periodic: run daily at "HH:MM", local time

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        return self.fn(*args, **kwargs)

    def enqueue(self, *args: Any, delay: float | None = None, **kwargs: Any) -> None:
        """Queue one run. With the ORM broker the queue row is written in the caller's
        transaction: a rolled-back write queues nothing, a committed one cannot lose its
        job. Under `LUODI_JOBS_SYNC` (tests) the job runs here and now instead."""
        submit(self.name, list(args), dict(kwargs), attempt=1, delay=delay)

    def backoff_for(self, attempt: int) -> int:
        """Seconds before `attempt` (2, 3, …): backoff, 2×backoff, 4×backoff… capped."""
        return int(min(MAX_BACKOFF, self.backoff * 2 ** max(0, attempt - 2)))


def job(
    *,
    retries: int = 3,
    backoff: int = 30,
    timeout: int | None = None,
    name: str = "",
    every_minutes: int | None = None,
    daily_at: str | None = None,
) -> Callable[[Callable[P, R]], Job[P, R]]:
    """Declare a job. Its name is `app.function` (e.g. `insights.build_report`) unless
    given; the name, not the import path, is what the queue stores. `every_minutes` or
    `daily_at` also make it periodic: `luodi worker` registers it with django-q2's
    scheduler (schedules.py), which queues it once per period across all workers."""

    def wrap(fn: Callable[P, R]) -> Job[P, R]:
        parts = fn.__module__.split(".")
        app = parts[1] if len(parts) > 2 and parts[0] == "luodi" else parts[0]
        declared = Job(
            name=name or f"{app}.{fn.__name__}",
            fn=fn,
            retries=retries,
            backoff=backoff,
            timeout=timeout,
            every_minutes=every_minutes,
            daily_at=daily_at,
        )
        if declared.name in _REGISTRY and _REGISTRY[declared.name].fn is not fn:
            raise JobError(f"two jobs are named {declared.name!r}")
        _REGISTRY[declared.name] = declared
        return declared

    return wrap


def registered() -> dict[str, Job[Any, Any]]:
    return dict(_REGISTRY)


def submit(
    name: str,
    args: list[Any],
    kwargs: dict[str, Any],
    *,
    attempt: int,
    delay: float | None = None,
) -> None:
    from django_q.models import Schedule
    from django_q.tasks import async_task

    declared = _REGISTRY.get(name)
    if declared is None:
        raise JobError(f"no job is named {name!r}")
    if delay:
        # A one-off schedule: django-q2's scheduler queues it when due (it looks about
        # every 30 s) and deletes it after (repeats=-1).
        Schedule.objects.create(
            name=f"{name} #{attempt}"[:100],
            func="luodi.jobs.core.run",
            args=repr((name, args, kwargs, attempt)),
            schedule_type=Schedule.ONCE,
            repeats=-1,
            next_run=timezone.now() + timedelta(seconds=delay),
        )
        return
    options: dict[str, Any] = {"task_name": name, "group": name.split(".")[0]}
    if declared.timeout:
        options["timeout"] = declared.timeout
    if getattr(settings, "LUODI_JOBS_SYNC", False):
        options["sync"] = True
    async_task("luodi.jobs.core.run", name, args, kwargs, attempt, q_options=options)


def run(name: str, args: list[Any], kwargs: dict[str, Any], attempt: int = 1) -> Any:
    """The worker's entry point for every job."""
    declared = _REGISTRY.get(name)
    if declared is None:
        raise JobError(f"no job is named {name!r}; is its app installed on this worker?")
    try:
        return declared.fn(*args, **kwargs)
    except Exception as exc:
        if attempt > declared.retries:
            # Out of attempts: django-q2 records it as a failed task (admin → Failed tasks).
            log.error("job %s failed for good after %s attempts", name, attempt)
            raise
        wait = declared.backoff_for(attempt + 1)
        log.warning("job %s attempt %s failed (%r); next attempt in %s s", name, attempt, exc, wait)
        submit(name, args, kwargs, attempt=attempt + 1, delay=wait)
        return f"attempt {attempt} failed ({exc!r}); retry in {wait} s"
