"""The job API (luodi.jobs): names, retries with backoff, leases, periodic schedules, mail."""

from __future__ import annotations

import ast
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from django_q.models import Schedule

from luodi.jobs import core, leases, schedules
from luodi.jobs.models import Lease

pytestmark = [pytest.mark.django_db]

calls: list[Any] = []


@core.job(retries=2, backoff=10, name="tests.flaky")
def flaky(value: int) -> int:
    calls.append(value)
    raise ConnectionError("service away")


@core.job(every_minutes=7, name="tests.periodic")
def periodic() -> None:
    calls.append("tick")


def test_job_names_come_from_the_app_and_are_unique() -> None:
    from luodi.insights.reports import build_report

    assert build_report.name == "insights.build_report"
    assert core.registered()["insights.build_report"] is build_report
    with pytest.raises(core.JobError):
        core.job(name="tests.flaky")(lambda: None)


def test_backoff_doubles_and_is_capped() -> None:
    assert [flaky.backoff_for(n) for n in (2, 3, 4, 5)] == [10, 20, 40, 80]
    assert flaky.backoff_for(30) == core.MAX_BACKOFF


def test_a_failed_attempt_is_scheduled_again_after_its_backoff() -> None:
    calls.clear()
    before = timezone.now()

    flaky.enqueue(5)  # runs inline in tests, fails, schedules attempt 2

    retry = Schedule.objects.get()
    name, args, kwargs, attempt = ast.literal_eval(retry.args)
    assert calls == [5]
    assert (retry.func, retry.schedule_type, retry.repeats) == (
        "luodi.jobs.core.run",
        Schedule.ONCE,
        -1,
    )
    assert (name, args, kwargs, attempt) == ("tests.flaky", [5], {}, 2)
    wait = (retry.next_run - before).total_seconds()
    assert 9 <= wait <= 12


def test_the_last_attempt_raises_so_it_is_recorded_as_failed() -> None:
    calls.clear()
    assert "retry in 20 s" in core.run("tests.flaky", [1], {}, attempt=2)
    with pytest.raises(ConnectionError):
        core.run("tests.flaky", [1], {}, attempt=3)
    assert calls == [1, 1]
    assert Schedule.objects.count() == 1  # only the retry of attempt 2


def test_an_unknown_job_name_is_an_error_not_a_silent_drop() -> None:
    with pytest.raises(core.JobError):
        core.run("tests.nothing", [], {})


def test_a_lease_has_one_holder_until_released_or_expired() -> None:
    first = leases.acquire("index:test", 60)
    second = leases.acquire("index:test", 60)

    assert first and second is None
    assert leases.renew("index:test", first, 60)
    assert not leases.renew("index:test", "someone-else", 60)
    assert 50 < leases.seconds_left("index:test") <= 60

    leases.release("index:test", first)
    third = leases.acquire("index:test", 60)
    assert third and third != first

    # A holder that died: its lease runs out and the next caller takes it over.
    Lease.objects.filter(name="index:test").update(expires_at=timezone.now() - timedelta(seconds=1))
    fourth = leases.acquire("index:test", 60)
    assert fourth and not leases.renew("index:test", third, 60)


def test_periodic_jobs_are_scheduled_once_and_stale_ones_removed() -> None:
    Schedule.objects.create(
        name="luodi:gone.job", func="luodi.jobs.core.run", next_run=timezone.now()
    )

    names = schedules.ensure_schedules()
    again = schedules.ensure_schedules()

    rows = {s.name: s for s in Schedule.objects.all()}
    assert names == again
    assert "luodi:tests.periodic" in rows and "luodi:gone.job" not in rows
    assert {"luodi:pipeline.send_reminders", "luodi:retrieval.sweep_indexes"} <= set(rows)
    tick = rows["luodi:tests.periodic"]
    assert (tick.schedule_type, tick.minutes) == (Schedule.MINUTES, 7)
    nightly = rows["luodi:retrieval.reconcile_indexes"]
    assert nightly.schedule_type == Schedule.DAILY
    assert timezone.localtime(nightly.next_run).strftime("%H:%M") == "03:30"


def test_queued_mail_keeps_alternatives_and_attachments(settings: Any) -> None:
    settings.EMAIL_BACKEND = "luodi.jobs.mail.QueuedEmailBackend"
    settings.LUODI_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    message = EmailMultiAlternatives("报名确认", "正文", "luodi@example.org", ["a@example.org"])
    message.attach_alternative("<p>正文</p>", "text/html")
    message.attach("event.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")

    assert message.send() == 1

    (sent,) = mail.outbox
    assert (sent.subject, sent.body, sent.to) == ("报名确认", "正文", ["a@example.org"])
    assert sent.alternatives[0][1] == "text/html"
    assert sent.attachments[0][0] == "event.ics"
    content = sent.attachments[0][1]
    assert (content if isinstance(content, str) else content.decode()).startswith("BEGIN:VCALENDAR")


def test_queued_mail_that_the_server_refuses_is_retried(settings: Any) -> None:
    settings.EMAIL_BACKEND = "luodi.jobs.mail.QueuedEmailBackend"
    settings.LUODI_EMAIL_DELIVERY_BACKEND = "tests.jobs.test_jobs.RefusingBackend"

    mail.send_mail("s", "b", "luodi@example.org", ["a@example.org"])

    retry = Schedule.objects.get()
    assert ast.literal_eval(retry.args)[0] == "jobs.send_email"


class RefusingBackend:
    def __init__(self, **kwargs: Any) -> None:
        pass

    def send_messages(self, messages: Any) -> int:
        raise ConnectionRefusedError("smtp down")
