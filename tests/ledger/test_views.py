"""The ledger pages: who may open whose ledger (404 otherwise), the entry form in yuan
stored in fen, a received entry without its day refused beside the field, marking
received, entries from obligations, the export, and the menu."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from luodi.ledger.models import LedgerEntry
from luodi.pipeline.domain.agreements import add_obligation
from luodi.web.menu import entries_for
from tests.conftest import Personas, client_for
from tests.ledger.helpers import TODAY, entry, project_agreement

pytestmark = pytest.mark.django_db


def test_who_may_open_a_ledger(personas: Personas) -> None:
    e = entry(personas.staff, personas.org_a, note="甲的提成")
    url = f"/ledger/?institution={personas.org_a.pk}"
    assert client_for(personas.staff).get(url).status_code == 200
    own = client_for(personas.partner_a).get("/ledger/")  # lands on its own institution
    assert own.status_code == 200 and "甲的提成" in own.content.decode()
    for user in (personas.partner_b, personas.viewer):
        client = client_for(user)
        assert client.get(url).status_code == 404
        assert client.get(f"/ledger/{e.pk}/edit/").status_code == 404
        assert client.post(f"/ledger/{e.pk}/received/", {"received_on": TODAY}).status_code == 404
        assert client.get(f"/ledger/export/?institution={personas.org_a.pk}").status_code == 404
    assert client_for(personas.viewer).get("/ledger/").status_code == 404
    assert (
        client_for(personas.partner_b)
        .get("/ledger/new/?institution=" + str(personas.org_a.pk))
        .status_code
        == 404
    )


def test_menu_entry_for_staff_and_partners_only(personas: Personas) -> None:
    def has(user: object) -> bool:
        return any(m.url_name == "ledger:index" for m in entries_for(user))  # type: ignore[arg-type]

    assert has(personas.staff) and has(personas.partner_a) and not has(personas.viewer)


def _form(**kw: str) -> dict[str, str]:
    return {
        "direction": "income",
        "kind": "royalty",
        "amount": "1234.56",
        "status": "received",
        "expected_on": TODAY.isoformat(),
        "received_on": TODAY.isoformat(),
        **kw,
    }


def test_new_entry_in_yuan_is_stored_in_fen(personas: Personas) -> None:
    client = client_for(personas.partner_a)
    form = client.get(f"/ledger/new/?institution={personas.org_a.pk}")
    assert form.status_code == 200
    # Typed without the institution: the partner's own ledger, as the ledger page opens.
    bare = client.get("/ledger/new/")
    assert bare.status_code == 200 and personas.org_a.name_zh in bare.content.decode()
    assert client_for(personas.viewer).get("/ledger/new/").status_code == 404
    saved = client.post("/ledger/new/", {"institution": personas.org_a.pk, **_form()})
    assert saved.status_code == 302, saved.content.decode()[:2000]
    e = LedgerEntry.objects.get()
    assert (e.amount_fen, e.institution, e.created_by) == (
        123456,
        personas.org_a,
        personas.partner_a,
    )
    page = client.get(saved["Location"]).content.decode()
    assert "¥1,234.56" in page


def test_received_without_a_day_is_refused_beside_the_field(personas: Personas) -> None:
    client = client_for(personas.partner_a)
    answer = client.post(
        "/ledger/new/", {"institution": personas.org_a.pk, **_form(received_on="")}
    )
    assert answer.status_code == 400
    assert answer.context["form"].errors["received_on"]
    assert not LedgerEntry.objects.exists()
    other = client.post("/ledger/new/", {"institution": personas.org_b.pk, **_form()})
    assert other.status_code == 404 and not LedgerEntry.objects.exists()


def test_mark_received_and_edit_conflict(personas: Personas) -> None:
    e = entry(personas.staff, personas.org_a, status="expected", received_on=None)
    client = client_for(personas.partner_a)
    refused = client.post(f"/ledger/{e.pk}/received/", {"received_on": ""})
    assert refused.status_code == 400 and refused.context["form"].errors["received_on"]
    done = client.post(
        f"/ledger/{e.pk}/received/", {"received_on": TODAY.isoformat(), "amount": "2"}
    )
    assert done.status_code == 302
    e.refresh_from_db()
    assert (e.status, e.amount_fen, e.version) == ("received", 200, 2)
    stale = client.post(f"/ledger/{e.pk}/edit/", {**_form(note="旧"), "version": "1"})
    assert stale.status_code == 409
    assert LedgerEntry.objects.get(pk=e.pk).note == ""


def test_entries_from_obligations_and_export(personas: Personas) -> None:
    _project, licence = project_agreement(personas.staff, personas.org_a)
    add_obligation(
        actor=personas.staff,
        agreement=licence,
        kind="milestone_payment",
        description="首笔里程碑款",
        due_date=TODAY - timedelta(days=10),
        amount_wan=Decimal("300"),
    )
    client = client_for(personas.partner_a)
    url = f"/ledger/?institution={personas.org_a.pk}&agreement={licence.pk}"
    assert "from-obligations" in client.get(url).content.decode()
    body = {"institution": personas.org_a.pk, "agreement": licence.pk}
    assert client.post("/ledger/from-obligations/", body).status_code == 302
    assert client.post("/ledger/from-obligations/", body).status_code == 302
    made = LedgerEntry.objects.get()
    assert (made.amount_fen, made.status, made.kind) == (300_000_000, "expected", "milestone")
    overdue = client.get(f"/ledger/?institution={personas.org_a.pk}&overdue=on").content.decode()
    assert f'data-testid="entry-{made.pk}"' in overdue
    assert client_for(personas.partner_b).post("/ledger/from-obligations/", body).status_code == 404
    export = client.get(
        f"/ledger/export/?institution={personas.org_a.pk}&year={made.expected_on.year}"
    )
    assert export.status_code == 200
    book = load_workbook(io.BytesIO(export.content))
    assert len(book.sheetnames) == 2
    cells = [c for row in book.worksheets[1].iter_rows(values_only=True) for c in row]
    assert 300_000_000 in cells


def test_staff_open_any_ledger_with_its_filters(personas: Personas) -> None:
    # org_a is no hospital or university: not in the staff's picker until it keeps entries.
    last_year = TODAY.replace(year=TODAY.year - 1, month=6, day=1)
    old = entry(personas.staff, personas.org_a, received_on=last_year, expected_on=last_year)
    entry(personas.staff, personas.org_a, note="今年的提成")
    url = f"/ledger/?institution={personas.org_a.pk}&year={last_year.year}"
    page = client_for(personas.staff).get(url)
    assert page.context["form"].is_valid()
    rows = [row["entry"] for row in page.context["rows"]]
    assert rows == [old]
