from __future__ import annotations

from datetime import UTC, date, datetime

from luodi.ics import CalEvent, calendar, escape, fold


def test_fold_limits_lines_to_75_octets_without_splitting_characters() -> None:
    line = "SUMMARY:" + "成都医学城考察" * 20
    folded = fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line


def test_escape_text_values() -> None:
    assert escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_calendar_uses_crlf_and_utc_times() -> None:
    text = calendar(
        [
            CalEvent(
                uid="x@luodi",
                summary="论坛",
                start=datetime(2026, 5, 1, 1, 0, tzinfo=UTC),
                end=datetime(2026, 5, 1, 9, 0, tzinfo=UTC),
                location="成都, 温江",
            ),
            CalEvent(uid="y@luodi", summary="All day", start=date(2026, 5, 2)),
        ]
    )
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR"
    assert "\n" not in text.replace("\r\n", "")
    assert "DTSTART:20260501T010000Z" in lines
    assert "DTSTART;VALUE=DATE:20260502" in lines
    assert "LOCATION:成都\\, 温江" in lines
    assert text.endswith("END:VCALENDAR\r\n")
