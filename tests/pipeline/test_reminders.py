from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from luodi.pipeline.domain.tasks import create_task
from luodi.pipeline.models import Task
from luodi.pipeline.reminders import claim_reminder, due_reminders, send_digests
from tests.conftest import Personas
from tests.pipeline.factories import make_project

pytestmark = pytest.mark.django_db


def _tasks(personas: Personas) -> tuple[Task, Task, Task]:
    project = make_project(personas.staff, personas.org_a)
    today = timezone.localdate()
    due = create_task(
        actor=personas.staff,
        project=project,
        title="Pay the milestone",
        owner=personas.staff,
        due_date=today + timedelta(days=1),
    )
    later = create_task(
        actor=personas.staff,
        project=project,
        title="Later",
        owner=personas.staff,
        due_date=today + timedelta(days=20),
    )
    overdue = create_task(
        actor=personas.staff,
        project=project,
        title="Report",
        owner=personas.partner_a,
        due_date=today - timedelta(days=3),
    )
    return due, later, overdue


def test_reminder_job_run_twice_sends_each_reminder_once(personas: Personas) -> None:
    _due, later, _overdue = _tasks(personas)

    call_command("send_reminders", "--no-digest")
    call_command("send_reminders", "--no-digest")

    subjects = sorted(m.subject for m in mail.outbox)
    assert len(subjects) == 2
    assert any("Pay the milestone" in s for s in subjects)
    assert any("Report" in s for s in subjects)
    assert Task.objects.filter(reminded_at__isnull=False).count() == 2
    later.refresh_from_db()
    assert later.reminded_at is None


def test_concurrent_runs_claim_each_reminder_once(personas: Personas) -> None:
    _tasks(personas)
    now = timezone.now()
    # Run A reads the due reminders, then run B claims them all before A gets to claim.
    seen_by_a = list(due_reminders(timezone.localdate()))
    won_by_b = [claim_reminder(t.pk, now) for t in due_reminders(timezone.localdate())]
    won_by_a = [claim_reminder(t.pk, now) for t in seen_by_a]
    assert won_by_b == [True, True]
    assert won_by_a == [False, False]


def test_done_tasks_get_no_reminder(personas: Personas) -> None:
    due, _later, overdue = _tasks(personas)
    Task.objects.filter(pk__in=[due.pk, overdue.pk]).update(status="done")
    call_command("send_reminders", "--no-digest")
    assert mail.outbox == []


def test_failed_send_gives_the_claim_back(personas: Personas, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from luodi.pipeline import reminders

    _tasks(personas)

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("smtp down")

    monkeypatch.setattr(reminders, "notify", broken)
    result = reminders.send_due_reminders()
    assert (result.reminders, result.failed) == (0, 2)
    assert Task.objects.filter(reminded_at__isnull=False).count() == 0


def test_daily_digest_once_per_person_and_day(personas: Personas) -> None:
    _tasks(personas)

    first = send_digests()
    second = send_digests()

    assert (first.digests, second.digests) == (2, 0)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [personas.staff.email, personas.partner_a.email]
    )
    staff_mail = next(m for m in mail.outbox if m.to == [personas.staff.email])
    assert "Pay the milestone" in staff_mail.body and "Later" not in staff_mail.body


def test_digest_is_sent_again_the_next_day(personas: Personas) -> None:
    _tasks(personas)
    send_digests()
    result = send_digests(timezone.now() + timedelta(days=1))
    assert result.digests == 2
    assert date.today() is not None


def test_digest_waits_for_the_digest_hour(personas: Personas) -> None:
    from datetime import datetime

    _tasks(personas)
    tz = timezone.get_current_timezone()
    early = datetime.combine(timezone.localdate(), datetime.min.time(), tzinfo=tz)
    assert send_digests(early + timedelta(hours=3), not_before_hour=8).digests == 0
    assert send_digests(early + timedelta(hours=9), not_before_hour=8).digests == 2
