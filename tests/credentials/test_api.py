"""The credentials API: session check-in with structured refusals, certificates, CME
activities, eligibility, award and export; organisers only."""

from __future__ import annotations

import io

import openpyxl
import pytest

from luodi.credentials.models import CmeCredit
from tests.conftest import Personas, client_for
from tests.credentials.helpers import NAMES, setup

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_session_check_in_and_its_refusals(personas: Personas) -> None:
    s = setup(personas)
    other = setup(personas, title="另一场会议")
    api = client_for(personas.partner_a)
    url = f"/api/credentials/events/{s.event.pk}/session-checkins"
    ok = api.post(url, {"session_id": s.morning.pk, "code": s.regs[0].code}, content_type=JSON)
    assert ok.status_code == 201 and ok.json()["created"] is True
    assert ok.json()["name"] == NAMES[0]
    again = api.post(url, {"session_id": s.morning.pk, "code": s.regs[0].code}, content_type=JSON)
    assert again.json()["created"] is False
    for code, status, reason in [
        ("WRONGCODE1", 404, "unknown_code"),
        (other.regs[0].code, 404, "other_event"),
        (s.cancelled.code, 409, "not_confirmed"),
    ]:
        refused = api.post(url, {"session_id": s.morning.pk, "code": code}, content_type=JSON)
        assert (refused.status_code, refused.json()["error"]["code"]) == (status, reason)
        assert refused.json()["error"]["fields"]["code"]
    foreign_session = api.post(
        url, {"session_id": other.morning.pk, "code": s.regs[0].code}, content_type=JSON
    )
    assert foreign_session.status_code == 422
    assert "session_id" in foreign_session.json()["error"]["fields"]
    listed = api.get(f"/api/credentials/events/{s.event.pk}/sessions/{s.morning.pk}/attendances")
    assert [a["registration_id"] for a in listed.json()] == [s.regs[0].pk]


def test_cme_flow_through_the_api(personas: Personas) -> None:
    s = setup(personas)
    api = client_for(personas.partner_a)
    made = api.post(
        f"/api/credentials/events/{s.event.pk}/cme-activities",
        {
            "project_code": "2025-01-02-003（国）",
            "credit_type": "I",
            "credits": "2.0",
            "hours": "6.0",
            "required_session_ids": [s.morning.pk, s.afternoon.pk],
        },
        content_type=JSON,
    )
    assert made.status_code == 201, made.content
    activity = made.json()
    for session in (s.morning, s.afternoon):
        api.post(
            f"/api/credentials/events/{s.event.pk}/session-checkins",
            {"session_id": session.pk, "code": s.regs[0].code},
            content_type=JSON,
        )
    rows = api.get(f"/api/credentials/cme-activities/{activity['id']}/eligibility").json()
    by_id = {r["registration_id"]: r for r in rows}
    assert by_id[s.regs[0].pk]["eligible"] is True
    assert by_id[s.regs[1].pk]["missed_session_ids"] == [s.morning.pk, s.afternoon.pk]
    award = f"/api/credentials/cme-activities/{activity['id']}/award"
    assert api.post(award).json() == {"awarded": 1}
    assert api.post(award).json() == {"awarded": 0}
    credits = api.get(f"/api/credentials/cme-activities/{activity['id']}/credits").json()
    assert [c["name"] for c in credits] == [NAMES[0]]
    blank = api.post(
        f"/api/credentials/cme-credits/{credits[0]['id']}/revoke",
        {"reason": " "},
        content_type=JSON,
    )
    assert blank.status_code == 422 and "reason" in blank.json()["error"]["fields"]
    export = api.get(f"/api/credentials/events/{s.event.pk}/cme-credits.xlsx")
    rows_x = list(
        openpyxl.load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True)
    )
    assert rows_x[1][0] == NAMES[0]
    stale = api.put(
        f"/api/credentials/cme-activities/{activity['id']}",
        {
            **{k: activity[k] for k in ("project_code", "credit_type", "credits", "hours")},
            "version": 99,
        },
        content_type=JSON,
    )
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"
    bad = api.post(
        f"/api/credentials/events/{s.event.pk}/cme-activities",
        {"project_code": "X", "credit_type": "III", "credits": "1", "hours": "1"},
        content_type=JSON,
    )
    assert bad.status_code == 422 and "credit_type" in bad.json()["error"]["fields"]


def test_certificates_through_the_api(personas: Personas) -> None:
    s = setup(personas)
    api = client_for(personas.partner_a)
    issued = api.post(
        f"/api/credentials/events/{s.event.pk}/certificates/issue",
        {"kinds": ["presentation"]},
        content_type=JSON,
    )
    assert issued.json() == {"issued": 1}
    listed = api.get(f"/api/credentials/events/{s.event.pk}/certificates").json()
    assert [c["name"] for c in listed] == ["钟南山"]
    pdf = api.get(f"/api/credentials/certificates/{listed[0]['id']}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    bad = api.post(
        f"/api/credentials/events/{s.event.pk}/certificates/issue",
        {"kinds": ["diploma"]},
        content_type=JSON,
    )
    assert bad.status_code == 422 and "kinds" in bad.json()["error"]["fields"]


@pytest.mark.parametrize("who", ["partner_b", "viewer", None])
def test_others_are_refused_in_the_api(personas: Personas, who: str | None) -> None:
    s = setup(personas)
    api = client_for(getattr(personas, who) if who else None)
    e = s.event.pk
    for method, url in [
        ("get", f"/api/credentials/events/{e}/certificates"),
        ("get", f"/api/credentials/events/{e}/cme-activities"),
        ("get", f"/api/credentials/events/{e}/cme-credits.xlsx"),
        ("post", f"/api/credentials/events/{e}/badges"),
    ]:
        response = getattr(api, method)(url)
        expected = 401 if who is None else 403
        assert response.status_code == expected, url
        assert response.json()["error"]["code"]
    refused = api.post(
        f"/api/credentials/events/{e}/session-checkins",
        {"session_id": s.morning.pk, "code": s.regs[0].code},
        content_type=JSON,
    )
    assert refused.status_code in (401, 403)
    assert CmeCredit.objects.count() == 0
