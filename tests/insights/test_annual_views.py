"""The annual report's pages and API: choose → preview (empty text boxes with hints) → save
the draft → re-open it → issue; who gets a 404; stale drafts refused; structured 4xx."""

from __future__ import annotations

import pytest
from django.urls import reverse

from luodi.insights import annual_drafts
from luodi.insights.models import JobStatus, ReportJob
from tests.conftest import Personas, client_for
from tests.insights.test_annual_data import SECRET, AnnualRecords, build

pytestmark = [pytest.mark.django_db]

URL = "/insights/reports/annual/"
API = "/api/insights/annual"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def records(personas: Personas) -> AnnualRecords:
    return build(personas)


def _choice(records: AnnualRecords, **extra: str) -> dict[str, str]:
    return {
        "institution": str(records.hospital.pk),
        "year": str(records.year),
        "language": "zh-hans",
        **extra,
    }


def test_preview_save_reopen_and_issue(personas: Personas, records: AnnualRecords) -> None:
    client = client_for(personas.partner_a)

    preview = client.post(URL, _choice(records, action="preview")).content.decode()
    saved = client.post(URL, _choice(records, action="save", text_income="收入说明（草稿）"))
    draft = ReportJob.objects.get()
    reopened = client.get(reverse("insights:annual-draft", args=[draft.pk])).content.decode()
    issued = client.post(
        reverse("insights:annual-draft", args=[draft.pk]),
        _choice(records, action="issue", version=str(draft.version), text_income="收入说明"),
    )
    listing = client.get("/insights/reports/").content.decode()

    assert 'data-testid="annual-text-income"' in preview
    assert "止血材料独占许可合同" in preview and SECRET not in preview
    assert "placeholder=" in preview and "收入说明" not in preview
    assert saved.status_code == 302 and saved["Location"].endswith(f"/annual/{draft.pk}/")
    assert draft.status == JobStatus.DRAFT and draft.sections == {"income": "收入说明（草稿）"}
    assert "收入说明（草稿）" in reopened
    assert issued.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.sections) == (JobStatus.DONE, {"income": "收入说明"})
    assert records.hospital.display_name in listing and 'data-testid="download-pdf"' in listing


def test_draft_is_listed_with_a_link_back_and_is_not_polled(
    personas: Personas, records: AnnualRecords
) -> None:
    draft = annual_drafts.save_draft(
        actor=personas.partner_a,
        institution=records.hospital,
        year=records.year,
        language="zh-hans",
        sections={},
    )

    row = client_for(personas.partner_a).get(f"/insights/reports/{draft.pk}/").content.decode()

    assert 'data-testid="annual-continue"' in row and "hx-trigger" not in row


