"""#19, company requests (企业诉求): a landed company's problems with an owner, a due date,
escalation, resolution and satisfaction; seen by the project's parties only."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from luodi.pipeline.domain.requests import raise_request
from luodi.pipeline.models import CompanyRequest, Task
from tests.conftest import Personas, client_for
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.pipeline.factories import make_project

API = "/api/pipeline"


@pytest.fixture
def project(personas: Personas):  # type: ignore[no-untyped-def]
    park = OrganizationFactory(kind="park", name_zh="某园区")
    return make_project(personas.staff, personas.org_a, company=personas.org_b, target_park=park)


def _raise(personas: Personas, project, **values):  # type: ignore[no-untyped-def]
    return raise_request(
        actor=personas.staff,
        project=project,
        owner=personas.staff,
        values={
            "category": "site",
            "title": "双回路供电改造",
            "due_date": timezone.localdate() + timedelta(days=10),
            **values,
        },
    )


def test_the_company_raises_a_request_and_the_owner_gets_a_task(
    personas: Personas, project
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(personas.partner_b)  # a member of the project's company
    response = client.post(
        f"/projects/{project.pk}/requests/",
        {
            "category": "approval",
            "title": "注册检验排期过长",
            "details": "排队超过三个月。",
            "owner": personas.staff.pk,
            "due_date": "2027-01-15",
        },
    )

    req = CompanyRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/projects/requests/{req.pk}/"
    assert (req.raised_by, req.owner, req.status) == (personas.partner_b, personas.staff, "open")
    task = Task.objects.get(pk=req.task_id)
    assert (task.owner, task.due_date, task.project) == (personas.staff, date(2027, 1, 15), project)
    page = client_for(personas.staff).get(f"/projects/{project.pk}/").content.decode()
    assert "注册检验排期过长" in page


def test_a_request_without_a_category_is_refused_and_nothing_written(
    personas: Personas, project
) -> None:  # type: ignore[no-untyped-def]
    response = client_for(personas.staff).post(
        f"/projects/{project.pk}/requests/",
        {"title": "x", "owner": personas.staff.pk, "due_date": "2027-01-15"},
    )

    assert response.status_code == 400
    assert "category" in response.context["request_form"].errors
    assert not CompanyRequest.objects.exists() and not Task.objects.exists()


def test_only_the_projects_parties_see_it(personas: Personas, project) -> None:  # type: ignore[no-untyped-def]
    req = _raise(personas, project)
    outsider = UserFactory(username="outsider", role="partner")
    MembershipFactory(user=outsider, organization=OrganizationFactory(name_zh="无关机构"))

    for user, code in ((personas.partner_b, 200), (outsider, 404), (personas.viewer, 404)):
        assert client_for(user).get(f"/projects/requests/{req.pk}/").status_code == code
    assert client_for(outsider).get(f"{API}/requests").json()["items"] == []
    assert "双回路供电改造" not in client_for(outsider).get("/projects/requests/").content.decode()
    # A party may see it but only staff or its owner handle it.
    refused = client_for(personas.partner_b).post(
        f"{API}/requests/{req.pk}/resolve", {"resolution": "x"}, content_type="application/json"
    )
    assert refused.status_code == 403


def test_escalate_then_resolve_closes_the_task(personas: Personas, project) -> None:  # type: ignore[no-untyped-def]
    req = _raise(personas, project)
    client = client_for(personas.staff)
    escalated = client.post(
        f"{API}/requests/{req.pk}/escalate",
        {"to": "区行政审批局", "version": req.version},
        content_type="application/json",
    )
    assert escalated.status_code == 200 and escalated.json()["status"] == "escalated"
    stale = client.post(
        f"{API}/requests/{req.pk}/resolve",
        {"resolution": "已协调", "version": req.version},
        content_type="application/json",
    )
    assert stale.status_code == 409
    resolved = client.post(
        f"{API}/requests/{req.pk}/resolve",
        {"resolution": "供电公司完成接入", "satisfaction": 5, "version": req.version + 1},
        content_type="application/json",
    )

    body = resolved.json()
    assert (body["status"], body["satisfaction"], body["overdue"]) == ("resolved", 5, False)
    assert Task.objects.get(pk=req.task_id).status == "done"
    assert client.get(f"{API}/requests").json()["items"] == []  # not resolved, by default
    assert [r["id"] for r in client.get(f"{API}/requests", {"status": "all"}).json()["items"]] == [
        req.pk
    ]


def test_overdue_requests_are_listed_and_an_owner_outside_the_project_refused(
    personas: Personas, project
) -> None:  # type: ignore[no-untyped-def]
    late = _raise(personas, project, raised_on=date(2026, 1, 5), due_date=date(2026, 2, 1))
    _raise(personas, project, title="人才公寓")
    client = client_for(personas.staff)

    rows = client.get(f"{API}/requests", {"overdue": True}).json()["items"]
    assert [(r["id"], r["overdue"]) for r in rows] == [(late.pk, True)]
    stranger = UserFactory(username="stranger", role="partner")
    response = client.post(
        f"{API}/projects/{project.pk}/requests",
        {"category": "talent", "title": "x", "owner_id": stranger.pk, "due_date": "2027-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "owner" in response.json()["error"]["fields"]


def test_a_request_raised_at_a_meeting_links_it_for_those_who_may_see_it(
    personas: Personas, project
) -> None:  # type: ignore[no-untyped-def]
    """The company raised it at a meeting with the association; the park (also a party of
    the project) was not at that meeting, so it sees neither its title nor its id."""
    from tests.engagements.factories import MeetingFactory

    meeting = MeetingFactory(title="企业座谈：供电问题")
    meeting.organizations.set([personas.org_b])
    meeting.projects.set([project])
    company = client_for(personas.partner_b)
    form = company.get(f"/projects/{project.pk}/").content.decode()
    assert "企业座谈：供电问题" in form  # offered in the form
    company.post(
        f"/projects/{project.pk}/requests/",
        {
            "category": "site",
            "title": "供电",
            "owner": personas.staff.pk,
            "due_date": "2027-01-15",
            "meeting": meeting.pk,
        },
    )
    req = CompanyRequest.objects.get()
    assert req.meeting == meeting
    assert company.get(f"{API}/requests/{req.pk}").json()["meeting_id"] == meeting.pk
    park_user = UserFactory(username="park_member", role="partner")
    MembershipFactory(user=park_user, organization=project.target_park)
    park = client_for(park_user)
    assert park.get(f"{API}/requests/{req.pk}").json()["meeting_id"] is None
    page = park.get(f"/projects/requests/{req.pk}/").content.decode()
    assert "企业座谈" not in page
    assert "企业座谈" in company.get(f"/projects/requests/{req.pk}/").content.decode()
