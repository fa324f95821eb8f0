"""Take, renew and release a `Lease` (see models.py for why the database clock)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, ExpressionWrapper, Q
from django.db.models.functions import Now

from luodi.jobs.models import Lease


def _until(seconds: float) -> ExpressionWrapper:
    return ExpressionWrapper(Now() + timedelta(seconds=seconds), output_field=DateTimeField())


def acquire(name: str, seconds: float) -> str | None:
    """A holder token when the lease was free (or expired), None while someone holds it."""
    if not Lease.objects.filter(name=name).exists():
        try:
            with transaction.atomic():
                Lease.objects.create(name=name)
        except IntegrityError:  # another process created it first: fine
            pass
    token = uuid.uuid4().hex
    free = Q(expires_at__isnull=True) | Q(expires_at__lt=Now())
    taken = Lease.objects.filter(free, name=name).update(holder=token, expires_at=_until(seconds))
    return token if taken == 1 else None


def renew(name: str, token: str, seconds: float) -> bool:
    """Extend a held lease; False when it has expired and someone else took it."""
    return Lease.objects.filter(name=name, holder=token).update(expires_at=_until(seconds)) == 1


def release(name: str, token: str) -> None:
    Lease.objects.filter(name=name, holder=token).update(holder="", expires_at=None)


def seconds_left(name: str) -> float:
    """How long the current holder still has (0 when free); for scheduling a later look."""
    row = Lease.objects.filter(name=name, expires_at__gt=Now()).values_list("expires_at", flat=True)
    expires = row.first()
    if expires is None:
        return 0.0
    from django.utils import timezone

    return max(0.0, (expires - timezone.now()).total_seconds())
