"""The scheduled job (`luodi send_reminders`): reminders for tasks that fall due and a daily
digest per person. Safe to run twice, even at the same time: each reminder is claimed
with a conditional UPDATE (… WHERE reminded_at IS NULL) and each digest by inserting a row
with a unique (person, day) key; only the run that wins the claim sends.

Sending goes through luodi.notifications, whose `notify` writes the notification, its
deliveries and their `notifications.deliver` jobs into the database (the job queue lives
there too). The claim and that queueing are one transaction: a run that dies between them
(killed, out of memory, the machine lost) leaves neither, so the next run sends the reminder;
once committed, each delivery is a job retried on its own, so nothing is sent twice either.
A concurrent run waits on the claimed row until this one commits, then finds it claimed."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from luodi.accounts.models import User
from luodi.catalog.models import Organization
from luodi.notifications.domain import Message, notify
from luodi.notifications.models import EventKind
from luodi.pipeline.choices import TaskStatus
from luodi.pipeline.models import DigestSent, Task

log = logging.getLogger(__name__)

# A task is reminded once, this many days before it falls due (or when overdue).
REMIND_DAYS_BEFORE = 1


@dataclass
class RunResult:
    reminders: int = 0
    digests: int = 0
    failed: int = 0


def due_reminders(today: date) -> QuerySet[Task]:
    return Task.objects.filter(
        status=TaskStatus.OPEN,
        reminded_at__isnull=True,
        due_date__isnull=False,
        due_date__lte=today + timedelta(days=REMIND_DAYS_BEFORE),
        owner__is_active=True,
    ).select_related("owner", "project__owner")


def claim_reminder(task_id: int, now: datetime) -> bool:
    """Atomically mark the task reminded; True only for the one caller that flipped it."""
    return Task.objects.filter(pk=task_id, reminded_at__isnull=True).update(reminded_at=now) == 1


def _send(
    user: User,
    template: str,
    context: dict[str, object],
    *,
    about: Task | None = None,
    teams: list[Organization] | None = None,
) -> int:
    """Queue the message for `user` (and `teams`); the template's first line is the subject,
    and it is rendered once per recipient language, with `user` None for a team."""

    def compose(recipient: User | None, language: str) -> Message:
        text = render_to_string(template, {**context, "user": recipient})
        subject, _sep, body = text.strip().partition("\n")
        return Message(subject=subject.strip(), body=body.strip() + "\n")

    return notify(
        kind=EventKind.REMINDER,
        compose=compose,
        users=[user],
        organizations=teams or [],
        about=about,
        actor_label="send_reminders",
    )


def send_due_reminders(now: datetime | None = None) -> RunResult:
    now = now or timezone.now()
    today = timezone.localdate(now)
    result = RunResult()
    for task in list(due_reminders(today)):
        try:
            with transaction.atomic():
                if not claim_reminder(task.pk, now):
                    continue  # another run got it first
                sent = _send(
                    task.owner,
                    "pipeline/email/reminder.txt",
                    {"task": task, "overdue": task.due_date and task.due_date < today},
                    about=task,
                    teams=[task.project.owner] if task.project else [],
                )
            result.reminders += 1 if sent else 0
        except Exception:
            # The claim rolled back with whatever was queued: the next run retries.
            log.exception("Reminder for task %s failed", task.pk)
            result.failed += 1
    return result


def claim_digest(user: User, day: date) -> bool:
    """Insert the (person, day) row; False when another run has it. Inside the sender's
    transaction, so a failed send takes the claim back with it."""
    try:
        with transaction.atomic():
            DigestSent.objects.create(user=user, day=day)
    except IntegrityError:
        return False
    return True


def send_digests(now: datetime | None = None, *, not_before_hour: int = 0) -> RunResult:
    """One message per person with open tasks due within a week (or overdue), once a day, not
    before `not_before_hour` local time (the job may run every few minutes from midnight)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if timezone.localtime(now).hour < not_before_hour:
        return RunResult()
    horizon = today + timedelta(days=7)
    tasks = (
        Task.objects.filter(status=TaskStatus.OPEN, due_date__lte=horizon, owner__is_active=True)
        .select_related("owner", "project")
        .order_by("owner_id", "due_date", "id")
    )
    by_owner: dict[int, list[Task]] = {}
    for task in tasks:
        by_owner.setdefault(task.owner_id, []).append(task)
    result = RunResult()
    for items in by_owner.values():
        owner = items[0].owner
        try:
            with transaction.atomic():
                if not claim_digest(owner, today):
                    continue
                sent = _send(
                    owner,
                    "pipeline/email/digest.txt",
                    {
                        "tasks": items,
                        "today": today,
                        "overdue": [t for t in items if t.due_date and t.due_date < today],
                    },
                )
            result.digests += 1 if sent else 0
        except Exception:
            log.exception("Digest for user %s failed", owner.pk)
            result.failed += 1
    return result
