"""An iCalendar (RFC 5545) feed of a person's due dates, written by hand: CRLF line ends,
lines folded at 75 octets, text escaped."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta

from luodi.pipeline.models import Task


def escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Split a content line into chunks of at most 75 octets, never inside a UTF-8
    character; continuation lines start with one space."""
    out: list[str] = []
    current, size, limit = "", 0, 75
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += ch
        size += n
    out.append(current)
    return "\r\n".join(out)


def _date(d: date) -> str:
    return d.strftime("%Y%m%d")


def _stamp(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(
    tasks: Iterable[Task],
    *,
    name: str,
    host: str,
    now: datetime,
    url_for: Callable[[Task], str] | None = None,
) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Luodi//Pipeline due dates//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
    ]
    for task in tasks:
        if task.due_date is None:
            continue
        summary = task.title + (
            f" · {task.project.title}" if task.project_id and task.project else ""
        )
        lines += [
            "BEGIN:VEVENT",
            f"UID:task-{task.pk}@{host}",
            f"DTSTAMP:{_stamp(now)}",
            f"DTSTART;VALUE=DATE:{_date(task.due_date)}",
            f"DTEND;VALUE=DATE:{_date(task.due_date + timedelta(days=1))}",
            f"SUMMARY:{escape(summary)}",
            f"STATUS:{'COMPLETED' if task.status == 'done' else 'CONFIRMED'}",
            "TRANSP:TRANSPARENT",
        ]
        if url_for is not None and task.project_id:
            lines.append(f"URL:{url_for(task)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
