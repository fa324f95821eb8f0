"""The follow-through pages after landing: who sees and records what, bad input, conflicts,
gate warnings."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from luodi.aftercare import domain
from luodi.aftercare.models import Commitment, FigureReport, Milestone, Subsidy
from tests.aftercare.factories import Parks, make_landed, make_parks
from tests.conftest import Personas, client_for

TITLE = "机密骨科机器人项目"
ENTITY = "成都蓉骨医疗科技有限公司"


@pytest.fixture
def parks(personas: Personas) -> Parks:
    return make_parks()


@pytest.fixture
def project(personas: Personas, parks: Parks):  # type: ignore[no-untyped-def]
    return make_landed(personas, parks.park)


def _month(day):  # type: ignore[no-untyped-def]
    return day.replace(day=1)


def test_park_member_records_a_milestone(personas: Personas, parks: Parks, project) -> None:  # type: ignore[no-untyped-def]
    client = client_for(parks.park_user)
    today = timezone.localdate()
    page = client.get(f"/aftercare/projects/{project.pk}/")
    assert page.status_code == 200
    assert b'data-testid="ms-form-registered"' in page.content
    answer = client.post(
        f"/aftercare/projects/{project.pk}/milestones/lease_signed/",
        {"lease_signed-planned_on": (today + timedelta(days=30)).isoformat()},
    )
    assert answer.status_code == 302
    ms = Milestone.objects.get(project=project, kind="lease_signed")
    assert ms.planned_on == today + timedelta(days=30) and ms.actual_on is None


def test_other_park_gets_404(personas: Personas, parks: Parks, project) -> None:  # type: ignore[no-untyped-def]
    client = client_for(parks.other_user)
    assert client.get(f"/aftercare/projects/{project.pk}/").status_code == 404
    answer = client.post(
        f"/aftercare/projects/{project.pk}/milestones/lease_signed/",
        {"lease_signed-planned_on": timezone.localdate().isoformat()},
    )
    assert answer.status_code == 404
    assert not Milestone.objects.exists()
    board = client.get("/aftercare/")
    assert board.status_code == 200 and ENTITY.encode() not in board.content
    assert ENTITY.encode() not in client.get("/aftercare/stalled/").content


def test_viewer_sees_the_entity_never_the_title(personas: Personas, project) -> None:  # type: ignore[no-untyped-def]
    domain.record_figures(
        actor=personas.staff,
        project=project,
        period=_month(timezone.localdate()),
        values={"capital_wan": "100"},
    )
    client = client_for(personas.viewer)
    for url in (
        "/aftercare/",
        f"/aftercare/projects/{project.pk}/",
        f"/aftercare/projects/{project.pk}/figures/{timezone.localdate():%Y-%m}/history/",
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        assert ENTITY.encode() in page.content, url
        assert TITLE.encode() not in page.content, url
    # Who recorded the figures is a person: the history names no one to a viewer (the
    # project page names its responsible staff on purpose: the bureau's contact).
    history = f"/aftercare/projects/{project.pk}/figures/{timezone.localdate():%Y-%m}/history/"
    assert personas.staff.username.encode() not in client.get(history).content
    assert personas.staff.username.encode() in client_for(personas.staff).get(history).content
    page = client.get(f"/aftercare/projects/{project.pk}/")
    assert b"ms-form-" not in page.content and b"figure-form" not in page.content
    answer = client.post(
        f"/aftercare/projects/{project.pk}/figures/",
        {"period": f"{timezone.localdate():%Y-%m}", "jobs": "5"},
    )
    assert answer.status_code == 403


def test_staff_sees_the_title(personas: Personas, project) -> None:  # type: ignore[no-untyped-def]
    staff = client_for(personas.staff)
    page = staff.get(f"/aftercare/projects/{project.pk}/")
    assert TITLE.encode() in page.content
    pipeline = staff.get(f"/projects/{project.pk}/")
    assert f'href="/aftercare/projects/{project.pk}/"'.encode() in pipeline.content
    assert b'href="/aftercare/"' in staff.get("/").content  # the menu entry
    assert b'href="/aftercare/"' in client_for(personas.viewer).get("/").content


def test_commitments_are_staff_only(personas: Personas, parks: Parks, project) -> None:  # type: ignore[no-untyped-def]
    due = timezone.localdate() + timedelta(days=90)
    data = {"com-metric": "capital_wan", "com-amount": "3000", "com-due_on": due.isoformat()}
    park = client_for(parks.park_user)
    assert b"commitment-form" not in park.get(f"/aftercare/projects/{project.pk}/").content
    assert park.post(f"/aftercare/projects/{project.pk}/commitments/", data).status_code == 403
    staff = client_for(personas.staff)
    answer = staff.post(f"/aftercare/projects/{project.pk}/commitments/", data)
    assert answer.status_code == 302
    item = Commitment.objects.get()
    assert item.amount == Decimal("3000")
    page = staff.get(f"/aftercare/projects/{project.pk}/")
    assert f'data-testid="commitment-{item.pk}"'.encode() in page.content
    remove = f"/aftercare/projects/{project.pk}/commitments/{item.pk}/remove/"
    assert park.post(remove).status_code == 403
    assert staff.post(remove).status_code == 302
    assert not Commitment.objects.exists()


def test_bad_input_is_400_with_field_errors(personas: Personas, project) -> None:  # type: ignore[no-untyped-def]
    client = client_for(personas.staff)
    future = timezone.localdate() + timedelta(days=3)
    answer = client.post(
        f"/aftercare/projects/{project.pk}/milestones/construction/",
        {"construction-actual_on": future.isoformat()},
    )
    assert answer.status_code == 400
    assert b"has-error" in answer.content
    assert not Milestone.objects.exists()
    answer = client.post(
        f"/aftercare/projects/{project.pk}/figures/", {"period": "not-a-month", "jobs": "-3"}
    )
    assert answer.status_code == 400 and b"has-error" in answer.content
    answer = client.post(
        f"/aftercare/projects/{project.pk}/figures/",
        {"period": f"{timezone.localdate():%Y-%m}", "jobs": "1.5"},
    )
    assert answer.status_code == 400
    answer = client.post(f"/aftercare/projects/{project.pk}/subsidies/", {"sub-policy": ""})
    assert answer.status_code == 400 and b"has-error" in answer.content
    answer = client.post(
        f"/aftercare/projects/{project.pk}/commitments/", {"com-metric": "x", "com-amount": "-1"}
    )
    assert answer.status_code == 400
    # A registration without a valid credit code: beside the field, not a 500.
    answer = client.post(
        f"/aftercare/projects/{project.pk}/milestones/registered/",
        {
            "registered-actual_on": timezone.localdate().isoformat(),
            "registered-credit_code": "123",
            "registered-confirm": "on",
        },
    )
    assert answer.status_code == 400
    assert client.post(f"/aftercare/projects/{project.pk}/milestones/nope/").status_code == 404
    assert client.get(f"/aftercare/projects/{project.pk}/figures/2026-13/").status_code == 404


def test_gate_warning_then_confirm(personas: Personas, project) -> None:  # type: ignore[no-untyped-def]
    client = client_for(personas.staff)
    url = f"/aftercare/projects/{project.pk}/milestones/construction/"
    day = timezone.localdate() - timedelta(days=2)
    answer = client.post(url, {"construction-actual_on": day.isoformat()})
    assert answer.status_code == 422
    assert b'data-testid="gate-warnings"' in answer.content
    assert b'name="construction-confirm" value="on"' in answer.content
    assert not Milestone.objects.exists()
    answer = client.post(
        url, {"construction-actual_on": day.isoformat(), "construction-confirm": "on"}
    )
    assert answer.status_code == 302
    ms = Milestone.objects.get(kind="construction")
    assert ms.actual_on == day and ms.warnings


def test_evidence_is_an_attachment(personas: Personas, parks: Parks, project) -> None:  # type: ignore[no-untyped-def]
    client = client_for(personas.staff)
    pdf = SimpleUploadedFile("租赁合同.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    answer = client.post(
        f"/aftercare/projects/{project.pk}/milestones/lease_signed/",
        {
            "lease_signed-actual_on": timezone.localdate().isoformat(),
            "lease_signed-evidence": pdf,
            "lease_signed-confirm": "on",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    ms = Milestone.objects.get(kind="lease_signed")
    download = client.get(f"/aftercare/milestones/{ms.pk}/evidence/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert (
        client_for(parks.other_user).get(f"/aftercare/milestones/{ms.pk}/evidence/").status_code
        == 404
    )


def test_figures_conflict_is_409(personas: Personas, parks: Parks, project) -> None:  # type: ignore[no-untyped-def]
    month = _month(timezone.localdate())
    report = domain.record_figures(
        actor=personas.staff, project=project, period=month, values={"jobs": 10}
    )
    url = f"/aftercare/projects/{project.pk}/figures/{month:%Y-%m}/"
    form = client_for(parks.park_user).get(url)
    assert form.status_code == 200 and b'name="version"' in form.content
    domain.record_figures(actor=personas.staff, project=project, period=month, values={"jobs": 12})
    answer = client_for(parks.park_user).post(url, {"jobs": "15", "version": str(report.version)})
    assert answer.status_code == 409
    assert b'data-testid="conflict"' in answer.content
    report.refresh_from_db()
    assert report.jobs == 12
    fresh = client_for(parks.park_user).post(url, {"jobs": "15", "version": str(report.version)})
    assert fresh.status_code == 302
    history = client_for(parks.park_user).get(f"{url}history/")
    assert history.status_code == 200 and history.content.count(b"<tr>") >= 3


def test_subsidy_moves_on(personas: Personas, parks: Parks, project) -> None:  # type: ignore[no-untyped-def]
    client = client_for(parks.park_user)
    today = timezone.localdate()
    answer = client.post(
        f"/aftercare/projects/{project.pk}/subsidies/",
        {
            "sub-kind": "rent",
            "sub-policy": "三年房租减免",
            "sub-applied_on": today.isoformat(),
            "sub-amount_applied_wan": "120",
        },
    )
    assert answer.status_code == 302
    item = Subsidy.objects.get()
    url = f"/aftercare/projects/{project.pk}/subsidies/{item.pk}/"
    # Approved needs its date and amount: refused beside the fields.
    missing = client.post(url, {f"sub-{item.pk}-status": "approved", f"sub-{item.pk}-version": "1"})
    assert missing.status_code == 400 and b"has-error" in missing.content
    answer = client.post(
        url,
        {
            f"sub-{item.pk}-status": "approved",
            f"sub-{item.pk}-approved_on": today.isoformat(),
            f"sub-{item.pk}-amount_approved_wan": "100",
            f"sub-{item.pk}-version": str(item.version),
        },
    )
    assert answer.status_code == 302
    item.refresh_from_db()
    assert item.status == "approved"
    stale = client.post(
        url,
        {
            f"sub-{item.pk}-status": "paid",
            f"sub-{item.pk}-paid_on": today.isoformat(),
            f"sub-{item.pk}-amount_paid_wan": "100",
            f"sub-{item.pk}-version": "1",
        },
    )
    assert stale.status_code == 409


def test_stalled_list_by_park(personas: Personas, parks: Parks, project) -> None:  # type: ignore[no-untyped-def]
    domain.set_milestone(
        actor=personas.staff,
        project=project,
        kind="lease_signed",
        planned_on=timezone.localdate() - timedelta(days=10),
    )
    own = client_for(parks.park_user).get("/aftercare/stalled/")
    assert f'stalled-row-{project.pk}"'.encode() in own.content
    other = client_for(parks.other_user).get("/aftercare/stalled/")
    assert f'stalled-row-{project.pk}"'.encode() not in other.content
    staff = client_for(personas.staff)
    assert f'stalled-row-{project.pk}"'.encode() in staff.get("/aftercare/stalled/?mine=on").content
    board = staff.get("/aftercare/")
    assert f'stalled-{project.pk}"'.encode() in board.content
    # The filters answer htmx with the rows (or the board) only.
    rows = staff.get(f"/aftercare/stalled/?park={parks.park.pk}", HTTP_HX_REQUEST="true")
    assert b"<html" not in rows.content and f"stalled-row-{project.pk}".encode() in rows.content
    make_landed(personas, parks.other, title="另一个园区的项目")
    other_park = staff.get(f"/aftercare/?park={parks.other.pk}", HTTP_HX_REQUEST="true")
    assert b"<html" not in other_park.content and b'id="ac-board"' in other_park.content
    assert f'card-{project.pk}"'.encode() not in other_park.content
    assert FigureReport.objects.count() == 0


def test_the_follow_through_page_links_to_the_figures_import(personas, db) -> None:  # type: ignore[no-untyped-def]
    from tests.aftercare.factories import make_landed, make_parks

    parks = make_parks()
    project = make_landed(personas, parks.park)
    client = client_for(parks.park_user)
    page = client.get(f"/aftercare/projects/{project.pk}/").content.decode()
    assert "/import/?kind=figures" in page
    upload = client.get("/import/?kind=figures").content.decode()
    assert '<option value="figures" selected>' in upload
