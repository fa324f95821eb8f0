"""Report scopes: one park or one therapeutic area narrows every number, and only the scopes
a user may choose are accepted (web form and API)."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from luodi.accounts.models import Role
from luodi.catalog.models import Organization, Term
from luodi.insights import queries, reports
from luodi.insights import scope as scopes
from luodi.insights.forms import ReportForm
from luodi.insights.models import JobStatus, ReportJob
from luodi.pipeline.models import LandingRecord
from tests.conftest import Personas, client_for
from tests.factories import (
    AchievementFactory,
    MembershipFactory,
    OrganizationFactory,
    TermFactory,
    UserFactory,
)
from tests.insights.fixtures import PATH, portfolio, project_with_history
from tests.jobs_util import run_queued_jobs

pytestmark = [pytest.mark.django_db]

YEAR = (date(2026, 1, 1), date(2026, 12, 31))


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


def two_parks(personas: Personas) -> dict[str, Any]:
    """The hand-built portfolio (3 landings in 测试园区, no areas) plus, for 乙园区, one
    oncology (lung) project landed on day 60 and one lead aimed at it.

    park 乙园区: funnel lead 2 … landed 1; one landing, 700 invested
    area 肿瘤:   funnel lead 1 … landed 1; landings by area: 肺癌 only
    """
    data: dict[str, Any] = dict(portfolio(personas.org_a))
    oncology = TermFactory(scheme="area", code="C00", label_zh="肿瘤", label_en="Oncology")
    lung = TermFactory(scheme="area", code="C34", label_zh="肺癌", label_en="Lung", parent=oncology)
    other = TermFactory(scheme="area", code="I00", label_zh="心血管", label_en="Cardio")
    park_b = OrganizationFactory(kind="park", name_zh="乙园区", status="published")
    achievement = AchievementFactory(owner=personas.org_a, title_zh="肺癌新药")
    achievement.therapeutic_areas.add(lung, other)
    landed = project_with_history(
        personas.org_a,
        list(zip(PATH, [0, 10, 20, 30, 40, 60], strict=True)),
        achievement=achievement,
        target_park=park_b,
        title="肺癌新药落地",
    )
    LandingRecord.objects.create(
        project=landed, entity_name="乙公司", park=park_b, investment_wan=700, jobs_planned=7
    )
    project_with_history(personas.org_a, [("lead", 0)], target_park=park_b, title="乙园区线索")
    data.update(park_b=park_b, oncology=oncology, lung=lung, other=other, landed=landed)
    return data


def test_park_scope_narrows_charts_and_lists(personas: Personas) -> None:
    data = two_parks(personas)
    scope = scopes.resolve(personas.staff, "park", data["park_b"].pk)

    report = reports.collect(personas.staff, *YEAR, scope)
    whole = reports.collect(personas.staff, *YEAR)

    assert [r["count"] for r in report.charts["funnel"].rows] == [2, 1, 1, 1, 1, 1]
    assert whole.charts["funnel"].rows[0]["count"] == 7
    assert [
        (r["label"], r["landings"], r["investment_wan"])
        for r in report.charts["landings_by_park"].rows
    ] == [("乙园区", 1, 700.0)]
    assert [row[0] for row in report.landed] == ["肺癌新药落地"]
    assert report.charts["time_to_landing"].rows[0]["median_days"] == 60.0
    assert report.key_numbers[1][1] == 1  # landed in the period
    assert "乙园区" in report.scope


def test_area_scope_keeps_the_area_and_its_subterms_only(personas: Personas) -> None:
    data = two_parks(personas)
    scope = scopes.resolve(personas.staff, "area", data["oncology"].pk)

    charts = queries.charts(personas.staff, scope=scope)

    assert scope.area_ids == tuple(sorted([data["oncology"].pk, data["lung"].pk]))
    assert charts["funnel"].rows[0]["count"] == 1
    # the project is also cardiology, but the report is about oncology (its lung-cancer
    # landing counts under the top-level area, once)
    assert [(r["label"], r["landings"]) for r in charts["landings_by_area"].rows] == [("肿瘤", 1)]
    assert charts["occupancy"].rows == [] and charts["occupancy"].note


def park_partner(park: Organization) -> Any:
    user = UserFactory(username="park_partner", role=Role.PARTNER)
    MembershipFactory(user=user, organization=park)
    return user


def test_park_partner_is_offered_and_accepted_only_its_own_park(personas: Personas) -> None:
    data = two_parks(personas)
    user = park_partner(data["park_b"])

    _all, (_park_group, parks), _areas = scopes.form_choices(user)
    offered = [value for value, _label in parks]
    forged = ReportForm({"period": "month", "scope": f"park:{data['park'].pk}"}, user=user)
    own = ReportForm({"period": "month", "scope": f"park:{data['park_b'].pk}"}, user=user)

    assert offered == [f"park:{data['park_b'].pk}"]
    assert not forged.is_valid() and "scope" in forged.errors
    assert own.is_valid() and own.cleaned_data["scope"] == ("park", data["park_b"].pk)


def test_forged_scope_is_refused_by_web_and_api(personas: Personas) -> None:
    data = two_parks(personas)
    client = client_for(park_partner(data["park_b"]))

    page = client.post(
        "/insights/reports/", {"period": "month", "scope": f"park:{data['park'].pk}"}
    )
    api = client.post(
        "/api/insights/reports",
        {"period": "month", "scope": "park", "scope_id": data["park"].pk},
        content_type="application/json",
    )
    missing_id = client.post(
        "/api/insights/reports", {"scope": "area"}, content_type="application/json"
    )
    unknown = client.post(
        "/api/insights/reports", {"scope": "galaxy"}, content_type="application/json"
    )

    assert page.status_code == 200 and 'data-testid="report-scope"' in page.content.decode()
    assert api.status_code == 422
    assert api.json()["error"]["code"] == "invalid" and "scope" in api.json()["error"]["fields"]
    assert missing_id.status_code == 422 and "scope_id" in missing_id.json()["error"]["fields"]
    assert unknown.status_code == 422
    assert ReportJob.objects.count() == 0


def test_api_requests_lists_and_reads_a_scoped_report(personas: Personas, settings) -> None:  # type: ignore[no-untyped-def]
    settings.LUODI_JOBS_SYNC = False  # the answer before a worker has built it
    data = two_parks(personas)
    client = client_for(personas.staff)

    created = client.post(
        "/api/insights/reports",
        {
            "period": "custom",
            "start": "2026-01-01",
            "end": "2026-12-31",
            "scope": "area",
            "scope_id": data["oncology"].pk,
        },
        content_type="application/json",
    )
    listed = client.get("/api/insights/reports").json()
    other = client_for(personas.partner_b).get(f"/api/insights/reports/{created.json()['id']}")

    assert created.status_code == 201
    body = created.json()
    assert (body["scope"], body["scope_id"], body["scope_label"]) == (
        "area",
        data["oncology"].pk,
        "肿瘤",
    )
    assert body["status"] == "queued" and body["pdf_url"] is None
    assert [r["id"] for r in listed] == [body["id"]]
    assert other.status_code == 404 and other.json()["error"]["code"] == "not_found"


needs_font = pytest.mark.skipif(not reports.CJK_FONT.exists(), reason="fonts-wqy-microhei missing")


@needs_font
def test_scoped_report_files_print_the_scope_and_only_its_numbers(personas: Personas) -> None:
    data = two_parks(personas)
    job = reports.request_report(
        actor=personas.staff, start=YEAR[0], end=YEAR[1], scope="park", ref=data["park_b"].pk
    )

    job.refresh_from_db()
    assert (job.status, job.error) == (JobStatus.DONE, "")
    pages = PdfReader(job.pdf.open("rb")).pages
    cover = pages[0].extract_text().splitlines()
    text = "".join(p.extract_text() for p in pages)
    assert any("乙园区" in line for line in cover[:4])
    assert "测试园区" not in text and "肺癌新药落地" in text
    book = load_workbook(io.BytesIO(job.xlsx.open("rb").read()))
    summary = [row for row in book.worksheets[0].iter_rows(values_only=True)]
    assert "乙园区" in str(summary[2][0])
    api = client_for(personas.staff).get(f"/api/insights/reports/{job.pk}").json()
    assert api["pdf_url"] and client_for(personas.staff).get(api["pdf_url"]).status_code == 200


def test_scope_of_a_deleted_park_fails_the_job(personas: Personas, settings) -> None:  # type: ignore[no-untyped-def]
    settings.LUODI_JOBS_SYNC = False  # the park goes away before the worker builds it
    park = OrganizationFactory(kind="park", status="published")
    job = reports.request_report(
        actor=personas.staff, start=YEAR[0], end=YEAR[1], scope="park", ref=park.pk
    )
    Organization.objects.filter(pk=park.pk).delete()
    run_queued_jobs()

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error


def test_area_choices_are_top_level_terms(personas: Personas) -> None:
    data = two_parks(personas)

    *_first, (_group, choices) = scopes.form_choices(personas.staff)
    areas = [value for value, _label in choices]

    assert f"area:{data['oncology'].pk}" in areas and f"area:{data['lung'].pk}" not in areas
    assert Term.objects.filter(pk=data["lung"].pk).exists()
