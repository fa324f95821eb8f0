"""The ledger's domain: what an entry must say, marking received, cancelling, entries from
an agreement's obligations (once), the overdue follow-up task (raised once), and the
summary reconciled with the entries to the fen."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from luodi.concurrency import Conflict
from luodi.ledger import domain
from luodi.ledger.models import LedgerEntry
from luodi.ledger.overdue import raise_overdue_payments
from luodi.ledger.summary import Period, summarize
from luodi.pipeline.domain.agreements import add_obligation
from luodi.pipeline.models import Task
from tests.conftest import Personas
from tests.factories import AchievementFactory
from tests.ledger.helpers import TODAY, agreement, entry, project_agreement

pytestmark = pytest.mark.django_db


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return set(exc.value.message_dict)


def test_bad_values_are_refused_by_field_and_nothing_is_written(personas: Personas) -> None:
    other = AchievementFactory(owner=personas.org_b)
    cases = [
        ({"amount_fen": 0}, "amount_fen"),
        ({"amount_fen": 10**14 + 1}, "amount_fen"),
        ({"received_on": None}, "received_on"),
        ({"received_on": TODAY + timedelta(days=1)}, "received_on"),
        ({"kind": "equity"}, "valuation_fen"),
        ({"kind": "patent_fees"}, "kind"),
        ({"achievement": other}, "achievement"),
        ({"status": "expected", "expected_on": None, "received_on": None}, "expected_on"),
    ]
    for values, field in cases:
        with pytest.raises(ValidationError) as exc:
            entry(personas.staff, personas.org_a, **values)
        assert field in _errors(exc), values
    assert not LedgerEntry.objects.exists()


def test_an_agreement_the_institution_is_no_party_of_is_refused(personas: Personas) -> None:
    _project, theirs = project_agreement(personas.staff, personas.org_b)
    with pytest.raises(ValidationError) as exc:
        entry(personas.staff, personas.org_a, agreement=theirs)
    assert _errors(exc) == {"agreement"}
    # A party named on the agreement belongs, though not a party of its project.
    named = agreement(personas.staff, _project, [personas.org_b, personas.org_a], "三方协议")
    assert entry(personas.staff, personas.org_a, agreement=named).agreement == named


def test_equity_keeps_its_valuation(personas: Personas) -> None:
    e = entry(
        personas.staff,
        personas.org_a,
        kind="equity",
        amount_fen=400_000_000,
        valuation_fen=500_000_000,
        shares_note="8%",
    )
    assert (e.valuation_fen, e.shares_note) == (500_000_000, "8%")


def test_mark_received_and_cancel(personas: Personas) -> None:
    e = entry(personas.staff, personas.org_a, status="expected", received_on=None)
    with pytest.raises(ValidationError) as exc:
        domain.mark_received(actor=personas.staff, entry=e, received_on=None)
    assert _errors(exc) == {"received_on"}
    e.refresh_from_db()
    assert e.status == "expected"
    domain.mark_received(actor=personas.staff, entry=e, received_on=TODAY, amount_fen=123_45)
    e.refresh_from_db()
    assert (e.status, e.received_on, e.amount_fen, e.version) == ("received", TODAY, 12345, 2)
    with pytest.raises(ValidationError):
        domain.cancel(actor=personas.staff, entry=e)
    f = entry(personas.staff, personas.org_a, status="expected", received_on=None)
    domain.cancel(actor=personas.staff, entry=f)
    assert LedgerEntry.objects.get(pk=f.pk).status == "cancelled"


def test_a_stale_version_conflicts_and_writes_nothing(personas: Personas) -> None:
    e = entry(personas.staff, personas.org_a)
    domain.save_entry(actor=personas.staff, entry=e, values={"note": "甲"}, expected_version=1)
    stale = LedgerEntry.objects.get(pk=e.pk)
    with pytest.raises(Conflict):
        domain.save_entry(
            actor=personas.staff, entry=stale, values={"note": "乙"}, expected_version=1
        )
    assert LedgerEntry.objects.get(pk=e.pk).note == "甲"


def test_entries_from_obligations_once(personas: Personas) -> None:
    _project, licence = project_agreement(personas.staff, personas.org_a)
    due = TODAY + timedelta(days=60)
    for kind, amount, day in (
        ("milestone_payment", Decimal("12.34"), due),
        ("royalty", Decimal("5"), due + timedelta(days=30)),
        ("report", None, due),
        ("milestone_payment", None, due),  # no amount: nothing to expect
    ):
        add_obligation(
            actor=personas.staff,
            agreement=licence,
            kind=kind,
            description=f"{kind} 义务",
            due_date=day,
            amount_wan=amount,
        )
    made = domain.entries_from_obligations(actor=personas.staff, agreement=licence)
    assert sorted(e.amount_fen for e in made) == [5_000_000, 12_340_000]
    assert {e.kind for e in made} == {"milestone", "royalty"}
    assert all(e.status == "expected" and e.institution == personas.org_a for e in made)
    assert domain.entries_from_obligations(actor=personas.staff, agreement=licence) == []
    assert LedgerEntry.objects.count() == 2


def test_overdue_payment_raises_one_task_on_the_project(personas: Personas) -> None:
    project, licence = project_agreement(personas.staff, personas.org_a)
    late = entry(
        personas.staff,
        personas.org_a,
        agreement=licence,
        kind="milestone",
        status="expected",
        expected_on=TODAY - timedelta(days=5),
        received_on=None,
    )
    # No project: listed on the page as overdue, no task.
    between = agreement(personas.staff, None, [personas.org_a, personas.org_b], "框架协议")
    entry(
        personas.staff,
        personas.org_a,
        agreement=between,
        status="expected",
        expected_on=TODAY - timedelta(days=5),
        received_on=None,
    )
    before = Task.objects.count()
    assert raise_overdue_payments() == 1
    assert raise_overdue_payments() == 0
    late.refresh_from_db()
    assert late.overdue_task is not None and late.overdue_task.project == project
    assert Task.objects.count() == before + 1


def test_summary_reconciles_with_the_entries_to_the_fen(personas: Personas) -> None:
    year = TODAY.year - 1
    amounts = [1, 99, 12_345_67, 10**12 + 3]
    for i, amount in enumerate(amounts):
        on = date(year, 1 + 3 * i, 15)
        entry(personas.staff, personas.org_a, amount_fen=amount, received_on=on, expected_on=on)
    entry(
        personas.staff,
        personas.org_a,
        direction="expense",
        kind="patent_fees",
        amount_fen=9_001,
        received_on=date(year, 2, 1),
    )
    entry(
        personas.staff,
        personas.org_a,
        kind="milestone",
        status="expected",
        amount_fen=777,
        received_on=None,
        expected_on=date(year, 11, 30),
    )
    cancelled = entry(
        personas.staff,
        personas.org_a,
        status="expected",
        received_on=None,
        expected_on=date(year, 5, 1),
    )
    domain.cancel(actor=personas.staff, entry=cancelled)
    entry(personas.staff, personas.org_b, amount_fen=5, received_on=date(year, 3, 3))
    mine = LedgerEntry.objects.filter(institution=personas.org_a)
    whole = summarize(mine, Period(year))
    assert whole.income["royalty"] == sum(amounts)
    assert whole.expense_fen == 9_001
    assert whole.net_fen == sum(amounts) - 9_001
    assert whole.expected_income_fen == 777
    quarters = [summarize(mine, Period(year, q)) for q in (1, 2, 3, 4)]
    assert sum(q.income_fen for q in quarters) == whole.income_fen
    assert sum(q.net_fen for q in quarters) == whole.net_fen
    assert quarters[0].income_fen == 1 and quarters[0].expense_fen == 9_001
