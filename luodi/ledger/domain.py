"""Writes of ledger entries. Each is one transaction and one audit entry; `actor` is
keyword-only and explicit. Permission checks are the callers' (rules.py); the checks here
are of the data, the same for the form, the API, the demo and the obligations."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.catalog.models import Achievement, Organization
from luodi.concurrency import save_changes, save_values
from luodi.ledger.choices import KINDS_OF, LedgerDirection, LedgerKind, LedgerStatus
from luodi.ledger.models import LedgerEntry
from luodi.pipeline.choices import ObligationKind, ObligationStatus
from luodi.pipeline.models import Agreement

FIELDS = (
    "institution",
    "achievement",
    "agreement",
    "direction",
    "kind",
    "amount_fen",
    "valuation_fen",
    "shares_note",
    "status",
    "expected_on",
    "received_on",
    "note",
)
# A trillion yuan: anything larger is a typing error (and stays far inside a bigint).
MAX_FEN = 10**14
# 万元 (10k CNY) as the obligations state amounts, in fen.
FEN_PER_WAN = 1_000_000
# Obligations whose amount is money coming to the institution, and the entry kind of each.
PAYING = {
    ObligationKind.MILESTONE_PAYMENT: LedgerKind.MILESTONE,
    ObligationKind.ROYALTY: LedgerKind.ROYALTY,
}


def belongs(institution: Organization, agreement: Agreement) -> bool:
    """Whether `institution` is a party of `agreement`: named among its parties, or (a
    project's agreement, whose parties are often left empty) a party of its project."""
    if agreement.parties.filter(pk=institution.pk).exists():
        return True
    project = agreement.project
    return project is not None and institution.pk in project.party_ids()


def check(values: Mapping[str, Any], today: date | None = None) -> None:
    """Raise ValidationError (by field) when the values cannot describe an entry."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    institution: Organization | None = values.get("institution")
    direction, kind = values.get("direction") or "", values.get("kind") or ""
    status = values.get("status") or ""
    amount, valuation = values.get("amount_fen"), values.get("valuation_fen")
    expected_on, received_on = values.get("expected_on"), values.get("received_on")
    if institution is None:
        add("institution", _("Choose the institution whose ledger this is."))
    if direction not in LedgerDirection.values:
        add("direction", _("Choose income or expense."))
    if kind not in LedgerKind.values:
        add("kind", _("Choose the kind of entry."))
    elif direction in LedgerDirection.values and kind not in KINDS_OF[LedgerDirection(direction)]:
        add("kind", _("This kind does not go with the direction chosen."))
    if status not in LedgerStatus.values:
        add("status", _("Choose the status."))
    if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount <= MAX_FEN:
        add("amount_fen", _("Enter an amount more than zero (at most a trillion yuan)."))
    if kind == LedgerKind.EQUITY:
        if valuation is None or not 0 < valuation <= MAX_FEN:
            add("valuation_fen", _("Equity needs the valuation of the achievement."))
    elif valuation is not None:
        add("valuation_fen", _("Only an equity entry has a valuation; clear it."))
    if status == LedgerStatus.RECEIVED and received_on is None:
        add("received_on", _("Enter the day it was received or paid."))
    if status == LedgerStatus.EXPECTED and received_on is not None:
        add("received_on", _("Only a received entry has this date: change the status or clear it."))
    if status == LedgerStatus.EXPECTED and expected_on is None:
        add("expected_on", _("Enter the day it is expected."))
    if received_on is not None and received_on > today:
        add("received_on", _("This day cannot be in the future."))
    achievement: Achievement | None = values.get("achievement")
    agreement: Agreement | None = values.get("agreement")
    owner_id = achievement.owner_id if achievement is not None else None
    if institution is not None and achievement is not None and owner_id != institution.pk:
        add("achievement", _("This achievement is not owned by the institution."))
    if institution is not None and agreement is not None and not belongs(institution, agreement):
        add("agreement", _("The institution is not a party of this agreement."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_entry(
    *,
    actor: User,
    entry: LedgerEntry | None,
    values: Mapping[str, Any],
    expected_version: int | None = None,
    is_demo: bool = False,
    ip: str | None = None,
) -> LedgerEntry:
    """Create or change an entry; only the fields in `values` change. A stale
    `expected_version` raises Conflict and nothing is written."""
    if entry is not None and entry.fee_payment_id:
        raise ValidationError(
            _("This entry is a patent annual fee as paid: change the payment on the patent's page.")
        )
    clean = {name: values[name] for name in FIELDS if name in values}
    check({**audit.snapshot(entry, FIELDS), **clean})
    target = entry or LedgerEntry(created_by=actor, is_demo=is_demo)
    save_values(
        actor=actor,
        instance=target,
        fields=FIELDS,
        values=clean,
        expected_version=expected_version,
        ip=ip,
    )
    return target


def _change_status(
    *,
    actor: User,
    entry: LedgerEntry,
    changes: dict[str, Any],
    verb: str,
    expected_version: int | None,
    ip: str | None,
) -> LedgerEntry:
    """Save a change of status: it claims the version too, so an edit form opened before
    it conflicts instead of writing the old status back."""
    check({**audit.snapshot(entry, FIELDS), **changes})
    save_changes(
        actor=actor,
        instance=entry,
        changes=changes,
        verb=verb,
        expected_version=expected_version,
        ip=ip,
    )
    return entry


@transaction.atomic
def mark_received(
    *,
    actor: User,
    entry: LedgerEntry,
    received_on: date | None,
    amount_fen: int | None = None,
    expected_version: int | None = None,
    ip: str | None = None,
) -> LedgerEntry:
    """An expected entry received (income) or paid (expense) on `received_on`, for
    `amount_fen` when the amount differs from the one expected."""
    if entry.status != LedgerStatus.EXPECTED:
        raise ValidationError({"status": [_("Only an expected entry can be marked received.")]})
    changes: dict[str, Any] = {"status": LedgerStatus.RECEIVED, "received_on": received_on}
    if amount_fen is not None:
        changes["amount_fen"] = amount_fen
    return _change_status(
        actor=actor,
        entry=entry,
        changes=changes,
        verb="ledgerentry.receive",
        expected_version=expected_version,
        ip=ip,
    )


@transaction.atomic
def cancel(
    *,
    actor: User,
    entry: LedgerEntry,
    expected_version: int | None = None,
    ip: str | None = None,
) -> LedgerEntry:
    """An expected entry that will not come (a milestone missed for good, a waived fee)."""
    if entry.status != LedgerStatus.EXPECTED:
        raise ValidationError({"status": [_("Only an expected entry can be cancelled.")]})
    return _change_status(
        actor=actor,
        entry=entry,
        changes={"status": LedgerStatus.CANCELLED},
        verb="ledgerentry.cancel",
        expected_version=expected_version,
        ip=ip,
    )


def fen_of_wan(amount_wan: Decimal) -> int:
    """万元 to fen, exactly: Decimal("12.34") → 12_340_000."""
    return int((Decimal(amount_wan) * FEN_PER_WAN).to_integral_value())


@transaction.atomic
def entries_from_obligations(
    *,
    actor: User,
    agreement: Agreement,
    institution: Organization | None = None,
    is_demo: bool = False,
    ip: str | None = None,
) -> list[LedgerEntry]:
    """One expected income entry for each open payment obligation of `agreement` (milestone
    payment or royalty, with an amount and a due date) that has none yet; returns those
    created. Idempotent: an obligation's entry is unique, so a re-run, or a concurrent one,
    adds nothing. The institution is the given one, else the project's owner (whose
    achievement earns the payment)."""
    if institution is None and agreement.project is not None:
        institution = agreement.project.owner
    if institution is None or not belongs(institution, agreement):
        raise ValidationError(
            {"institution": [_("Choose an institution that is a party of this agreement.")]}
        )
    achievement = agreement.project.achievement if agreement.project else None
    if achievement is not None and achievement.owner_id != institution.pk:
        achievement = None
    obligations = agreement.obligations.filter(
        kind__in=list(PAYING),
        amount_wan__gt=0,
        due_date__isnull=False,
        ledger_entry__isnull=True,
    ).exclude(status=ObligationStatus.WAIVED)
    created = []
    for obligation in obligations.order_by("due_date", "pk"):
        assert obligation.amount_wan is not None and obligation.due_date is not None
        values = {
            "institution": institution,
            "achievement": achievement,
            "agreement": agreement,
            "direction": LedgerDirection.INCOME,
            "kind": PAYING[ObligationKind(obligation.kind)],
            "amount_fen": fen_of_wan(obligation.amount_wan),
            "status": LedgerStatus.EXPECTED,
            "expected_on": obligation.due_date,
            "note": obligation.description,
        }
        try:
            check(values)
        except ValidationError:
            continue  # an amount beyond the bound: left for a person to enter
        entry = LedgerEntry(created_by=actor, is_demo=is_demo, obligation=obligation, **values)
        try:
            with transaction.atomic():
                entry.save()
        except IntegrityError:
            continue  # a concurrent run created it first
        audit.record(
            actor=actor,
            verb="ledgerentry.create",
            target=entry,
            changes={"obligation": obligation.pk, "amount_fen": entry.amount_fen},
            ip=ip,
        )
        created.append(entry)
    return created
