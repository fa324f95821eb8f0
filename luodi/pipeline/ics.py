"""Tasks as iCalendar events (written by the shared `luodi.ics`); the personal feed
(engagements.feeds) adds them to everything else on a person's calendar."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta

from luodi import ics
from luodi.pipeline.models import Task


def task_events(
    tasks: Iterable[Task], *, host: str, url_for: Callable[[Task], str] | None = None
) -> list[ics.CalEvent]:
    """Each dated task as an all-day event on its due date (free time, not busy)."""
    return [
        ics.CalEvent(
            uid=f"task-{task.pk}@{host}",
            summary=task.title
            + (f" · {task.project.title}" if task.project_id and task.project else ""),
            start=task.due_date,
            end=task.due_date + timedelta(days=1),
            status="COMPLETED" if task.status == "done" else "CONFIRMED",
            transparent=True,
            url=url_for(task) if url_for is not None and task.project_id else "",
        )
        for task in tasks
        if task.due_date is not None
    ]