def test_issue_without_an_institution_shows_the_field_error(
    personas: Personas, records: AnnualRecords
) -> None:
    response = client_for(personas.partner_a).post(
        URL, {"year": str(records.year), "language": "zh-hans", "action": "issue"}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["institution"]
    assert not ReportJob.objects.exists()


def test_stale_draft_is_refused_and_left_unchanged(
    personas: Personas, records: AnnualRecords
) -> None:
    draft = annual_drafts.save_draft(
        actor=personas.partner_a,
        institution=records.hospital,
        year=records.year,
        language="zh-hans",
        sections={"overview": "第一版"},
    )
    url = reverse("insights:annual-draft", args=[draft.pk])
    client = client_for(personas.partner_a)
    client.post(url, _choice(records, action="save", version="1", text_overview="第二版"))

    stale = client.post(url, _choice(records, action="save", version="1", text_overview="旧页"))

    assert stale.status_code == 409
    draft.refresh_from_db()
    assert (draft.sections, draft.version) == ({"overview": "第二版"}, 2)


def test_others_get_404_and_no_institution_they_may_not_see(
    personas: Personas, records: AnnualRecords
) -> None:
    draft = annual_drafts.save_draft(
        actor=personas.partner_a,
        institution=records.hospital,
        year=records.year,
        language="zh-hans",
        sections={},
    )
    draft_url = reverse("insights:annual-draft", args=[draft.pk])

    assert client_for(personas.viewer).get(URL).status_code == 404
    assert client_for(personas.viewer).post(URL, _choice(records)).status_code == 404
    assert client_for(personas.partner_b).get(draft_url).status_code == 404
    assert client_for(personas.staff).get(draft_url).status_code == 404  # not their draft
    forged = client_for(personas.partner_b).post(URL, _choice(records, action="preview"))
    page = client_for(personas.partner_b).get(f"{URL}?institution={records.hospital.pk}")
    assert forged.status_code == 400 and forged.context["form"].errors["institution"]
    assert "止血材料" not in forged.content.decode()
    assert records.hospital.display_name not in page.content.decode()


def test_api_preview_has_every_section_and_the_ledger_in_fen(
    personas: Personas, records: AnnualRecords
) -> None:
    client = client_for(personas.partner_a)

    body = client.get(
        f"{API}/preview", {"institution_id": records.hospital.pk, "year": records.year}
    ).json()

    assert [s["key"] for s in body["sections"]] == [
        "overview",
        "achievements",
        "contracts",
        "income",
        "distribution",
        "rewards",
        "equity",
        "grants",
    ]
    assert body["ledger"]["net_fen"] == 512_222_232 and body["currency"] == "CNY"
    assert all(s["text"] == "" and s["hint"] for s in body["sections"])
    assert SECRET not in str(body)


def test_api_refusals(personas: Personas, records: AnnualRecords) -> None:
    partner_b, partner_a = client_for(personas.partner_b), client_for(personas.partner_a)
    query = {"institution_id": records.hospital.pk, "year": records.year}

    hidden = partner_b.get(f"{API}/preview", query)
    viewer = client_for(personas.viewer).get(f"{API}/preview", query)
    unknown = partner_a.get(f"{API}/preview", {**query, "institution_id": 99_999_999})
    early = partner_a.get(f"{API}/preview", {**query, "year": 1999})
    late = partner_a.get(f"{API}/preview", {**query, "year": records.year + 2})
    section = partner_a.post(
        f"{API}/reports",
        {"institution_id": records.hospital.pk, "year": records.year, "sections": {"x": "y"}},
        content_type="application/json",
    )

    assert (hidden.status_code, hidden.json()["error"]["code"]) == (404, "not_found")
    assert viewer.status_code == 404
    assert unknown.status_code == 404
    assert (early.status_code, list(early.json()["error"]["fields"])) == (422, ["year"])
    assert late.status_code == 422
    assert (section.status_code, list(section.json()["error"]["fields"])) == (422, ["sections"])
    assert not ReportJob.objects.exists()


def test_api_draft_then_issue_with_versions(personas: Personas, records: AnnualRecords) -> None:
    client = client_for(personas.partner_a)
    created = client.post(
        f"{API}/reports",
        {
            "institution_id": records.hospital.pk,
            "year": records.year,
            "language": "en",
            "sections": {"overview": "Our year."},
            "issue": False,
        },
        content_type="application/json",
    ).json()
    url = f"{API}/reports/{created['id']}"

    saved = client.put(
        url, {"version": 1, "sections": {"overview": "v2"}}, content_type="application/json"
    )
    stale = client.put(
        url, {"version": 1, "sections": {"overview": "old"}}, content_type="application/json"
    )
    issued = client.put(
        url, {"version": 2, "issue": True, "sections": {"overview": "Final."}},
        content_type="application/json",
    )  # fmt: skip
    again = client.put(url, {"issue": True}, content_type="application/json")

    assert (created["status"], created["kind"]) == ("draft", "annual_transfer")
    assert created["institution_id"] == records.hospital.pk
    assert created["scope_label"] == records.hospital.display_name
    assert saved.status_code == 201
    assert (stale.status_code, stale.json()["error"]["code"]) == (409, "conflict")
    assert (issued.status_code, issued.json()["status"]) == (201, "done")
    assert issued.json()["pdf_url"]
    assert again.status_code == 404  # no longer a draft
    assert ReportJob.objects.get().sections == {"overview": "Final."}
