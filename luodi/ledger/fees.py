"""Patent annual fees in the ledger: every fee payment recorded on a patent (patents.FeePayment)
is an expense of the institution that paid it, kept as one mirrored entry.

Why a signal and not a call from patents.domain: patents sit below the ledger (the ledger
links patents, never the reverse), and payments are written by the patent page, the API, the
importer and the demo alike. The receiver runs inside the payment's transaction, so a
payment and its entry are written or refused together; deleting the payment deletes the
entry (CASCADE).

Who paid: the patent's fee payer, or its only owner when no payer is named. A patent with
several owners and no payer has no entry until a payer is named: guessing would put a cost in
the wrong institution's accounts. The entry links the achievement when the patent backs
exactly one.
"""

from __future__ import annotations

from typing import Any

from django.db.models import signals

from luodi.ledger.choices import LedgerDirection, LedgerKind, LedgerStatus
from luodi.ledger.models import LedgerEntry
from luodi.patents.models import FeePayment, Patent


def payer_id(patent: Patent) -> int | None:
    if patent.fee_payer_id:
        return int(patent.fee_payer_id)
    owners = list(patent.owners.values_list("pk", flat=True)[:2])
    return owners[0] if len(owners) == 1 else None


def mirror(payment: FeePayment) -> LedgerEntry | None:
    """Write (or bring up to date) the entry of `payment`; drop it when no payer is known."""
    patent = payment.patent
    institution_id = payer_id(patent)
    existing = LedgerEntry.objects.filter(fee_payment=payment).first()
    if institution_id is None:
        if existing is not None:
            existing.delete()
        return None
    achievements = list(patent.achievements.values_list("pk", flat=True)[:2])
    values: dict[str, Any] = {
        "institution_id": institution_id,
        "achievement_id": achievements[0] if len(achievements) == 1 else None,
        "direction": LedgerDirection.EXPENSE,
        "kind": LedgerKind.PATENT_FEES,
        "amount_fen": payment.amount_fen + payment.late_fee_fen,
        "status": LedgerStatus.RECEIVED,
        "expected_on": payment.paid_on,
        "received_on": payment.paid_on,
        "is_demo": patent.is_demo,
    }
    if existing is None:
        return LedgerEntry.objects.create(
            fee_payment=payment, created_by_id=payment.recorded_by_id, **values
        )
    for name, value in values.items():
        setattr(existing, name, value)
    existing.version += 1
    existing.save()
    return existing


def _payment_saved(sender: Any, instance: FeePayment, raw: bool = False, **kwargs: Any) -> None:
    if not raw:  # loaddata writes the mirrored entries from its own fixture
        mirror(instance)


def _patent_saved(sender: Any, instance: Patent, raw: bool = False, **kwargs: Any) -> None:
    """A new fee payer moves the patent's past fees to the payer's ledger."""
    if raw:
        return
    for payment in FeePayment.objects.filter(patent=instance).select_related("patent"):
        mirror(payment)


def _owners_changed(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, Patent):
        _patent_saved(Patent, instance)


def connect() -> None:
    signals.post_save.connect(_payment_saved, sender=FeePayment, dispatch_uid="ledger-fee")
    signals.post_save.connect(_patent_saved, sender=Patent, dispatch_uid="ledger-fee-payer")
    signals.m2m_changed.connect(
        _owners_changed, sender=Patent.owners.through, dispatch_uid="ledger-fee-owners"
    )
    signals.m2m_changed.connect(
        _owners_changed, sender=Patent.achievements.through, dispatch_uid="ledger-fee-achs"
    )
