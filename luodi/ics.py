"""A small iCalendar (RFC 5545) writer: VCALENDAR with VEVENTs, CRLF line ends, lines folded
at 75 octets (never inside a UTF-8 sequence), TEXT values escaped. No dependency.

The one writer for every feed: engagements (visits, events, the calendar) and the pipeline's
due dates map their records to `CalEvent`s."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

PRODID = "-//Luodi//Luodi//ZH"


@dataclass(frozen=True)
class CalEvent:
    uid: str
    summary: str
    start: datetime | date
    end: datetime | date | None = None
    description: str = ""
    location: str = ""
    url: str = ""
    geo: tuple[float, float] | None = None
    status: str = ""  # CONFIRMED, COMPLETED, …
    transparent: bool = False  # a due date does not block time


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
    """Split a content line into chunks of at most 75 octets, continuation lines start with
    a space (which counts toward their 75)."""
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


def _when(value: datetime | date) -> str:
    if isinstance(value, datetime):
        return ":" + value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return ";VALUE=DATE:" + value.strftime("%Y%m%d")


def calendar(
    events: Iterable[CalEvent],
    *,
    name: str = "",
    method: str = "",
    now: datetime | None = None,
) -> str:
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    if method:
        lines.append(f"METHOD:{method}")
    if name:
        lines.append(f"X-WR-CALNAME:{escape(name)}")
    for ev in events:
        lines += ["BEGIN:VEVENT", f"UID:{ev.uid}", f"DTSTAMP:{stamp}", "DTSTART" + _when(ev.start)]
        if ev.end is not None:
            lines.append("DTEND" + _when(ev.end))
        lines.append(f"SUMMARY:{escape(ev.summary)}")
        if ev.description:
            lines.append(f"DESCRIPTION:{escape(ev.description)}")
        if ev.location:
            lines.append(f"LOCATION:{escape(ev.location)}")
        if ev.geo is not None:
            lines.append(f"GEO:{ev.geo[0]:.6f};{ev.geo[1]:.6f}")
        if ev.status:
            lines.append(f"STATUS:{ev.status}")
        if ev.transparent:
            lines.append("TRANSP:TRANSPARENT")
        if ev.url:
            lines.append(f"URL:{ev.url}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
