from __future__ import annotations

from datetime import UTC, date, datetime

from luodi.engagements.feeds import reset_feed_token
from luodi.ics import calendar, escape, fold
from luodi.pipeline.domain.tasks import create_task
from luodi.pipeline.ics import task_events
from tests.conftest import Personas, client_for
from tests.pipeline.factories import make_project


def test_fold_keeps_lines_within_75_octets_and_utf8_whole() -> None:
    line = "SUMMARY:" + "成果转化落地项目" * 20
    folded = fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line


def test_escape_text_values() -> None:
    assert escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_calendar_is_rfc5545_shaped(personas: Personas) -> None:
    project = make_project(personas.staff, personas.org_a, title="项目, 甲")
    task = create_task(
        actor=personas.staff,
        project=project,
        title="Sign; the MoU",
        owner=personas.staff,
        due_date=date(2030, 1, 31),
    )
    text = calendar(
        task_events([task], host="luodi.test"),
        name="Luodi",
        method="PUBLISH",
        now=datetime(2030, 1, 1, 8, 0, tzinfo=UTC),
    )
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert f"UID:task-{task.pk}@luodi.test\r\n" in text
    assert "DTSTART;VALUE=DATE:20300131\r\nDTEND;VALUE=DATE:20300201\r\n" in text
    assert "SUMMARY:Sign\\; the MoU · 项目\\, 甲\r\n" in text
    assert "DTSTAMP:20300101T080000Z\r\n" in text


def test_feed_url_serves_own_open_due_dates_without_login(personas: Personas) -> None:
    project = make_project(personas.staff, personas.org_a)
    create_task(
        actor=personas.staff,
        project=project,
        title="Mine",
        owner=personas.partner_a,
        due_date=date(2030, 2, 1),
    )
    create_task(
        actor=personas.staff,
        project=project,
        title="Staff's",
        owner=personas.staff,
        due_date=date(2030, 2, 2),
    )
    raw = reset_feed_token(actor=personas.partner_a)

    # The one feed, at its address and at the old task-feed address.
    for url in (f"/engagements/feed/{raw}.ics", f"/projects/calendar/{raw}.ics"):
        response = client_for(None).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        body = response.content.decode()
        assert "SUMMARY:Mine" in body and "Staff's" not in body
        assert f"/projects/{project.pk}/" in body  # the task links to its project
        # Calendar apps may check the address with HEAD first.
        assert client_for(None).head(url).status_code == 200


def test_my_tasks_button_gives_the_one_feed_and_retires_the_old_address(
    personas: Personas,
) -> None:
    old = reset_feed_token(actor=personas.partner_a)
    client = client_for(personas.partner_a)

    page = client.post("/projects/calendar/rotate/", follow=True).content.decode()

    assert "/engagements/feed/" in page
    new = page.split("/engagements/feed/", 1)[1].split(".ics", 1)[0]
    anonymous = client_for(None)
    assert anonymous.get(f"/projects/calendar/{old}.ics").status_code == 404
    assert anonymous.get(f"/engagements/feed/{new}.ics").status_code == 200
