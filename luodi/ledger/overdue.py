"""Expected income past its day: one follow-up task on the agreement's project for each
(`raise_overdue_payments`, a daily job in tasks.py), and the query the page's "overdue"
filter shares with it. An entry whose agreement has no project has nowhere to raise a task:
the ledger page lists it as overdue instead."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from luodi import money
from luodi.ledger.choices import LedgerDirection, LedgerStatus
from luodi.ledger.models import LedgerEntry
from luodi.pipeline.domain.tasks import create_task
from luodi.pipeline.rules import assignable_users

log = logging.getLogger(__name__)
FOLLOW_UP_DAYS = 14


def overdue(entries: QuerySet[LedgerEntry], today: date | None = None) -> QuerySet[LedgerEntry]:
    today = today or timezone.localdate()
    return entries.filter(
        direction=LedgerDirection.INCOME, status=LedgerStatus.EXPECTED, expected_on__lt=today
    )


def is_overdue(entry: LedgerEntry, today: date) -> bool:
    """The same question as `overdue`, of one entry already loaded."""
    return (
        entry.direction == LedgerDirection.INCOME
        and entry.status == LedgerStatus.EXPECTED
        and entry.expected_on is not None
        and entry.expected_on < today
    )


def raise_overdue_payments(today: date | None = None) -> int:
    """One follow-up task for each overdue expected income whose agreement belongs to a
    project. Claimed with a conditional UPDATE in the task's transaction, so two runs never
    raise two; returns how many were raised."""
    today = today or timezone.localdate()
    due = (
        overdue(LedgerEntry.objects.all(), today)
        .filter(overdue_task__isnull=True, agreement__project__isnull=False)
        .select_related(
            "institution", "agreement__project__staff", "agreement__project__created_by"
        )
        .order_by("pk")
    )
    raised = 0
    for entry in due:
        assert entry.agreement is not None and entry.agreement.project is not None
        project = entry.agreement.project
        owner = project.staff or project.created_by
        if owner is None or not assignable_users(project).filter(pk=owner.pk).exists():
            log.warning("Ledger entry %s: nobody to follow up the overdue payment", entry.pk)
            continue
        assert entry.expected_on is not None  # an expected entry always has its day
        title = _("Payment overdue: %(kind)s %(amount)s expected on %(date)s (%(agreement)s)") % {
            "kind": entry.get_kind_display(),
            "amount": money.shown(entry.amount_fen),
            "date": entry.expected_on.isoformat(),
            "agreement": entry.agreement.title,
        }
        with transaction.atomic():
            task = create_task(
                actor=owner,
                project=project,
                title=title[:255],
                owner=owner,
                due_date=today + timedelta(days=FOLLOW_UP_DAYS),
            )
            claimed = LedgerEntry.objects.filter(pk=entry.pk, overdue_task__isnull=True).update(
                overdue_task=task
            )
            if not claimed:  # another run raised it first: take ours back
                transaction.set_rollback(True)
                continue
        raised += 1
    return raised
