"""Reminders before a patent's annual fee falls due (60, 30 and 7 days ahead) and once in
its grace period, to the members and the team channels of whoever pays the fees (the
owners when no payer is named).

Each (patent, year, lead) is claimed by inserting a `FeeReminder` row in the transaction
that queues the message, so a re-run sends nothing twice and a rolled-back send can be
retried. A run after a pause sends only the most urgent lead still unsent, not a backlog.
"""

from __future__ import annotations

import logging
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone

from luodi import money
from luodi.accounts.models import User
from luodi.catalog.models import Organization
from luodi.notifications.domain import Message, notify
from luodi.notifications.models import EventKind
from luodi.patents import fees
from luodi.patents.choices import FeeState, LegalStatus, Office
from luodi.patents.models import FeePayment, FeeReminder, Patent

log = logging.getLogger(__name__)
GRACE = "grace"


def lead_for(row: fees.FeeYear, today: date) -> str | None:
    """Which reminder `row` calls for today: the tightest lead time it is within, "grace"
    once overdue, None when it is further off or settled."""
    if row.state == FeeState.GRACE:
        return GRACE
    if row.state != FeeState.DUE:
        return None
    days = (row.due_on - today).days
    within = [lead for lead in fees.REMIND_DAYS if days <= lead]
    return str(min(within)) if within else None


def payers(patent: Patent) -> list[Organization]:
    if patent.fee_payer is not None:
        return [patent.fee_payer]
    return list(patent.owners.all())


def _claim(patent: Patent, year: int, lead: str) -> bool:
    try:
        with transaction.atomic():
            FeeReminder.objects.create(patent=patent, year=year, lead=lead)
    except IntegrityError:
        return False  # sent before, or by a concurrent run
    return True


def send_fee_reminders(today: date | None = None) -> int:
    """Queue the reminders due today; returns how many patents were reminded."""
    today = today or timezone.localdate()
    patents = (
        Patent.objects.filter(status=LegalStatus.GRANTED, office=Office.CNIPA)
        .select_related("fee_payer")
        .prefetch_related(Prefetch("payments", queryset=FeePayment.objects.all()), "owners")
        .order_by("pk")
    )
    sent = 0
    for patent in patents:
        row = fees.next_unpaid(patent.fee_schedule(today))
        lead = lead_for(row, today) if row is not None else None
        if row is None or lead is None:
            continue
        teams = payers(patent)
        users = list(
            User.objects.filter(memberships__organization__in=teams, is_active=True).distinct()
        )
        try:
            with transaction.atomic():
                if not _claim(patent, row.year, lead):
                    continue

                def compose(
                    recipient: User | None,
                    language: str,
                    patent: Patent = patent,
                    row: fees.FeeYear = row,
                ) -> Message:
                    text = render_to_string(
                        "patents/email/fee_reminder.txt",
                        {
                            "patent": patent,
                            "row": row,
                            "fee_yuan": money.plain(row.fee_fen + row.late_fee_fen),
                            "user": recipient,
                        },
                    )
                    subject, _sep, body = text.strip().partition("\n")
                    return Message(subject=subject.strip(), body=body.strip() + "\n")

                notify(
                    kind=EventKind.REMINDER,
                    compose=compose,
                    users=users,
                    organizations=teams,
                    about=patent,
                    actor_label="patent_fee_reminders",
                )
            sent += 1
        except Exception:
            log.exception("Fee reminder for patent %s failed", patent.pk)
    return sent
