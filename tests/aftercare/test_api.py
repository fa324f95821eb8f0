"""The after-landing API: the park records, another park finds nothing, a viewer reads labels
(never the title), gate warnings and versions are 409s, bad input is a 422."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from luodi.aftercare import domain
from luodi.aftercare.models import Commitment, FigureReport, Milestone
from luodi.pipeline.models import Project
from tests.aftercare.factories import Parks, make_landed, make_parks
from tests.conftest import Personas, client_for

API = "/api/aftercare"
# A title that would leak: it names the confidential achievement.
TITLE = "机密LEAKQ7项目：靶向骨修复支架"
ENTITY = "成都蓉骨医疗科技有限公司"


def _month(months_ago: int = 0) -> date:
    day = timezone.localdate().replace(day=1)
    for _ in range(months_ago):
        day = (day - timedelta(days=1)).replace(day=1)
    return day


def _ym(day: date) -> str:
    return f"{day:%Y-%m}"


def _json(client: Client, method: str, url: str, data: Any, **headers: str) -> Any:
    return getattr(client, method)(url, data, content_type="application/json", headers=headers)


@pytest.fixture
def parks(db: Any) -> Parks:
    return make_parks()


@pytest.fixture
def project(personas: Personas, parks: Parks) -> Project:
    return make_landed(personas, parks.park, title=TITLE)


def test_the_park_records_milestones_figures_and_subsidies(
    personas: Personas, parks: Parks, project: Project
) -> None:
    client = client_for(parks.park_user)
    planned = timezone.localdate() + timedelta(days=30)
    put = _json(
        client,
        "put",
        f"{API}/projects/{project.pk}/milestones/lease_signed",
        {"planned_on": planned.isoformat(), "note": "租约谈判中"},
    )
    assert put.status_code == 200, put.content
    assert put.json()["planned_on"] == planned.isoformat() and put.json()["actual_on"] is None
    assert put["ETag"] == '"1"'

    month = _ym(_month(1))
    figures = _json(
        client,
        "put",
        f"{API}/projects/{project.pk}/figures/{month}",
        {"capital_wan": "1200.50", "jobs": 35},
    )
    assert figures.status_code == 200, figures.content
    assert figures.json()["month"] == month and figures.json()["jobs"] == 35
    again = _json(
        client,
        "put",
        f"{API}/projects/{project.pk}/figures/{month}",
        {"jobs": 40, "version": figures.json()["version"]},
    )
    assert again.status_code == 200, again.content
    assert again.json()["capital_wan"] == "1200.50"  # not sent: unchanged
    history = client.get(f"{API}/projects/{project.pk}/figures/{month}/history").json()
    assert [h["changes"].get("jobs") for h in history] == [[None, 35], [35, 40]]
    assert {h["source"] for h in history} == {"api"}

    listed = client.get(f"{API}/projects").json()
    assert listed["count"] == 1
    row = listed["items"][0]
    assert row["id"] == project.pk and row["park_id"] == parks.park.pk
    assert row["next_milestone"]["kind"] == "registered"

    subsidy = _json(
        client,
        "post",
        f"{API}/projects/{project.pk}/subsidies",
        {"kind": "rent", "policy": "三年房租减免", "amount_applied_wan": "80"},
    )
    assert subsidy.status_code == 201, subsidy.content
    sid, version = subsidy.json()["id"], subsidy.json()["version"]
    approved = _json(
        client,
        "patch",
        f"{API}/subsidies/{sid}",
        {
            "status": "approved",
            "approved_on": timezone.localdate().isoformat(),
            "amount_approved_wan": "60",
            "version": version,
        },
    )
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"
    stale = _json(client, "patch", f"{API}/subsidies/{sid}", {"note": "x", "version": version})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"
    skipped = _json(client, "patch", f"{API}/subsidies/{sid}", {"status": "applied"})
    assert skipped.status_code == 422 and "status" in skipped.json()["error"]["fields"]


def test_another_park_gets_404_everywhere(parks: Parks, project: Project) -> None:
    client = client_for(parks.other_user)
    base = f"{API}/projects/{project.pk}"
    month = _ym(_month(1))
    for url in (
        f"{base}/milestones",
        f"{base}/milestones/registered",
        f"{base}/figures",
        f"{base}/figures/{month}/history",
        f"{base}/commitments",
        f"{base}/subsidies",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["error"]["code"] == "not_found"
    put = _json(client, "put", f"{base}/figures/{month}", {"jobs": 1})
    assert put.status_code == 404
    assert not FigureReport.objects.exists()
    assert client.get(f"{API}/projects").json()["count"] == 0
    assert client.get(f"{API}/stalled").json()["count"] == 0


def test_a_viewer_reads_labels_never_the_title(
    personas: Personas, parks: Parks, project: Project
) -> None:
    month = _month(1)
    domain.record_figures(
        actor=personas.staff, project=project, period=month, values={"output_wan": 300}
    )
    domain.set_milestone(
        actor=personas.staff,
        project=project,
        kind="lease_signed",
        planned_on=timezone.localdate() - timedelta(days=20),
    )
    domain.add_commitment(
        actor=personas.staff,
        project=project,
        metric="capital_wan",
        amount=500,
        due_on=timezone.localdate() - timedelta(days=1),
    )
    client = client_for(personas.viewer)
    base = f"{API}/projects/{project.pk}"
    bodies = []
    for url in (
        f"{API}/projects",
        f"{API}/stalled",
        f"{base}/milestones",
        f"{base}/milestones/lease_signed",
        f"{base}/figures",
        f"{base}/figures/{_ym(month)}",
        f"{base}/figures/{_ym(month)}/history",
        f"{base}/commitments",
        f"{base}/subsidies",
    ):
        response = client.get(url)
        assert response.status_code == 200, (url, response.content)
        bodies.append(response.content.decode())
    # Writes are refused, and the refusal names nothing either.
    refused = _json(client, "put", f"{base}/figures/{_ym(month)}", {"jobs": 3})
    assert refused.status_code == 403
    bodies.append(refused.content.decode())
    for body in bodies:
        assert TITLE not in body and "LEAKQ7" not in body
        # Who recorded the figures is a person: the history names no one to a viewer.
        assert personas.staff.username not in body
    listed = client.get(f"{API}/projects").json()["items"]
    assert [row["label"] for row in listed] == [ENTITY]
    stalled = client.get(f"{API}/stalled").json()["items"]
    assert stalled[0]["label"] == ENTITY
    assert {r["code"] for r in stalled[0]["reasons"]} >= {"milestone_overdue", "capital_lag"}
    # Those who see the project read its title.
    staff_rows = client_for(personas.staff).get(f"{API}/projects").json()["items"]
    assert staff_rows[0]["label"] == TITLE


def test_gate_warnings_are_a_409_until_confirmed(parks: Parks, project: Project) -> None:
    client = client_for(parks.park_user)
    url = f"{API}/projects/{project.pk}/milestones/production"
    today = timezone.localdate().isoformat()
    warned = _json(client, "put", url, {"actual_on": today})
    assert warned.status_code == 409
    error = warned.json()["error"]
    assert error["code"] == "gate_warnings"
    assert len(error["fields"]["warnings"]) == 2  # earlier milestones, no evidence
    assert not Milestone.objects.filter(project=project).exists()
    confirmed = _json(client, "put", url, {"actual_on": today, "confirm_warnings": True})
    assert confirmed.status_code == 200, confirmed.content
    assert len(confirmed.json()["warnings"]) == 2
    project.refresh_from_db()
    assert project.stage == "in_production"


def test_a_stale_version_is_a_409_and_nothing_is_saved(parks: Parks, project: Project) -> None:
    client = client_for(parks.park_user)
    figures_url = f"{API}/projects/{project.pk}/figures/{_ym(_month(2))}"
    first = _json(client, "put", figures_url, {"tax_wan": "10"})
    loaded = first.json()["version"]
    assert (
        _json(client, "put", figures_url, {"tax_wan": "12", "version": loaded}).status_code == 200
    )
    stale = _json(client, "put", figures_url, {"tax_wan": "99", "version": loaded})
    assert stale.status_code == 409
    assert stale.json()["error"]["fields"]["version"] == [str(loaded + 1)]
    by_header = _json(client, "put", figures_url, {"tax_wan": "99"}, **{"If-Match": f'"{loaded}"'})
    assert by_header.status_code == 409
    assert client.get(figures_url).json()["tax_wan"] == "12.00"

    ms_url = f"{API}/projects/{project.pk}/milestones/lease_signed"
    planned = (timezone.localdate() + timedelta(days=9)).isoformat()
    v1 = _json(client, "put", ms_url, {"planned_on": planned}).json()["version"]
    assert _json(client, "put", ms_url, {"planned_on": planned, "note": "a"}).status_code == 200
    conflict = _json(client, "put", ms_url, {"planned_on": planned, "version": v1})
    assert conflict.status_code == 409 and conflict.json()["error"]["code"] == "conflict"
    garbled = _json(client, "put", ms_url, {"planned_on": planned}, **{"If-Match": "nope"})
    assert garbled.status_code == 422 and "version" in garbled.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("figures/2026-13", {"jobs": 1}, "month"),
        ("figures/2999-01", {"jobs": 1}, "month"),  # not begun yet
        ("figures/{month}", {"jobs": -1}, "jobs"),
        ("figures/{month}", {"capital_wan": "-5"}, "capital_wan"),
        ("figures/{month}", {"patents": 1.5}, "patents"),
        ("figures/{month}", {"output_wan": "1e30"}, "output_wan"),
        ("milestones/registered", {"actual_on": "2001-01-01"}, "credit_code"),
        ("milestones/lease_signed", {"actual_on": "2999-01-01"}, "actual_on"),
        ("milestones/lease_signed", {"visit_id": 987654}, "visit_id"),
        ("milestones/lease_signed", {"note": "a\u000bb"}, "note"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(
    parks: Parks, project: Project, path: str, body: dict[str, Any], field: str
) -> None:
    client = client_for(parks.park_user)
    url = f"{API}/projects/{project.pk}/" + path.format(month=_ym(_month(1)))
    response = _json(client, "put", url, body)
    assert response.status_code == 422, response.content
    assert field in response.json()["error"]["fields"]
    assert not FigureReport.objects.exists() and not Milestone.objects.exists()


@pytest.mark.parametrize(
    "path", ["figures/2026-9", "figures/abc", "figures/2026-09-01", "milestones/finished"]
)
def test_bad_paths_are_structured_4xx(parks: Parks, project: Project, path: str) -> None:
    client = client_for(parks.park_user)
    for method in ("get", "put"):
        response = _json(client, method, f"{API}/projects/{project.pk}/{path}", {"jobs": 1})
        assert 400 <= response.status_code < 500, (method, path, response.status_code)
        assert response.json()["error"]["code"]


def test_commitments_are_staff_only_and_show_the_shortfall(
    personas: Personas, parks: Parks, project: Project
) -> None:
    url = f"{API}/projects/{project.pk}/commitments"
    due = (timezone.localdate() - timedelta(days=1)).isoformat()
    body = {"metric": "capital_wan", "amount": "1000", "due_on": due}
    park = client_for(parks.park_user)
    assert _json(park, "post", url, body).status_code == 403
    assert not Commitment.objects.exists()

    domain.record_figures(
        actor=personas.staff, project=project, period=_month(1), values={"capital_wan": 400}
    )
    staff = client_for(personas.staff)
    created = _json(staff, "post", url, body)
    assert created.status_code == 201, created.content
    assert created.json()["actual"] == "400.00" or float(created.json()["actual"]) == 400
    assert float(created.json()["shortfall"]) == 600 and created.json()["overdue"] is True
    listed = park.get(url).json()
    assert [float(c["shortfall"]) for c in listed] == [600]
    bad = _json(staff, "post", url, {**body, "amount": "0"})
    assert bad.status_code == 422 and "amount" in bad.json()["error"]["fields"]

    cid = created.json()["id"]
    assert park.delete(f"{url}/{cid}").status_code == 403
    assert staff.delete(f"{url}/{cid}").status_code == 204
    assert staff.delete(f"{url}/{cid}").status_code == 404
    assert not Commitment.objects.exists()


def test_lists_filter_by_park_and_stalled(personas: Personas, parks: Parks) -> None:
    calm = make_landed(personas, parks.park, title="平稳项目")
    late = make_landed(personas, parks.other, title="延误项目")
    domain.set_milestone(
        actor=personas.staff,
        project=late,
        kind="lease_signed",
        planned_on=timezone.localdate() - timedelta(days=10),
    )
    staff = client_for(personas.staff)
    by_park = staff.get(f"{API}/projects", {"park": parks.park.pk}).json()["items"]
    assert [row["id"] for row in by_park] == [calm.pk]
    stalled = staff.get(f"{API}/projects", {"stalled": "true"}).json()["items"]
    assert [row["id"] for row in stalled] == [late.pk]
    assert stalled[0]["stalled"][0]["code"] == "milestone_overdue"
    assert stalled[0]["next_milestone"]["kind"] == "registered"


def test_evidence_is_attached_to_a_milestone_and_bad_files_are_refused(
    personas: Personas, parks: Parks, project: Project
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(parks.park_user)
    url = f"{API}/projects/{project.pk}/milestones/construction"
    assert _json(client, "put", url, {"planned_on": "2026-01-10"}).status_code == 200
    photo = SimpleUploadedFile("工地.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, "image/png")
    done = client.post(f"{url}/evidence", {"file": photo})
    assert done.status_code == 200, done.content
    assert done.json()["evidence_name"] == "工地.png"
    stored = Milestone.objects.get(project=project, kind="construction")
    assert stored.evidence_type == "image/png" and stored.version == done.json()["version"]

    fake = SimpleUploadedFile("report.pdf", b"MZ not a pdf", "application/pdf")
    refused = client.post(f"{url}/evidence", {"file": fake})
    assert refused.status_code == 422 and "file" in refused.json()["error"]["fields"]
    stale = client.post(
        f"{url}/evidence",
        {"file": SimpleUploadedFile("b.png", b"\x89PNG\r\n\x1a\n0", "image/png")},
        headers={"If-Match": '"1"'},
    )
    assert stale.status_code == 409
    other = client_for(parks.other_user).post(
        f"{url}/evidence",
        {"file": SimpleUploadedFile("c.png", b"\x89PNG\r\n\x1a\n0", "image/png")},
    )
    assert other.status_code == 404
    viewer = client_for(personas.viewer).post(
        f"{url}/evidence",
        {"file": SimpleUploadedFile("d.png", b"\x89PNG\r\n\x1a\n0", "image/png")},
    )
    assert viewer.status_code == 403
