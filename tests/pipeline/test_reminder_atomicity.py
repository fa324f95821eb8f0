"""A reminder's claim and its queued notification commit together: a run killed between
them loses nothing, and the next run sends the reminder exactly once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from luodi.notifications.models import Delivery
from luodi.pipeline import reminders
from luodi.pipeline.domain.tasks import create_task
from luodi.pipeline.models import DigestSent, Task
from tests.conftest import Personas
from tests.pipeline.factories import make_project

pytestmark = pytest.mark.django_db


class Killed(BaseException):
    """The process dies (SIGKILL, out of memory): no `except Exception` runs."""


def _due_task(personas: Personas) -> Task:
    return create_task(
        actor=personas.staff,
        project=make_project(personas.staff, personas.org_a),
        title="提交中期报告",
        owner=personas.partner_a,
        due_date=timezone.localdate() + timedelta(days=1),
    )


def test_killed_between_claim_and_queue_keeps_no_claim(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    task = _due_task(personas)

    def killed(*args: Any, **kwargs: Any) -> int:
        raise Killed

    monkeypatch.setattr(reminders, "notify", killed)
    with pytest.raises(Killed):
        reminders.send_due_reminders()
    task.refresh_from_db()
    assert task.reminded_at is None

    monkeypatch.undo()
    assert reminders.send_due_reminders().reminders == 1
    assert reminders.send_due_reminders().reminders == 0
    assert [m.subject for m in mail.outbox if "提交中期报告" in m.subject] != []
    assert len(mail.outbox) == 1


def test_killed_after_queueing_keeps_neither_claim_nor_deliveries(
    personas: Personas, monkeypatch: pytest.MonkeyPatch, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.LUODI_JOBS_SYNC = False  # queue the delivery jobs, do not run them here
    task = _due_task(personas)
    real_notify = reminders.notify

    def queued_then_killed(**kwargs: Any) -> int:
        real_notify(**kwargs)
        raise Killed

    monkeypatch.setattr(reminders, "notify", queued_then_killed)
    with pytest.raises(Killed):
        reminders.send_due_reminders()

    task.refresh_from_db()
    assert task.reminded_at is None
    assert not Delivery.objects.exists()

    monkeypatch.undo()
    reminders.send_due_reminders()
    reminders.send_due_reminders()
    assert Delivery.objects.count() == 1


def test_killed_digest_is_sent_by_the_next_run(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    _due_task(personas)

    def killed(*args: Any, **kwargs: Any) -> int:
        raise Killed

    monkeypatch.setattr(reminders, "notify", killed)
    with pytest.raises(Killed):
        reminders.send_digests()
    assert not DigestSent.objects.exists()

    monkeypatch.undo()
    assert reminders.send_digests().digests == 1
    assert reminders.send_digests().digests == 0
