"""Patent annual fees in the ledger: a payment recorded on a patent is an expense of its payer,
moves with the payer, goes with the payment, cannot be edited in the ledger, and names the
patent only to whoever may see it."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from luodi.ledger import domain as ledger_domain
from luodi.ledger.choices import LedgerDirection, LedgerKind, LedgerStatus
from luodi.ledger.models import LedgerEntry
from luodi.ledger.summary import Period, summarize
from luodi.patents import domain
from luodi.patents.models import Patent
from tests.conftest import Personas, client_for
from tests.factories import AchievementFactory, OrganizationFactory
from tests.patents.test_views import TODAY, make_patent


def pay(personas: Personas, patent: Patent, late: int = 0) -> LedgerEntry:
    payment = domain.record_payment(
        actor=personas.staff,
        patent=patent,
        year=5,
        paid_on=TODAY,
        amount_fen=120_010,
        late_fee_fen=late,
    )
    return LedgerEntry.objects.get(fee_payment=payment)


@pytest.mark.django_db
def test_a_payment_is_an_expense_of_the_payer(personas: Personas) -> None:
    achievement = AchievementFactory(owner=personas.org_a)
    patent = make_patent(personas, [personas.org_a], achievements=[achievement])
    entry = pay(personas, patent, late=6_000)
    assert entry.institution == personas.org_a
    assert entry.direction == LedgerDirection.EXPENSE and entry.kind == LedgerKind.PATENT_FEES
    assert entry.status == LedgerStatus.RECEIVED and entry.received_on == TODAY
    assert entry.amount_fen == 126_010  # the fee and its late fee, to the fen
    assert entry.achievement == achievement
    year = Period(TODAY.year, None)
    mine = LedgerEntry.objects.filter(institution=personas.org_a)
    assert summarize(mine, year).expenses[LedgerKind.PATENT_FEES] == 126_010


@pytest.mark.django_db
def test_the_entry_follows_the_payer_and_goes_with_the_payment(personas: Personas) -> None:
    patent = make_patent(personas, [personas.org_a])
    entry = pay(personas, patent)
    payer = OrganizationFactory()
    domain.save_patent(
        actor=personas.staff, patent=patent, values={"fee_payer": payer}, owners=[personas.org_a]
    )
    entry.refresh_from_db()
    assert entry.institution == payer
    domain.remove_payment(actor=personas.staff, payment=patent.payments.get())
    assert not LedgerEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
def test_several_owners_and_no_payer_put_the_cost_nowhere(personas: Personas) -> None:
    patent = make_patent(personas, [personas.org_a, personas.org_b])
    payment = domain.record_payment(
        actor=personas.staff, patent=patent, year=5, paid_on=TODAY, amount_fen=120_000
    )
    assert not LedgerEntry.objects.filter(fee_payment=payment).exists()
    domain.save_patent(
        actor=personas.staff,
        patent=patent,
        values={"fee_payer": personas.org_b},
        owners=[personas.org_a, personas.org_b],
    )
    assert LedgerEntry.objects.get(fee_payment=payment).institution == personas.org_b


@pytest.mark.django_db
def test_a_mirrored_entry_is_changed_on_the_patent_only(personas: Personas) -> None:
    entry = pay(personas, make_patent(personas, [personas.org_a]))
    with pytest.raises(ValidationError):
        ledger_domain.save_entry(actor=personas.staff, entry=entry, values={"amount_fen": 1})
    client = client_for(personas.partner_a)
    response = client.patch(
        f"/api/ledger/entries/{entry.pk}",
        json.dumps({"amount_fen": 1}),
        content_type="application/json",
    )
    assert response.status_code == 422
    entry.refresh_from_db()
    assert entry.amount_fen == 120_010
    page = client.get(f"/ledger/?institution={personas.org_a.pk}&year={TODAY.year}")
    assert f'data-testid="patent-fee-{entry.pk}"'.encode() in page.content
    assert f'data-testid="edit-{entry.pk}"'.encode() not in page.content
    body = client.get(f"/api/ledger/entries/{entry.pk}").json()
    assert body["patent_fee"]["year"] == 5
    assert body["patent_fee"]["patent_id"] == entry.fee_payment.patent_id


@pytest.mark.django_db
def test_the_patent_is_named_only_to_who_may_see_it(personas: Personas) -> None:
    """The payer's member sees the entry; a member of an organization that neither owns nor
    pays sees neither the entry nor the patent."""
    entry = pay(personas, make_patent(personas, [personas.org_a]))
    other = client_for(personas.partner_b)
    assert other.get(f"/api/ledger/entries/{entry.pk}").status_code == 404
    viewer = client_for(personas.viewer)
    assert viewer.get(f"/api/ledger/entries/{entry.pk}").status_code == 404


@pytest.mark.django_db
def test_the_upgrade_mirrors_fees_paid_before(personas: Personas) -> None:
    """Payments recorded before the ledger mirrored them become entries on upgrade."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("luodi.ledger.migrations.0002_patent_fee_payments")
    patent = make_patent(personas, [personas.org_a])
    entry = pay(personas, patent)
    payment_id = entry.fee_payment_id
    entry.delete()  # as a database from before the mirroring holds it
    migration.mirror_payments(apps, None)
    again = LedgerEntry.objects.get(fee_payment_id=payment_id)
    assert (again.institution, again.amount_fen) == (personas.org_a, 120_010)
