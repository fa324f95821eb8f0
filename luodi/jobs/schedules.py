"""Periodic jobs, registered with django-q2's scheduler by `luodi worker` at start.

The schedule rows live in the database, so however many workers run, each period queues
its job once (django-q2 locks the due rows with SELECT … FOR UPDATE). Cron is not needed."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from luodi.jobs.core import registered

PREFIX = "luodi:"


def _next_daily(at: str, now: datetime) -> datetime:
    hour, minute = (int(part) for part in at.split(":"))
    local = timezone.localtime(now)
    candidate = timezone.make_aware(datetime.combine(local.date(), time(hour, minute)))
    return candidate if candidate > now else candidate + timedelta(days=1)


def ensure_schedules() -> list[str]:
    """Create or update one schedule per periodic job; drop ours that no job declares."""
    from django_q.models import Schedule

    now = timezone.now()
    names: list[str] = []
    for declared in registered().values():
        if not (declared.every_minutes or declared.daily_at):
            continue
        name = f"{PREFIX}{declared.name}"
        names.append(name)
        fields: dict[str, object] = {
            "func": "luodi.jobs.core.run",
            "args": repr((declared.name, [], {}, 1)),
            "repeats": -1,
        }
        if declared.every_minutes:
            fields.update(schedule_type=Schedule.MINUTES, minutes=declared.every_minutes)
            first = now + timedelta(minutes=1)
        else:
            assert declared.daily_at is not None
            fields.update(schedule_type=Schedule.DAILY, minutes=None)
            first = _next_daily(declared.daily_at, now)
        row = Schedule.objects.filter(name=name).first()
        if row is None:
            Schedule.objects.create(name=name, next_run=first, **fields)
            continue
        changed = [key for key, value in fields.items() if getattr(row, key) != value]
        for key in changed:
            setattr(row, key, fields[key])
        if "schedule_type" in changed or "minutes" in changed:
            row.next_run = first
            changed.append("next_run")
        if changed:
            row.save(update_fields=changed)
    Schedule.objects.filter(name__startswith=PREFIX).exclude(name__in=names).delete()
    return names
