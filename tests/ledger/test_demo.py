"""The demo's ledgers: West China's shows income received, an overdue milestone, expenses
and an equity entry on a fresh run; the demo hospital user sees its own; a second run adds
nothing."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone

from luodi import demo
from luodi.accounts.models import User
from luodi.ledger.models import LedgerEntry
from luodi.ledger.overdue import overdue
from luodi.ledger.rules import entries_visible_to
from luodi.ledger.summary import Period, summarize
from luodi.patents.models import FeePayment

pytestmark = pytest.mark.django_db


def test_demo_ledgers() -> None:
    demo.load(io.StringIO())
    count = LedgerEntry.objects.count()
    demo.load(io.StringIO())  # idempotent
    assert LedgerEntry.objects.count() == count
    # Two hospitals and one licensor, besides the demo patents' annual fees as paid.
    assert LedgerEntry.objects.filter(fee_payment__isnull=True).count() == 18
    mirrored = LedgerEntry.objects.filter(fee_payment__isnull=False)
    assert mirrored.count() == FeePayment.objects.count() > 0
    assert {e.kind for e in mirrored} == {"patent_fees"}
    # The licensor's income comes through its licence contract, about its own achievement.
    through = LedgerEntry.objects.filter(agreement__isnull=False)
    assert through.exists()
    assert all(e.agreement.project.achievement == e.achievement for e in through)  # type: ignore[union-attr]
    assert not LedgerEntry.objects.filter(is_demo=False).exists()
    hospital = User.objects.get(username="hospital")
    own = entries_visible_to(hospital)
    assert own.filter(fee_payment__isnull=True).count() == 6
    assert {e.institution.name_zh for e in own} == {"四川大学华西医院"}
    assert {"upfront", "royalty", "milestone", "equity", "patent_fees", "evaluation"} == {
        e.kind for e in own
    }
    assert overdue(own).count() == 1
    assert own.get(kind="equity").valuation_fen
    today = timezone.localdate()
    years = {e.day.year for e in own if e.day}  # type: ignore[union-attr]
    assert today.year - 1 in years
    this = summarize(own, Period(today.year))
    assert this.income["royalty"] > 0 and this.expenses["evaluation"] > 0
    assert not entries_visible_to(User.objects.get(username="viewer")).exists()
    assert not any("demo" in (e.note + e.shares_note).lower() for e in LedgerEntry.objects.all())
