"""The ledger API: who sees which institution's ledger (a viewer and other partners
nothing, 404), what a member reads of an agreement it may not see, bad input as field
errors with nothing written, versions, marking received and the summary to the fen."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from luodi.ledger.models import LedgerEntry
from tests.conftest import Personas, client_for
from tests.ledger.helpers import SECRET, TODAY, agreement, entry, project_agreement
from tests.pipeline.factories import make_project

pytestmark = pytest.mark.django_db
API = "/api/ledger"


def _post(client: Client, url: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(
        url, json.dumps(body, default=str), content_type="application/json", **headers
    )


def _patch(client: Client, url: str, body: dict[str, Any], **headers: str) -> Any:
    return client.patch(url, json.dumps(body), content_type="application/json", **headers)


def test_visibility_per_role(personas: Personas) -> None:
    a = entry(personas.staff, personas.org_a)
    b = entry(personas.staff, personas.org_b)
    seen = {
        who: {row["id"] for row in client_for(user).get(f"{API}/entries").json()["items"]}
        for who, user in (
            ("staff", personas.staff),
            ("partner_a", personas.partner_a),
            ("partner_b", personas.partner_b),
            ("viewer", personas.viewer),
        )
    }
    assert seen == {
        "staff": {a.pk, b.pk},
        "partner_a": {a.pk},
        "partner_b": {b.pk},
        "viewer": set(),
    }
    for user in (personas.partner_b, personas.viewer):
        client = client_for(user)
        assert client.get(f"{API}/entries/{a.pk}").status_code == 404
        query = f"institution={personas.org_a.pk}&year={TODAY.year}"
        assert client.get(f"{API}/summary?{query}").status_code == 404
        assert (
            _post(client, f"{API}/entries/{a.pk}/received", {"received_on": TODAY}).status_code
            == 404
        )
    assert client_for(personas.partner_a).get(f"{API}/entries/{a.pk}").status_code == 200


def test_an_agreement_the_member_may_not_see_is_not_named(personas: Personas) -> None:
    # org_b's project; org_a is named a party of its agreement but not of the project, so
    # org_a's members see the entry in their ledger but never the agreement's title.
    project = make_project(personas.staff, personas.org_b)
    hidden = agreement(personas.staff, project, [personas.org_b, personas.org_a], SECRET)
    e = entry(personas.staff, personas.org_a, agreement=hidden)
    mine = client_for(personas.partner_a)
    row = mine.get(f"{API}/entries/{e.pk}").json()
    assert row["agreement"] is None and row["amount_fen"] == e.amount_fen
    listing = mine.get(f"{API}/entries")
    assert SECRET not in listing.content.decode()
    page = mine.get(f"/ledger/?institution={personas.org_a.pk}")
    assert page.status_code == 200 and SECRET not in page.content.decode()
    export = mine.get(f"/ledger/export/?institution={personas.org_a.pk}")
    assert export.status_code == 200
    staff_row = client_for(personas.staff).get(f"{API}/entries/{e.pk}").json()
    assert staff_row["agreement"]["title"] == SECRET


def test_create_and_bad_input(personas: Personas) -> None:
    client = client_for(personas.partner_a)
    good = {
        "institution_id": personas.org_a.pk,
        "direction": "income",
        "kind": "royalty",
        "amount_fen": 250_000,
        "status": "received",
        "received_on": TODAY.isoformat(),
    }
    made = _post(client, f"{API}/entries", good)
    assert made.status_code == 201, made.content
    assert made.json()["amount_fen"] == 250_000 and made.json()["currency"] == "CNY"
    bad = [
        ({"received_on": None}, "received_on"),
        ({"amount_fen": 0}, "amount_fen"),
        ({"kind": "equity"}, "valuation_fen"),
        ({"received_on": (TODAY + timedelta(days=2)).isoformat()}, "received_on"),
        ({"achievement_id": 2**62}, "achievement_id"),
    ]
    for change, field in bad:
        answer = _post(client, f"{API}/entries", {**good, **change})
        assert answer.status_code == 422, (change, answer.content)
        assert field in json.dumps(answer.json()["error"]["fields"]), (change, answer.json())
    assert LedgerEntry.objects.count() == 1
    # Another institution's ledger: not found, not written.
    other = _post(client, f"{API}/entries", {**good, "institution_id": personas.org_b.pk})
    assert other.status_code == 404
    viewer = _post(client_for(personas.viewer), f"{API}/entries", good)
    assert viewer.status_code == 404
    assert LedgerEntry.objects.count() == 1


def test_patch_with_a_stale_version_is_a_conflict(personas: Personas) -> None:
    e = entry(personas.staff, personas.org_a)
    client = client_for(personas.partner_a)
    first = _patch(client, f"{API}/entries/{e.pk}", {"note": "第一次", "version": 1})
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = _patch(client, f"{API}/entries/{e.pk}", {"note": "第二次"}, HTTP_IF_MATCH='"1"')
    assert stale.status_code == 409
    assert stale.json()["error"]["fields"]["version"] == ["2"]
    assert LedgerEntry.objects.get(pk=e.pk).note == "第一次"
    assert _patch(client, f"{API}/entries/{e.pk}", {"status": None}).status_code == 422


def test_mark_received(personas: Personas) -> None:
    e = entry(personas.staff, personas.org_a, status="expected", received_on=None)
    client = client_for(personas.partner_a)
    done = _post(
        client,
        f"{API}/entries/{e.pk}/received",
        {"received_on": TODAY.isoformat(), "amount_fen": 99},
    )
    assert done.status_code == 200, done.content
    assert (done.json()["status"], done.json()["amount_fen"]) == ("received", 99)
    again = _post(client, f"{API}/entries/{e.pk}/received", {"received_on": TODAY.isoformat()})
    assert again.status_code == 422 and "status" in again.json()["error"]["fields"]


def test_summary_reconciles_to_the_fen(personas: Personas) -> None:
    year = TODAY.year - 1
    amounts = [3, 1_000_01, 77_777_77]
    for i, amount in enumerate(amounts):
        on = TODAY.replace(year=year, month=1 + i, day=10)
        entry(personas.staff, personas.org_a, amount_fen=amount, received_on=on, expected_on=on)
    entry(
        personas.staff,
        personas.org_a,
        direction="expense",
        kind="legal",
        amount_fen=4_04,
        received_on=TODAY.replace(year=year, month=2, day=2),
    )
    _project, licence = project_agreement(personas.staff, personas.org_a)
    entry(
        personas.staff,
        personas.org_a,
        kind="milestone",
        agreement=licence,
        status="expected",
        received_on=None,
        expected_on=TODAY.replace(year=year, month=12, day=1),
        amount_fen=5,
    )
    client = client_for(personas.partner_a)
    body = client.get(f"{API}/summary?institution={personas.org_a.pk}&year={year}").json()
    assert body["income_fen"] == sum(amounts) == sum(k["amount_fen"] for k in body["income"])
    assert body["expense_fen"] == 404
    assert body["net_fen"] == sum(amounts) - 404
    assert body["expected_income_fen"] == 5
    listed = client.get(
        f"{API}/entries?institution={personas.org_a.pk}&year={year}&status=received"
    )
    rows = listed.json()["items"]
    income = sum(r["amount_fen"] for r in rows if r["direction"] == "income")
    expense = sum(r["amount_fen"] for r in rows if r["direction"] == "expense")
    assert income - expense == body["net_fen"]
    q1 = client.get(f"{API}/summary?institution={personas.org_a.pk}&year={year}&quarter=1").json()
    assert q1["income_fen"] == sum(amounts)
    assert (
        client.get(
            f"{API}/summary?institution={personas.org_a.pk}&year={year}&quarter=5"
        ).status_code
        == 422
    )
    overdue = client.get(f"{API}/entries?overdue=true").json()["items"]
    assert [r["kind"] for r in overdue] == ["milestone"] and overdue[0]["overdue"]
