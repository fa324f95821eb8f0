"""#18 item 3: agreements between organizations, with no project (a strategic cooperation
intention with a group to co-host forums had to hang off an unrelated project and counted in
its agreements), seen by their parties only, with obligations, follow-ups and links from
projects and events."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from luodi.accounts.models import Role
from luodi.catalog.models import Organization
from luodi.insights.reports import collect
from luodi.pipeline.domain.agreements import create_agreement
from luodi.pipeline.models import Agreement, Task
from tests.conftest import Personas, client_for
from tests.engagements.factories import EventFactory
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.pipeline.factories import make_project

API = "/api/pipeline"


@pytest.fixture
def outsider(personas: Personas):  # type: ignore[no-untyped-def]
    org = OrganizationFactory(name_zh="丙机构", name_en="Org C")
    user = UserFactory(username="partner_c", role=Role.PARTNER)
    MembershipFactory(user=user, organization=org)
    return user


@pytest.fixture
def strategic(personas: Personas) -> Agreement:
    return create_agreement(
        actor=personas.staff,
        project=None,
        values={
            "kind": "strategic",
            "title": "共同举办生物医药产业论坛战略合作意向",
            "status": "signed",
            "signed_on": timezone.localdate(),
        },
        parties=[personas.org_a, personas.org_b],
    )


def test_staff_record_an_agreement_between_organizations_on_its_own_page(
    personas: Personas,
) -> None:
    project = make_project(personas.staff, personas.org_a, title="PD-1 项目")
    client = client_for(personas.staff)
    form = client.get(f"/projects/agreements/new/?party={personas.org_b.pk}")
    assert form.status_code == 200
    assert 'name="related_projects"' in form.content.decode()

    response = client.post(
        "/projects/agreements/new/",
        {
            "kind": "strategic",
            "title": "共同举办论坛战略合作意向",
            "status": "draft",
            "parties": [personas.org_a.pk, personas.org_b.pk],
            "related_projects": [project.pk],
        },
    )

    agreement = Agreement.objects.get()
    assert agreement.project is None
    assert response.status_code == 302
    assert response["Location"] == f"/projects/agreements/{agreement.pk}/"
    # It no longer counts among the project's own agreements; the project names it instead.
    assert project.agreements.count() == 0
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert 'data-testid="framework-agreements"' in page
    assert "共同举办论坛战略合作意向" in page
    detail = client.get(f"/projects/agreements/{agreement.pk}/").content.decode()
    assert "甲机构" in detail and "乙机构" in detail and "PD-1 项目" in detail


def test_one_party_is_refused_with_a_field_error_and_nothing_written(
    personas: Personas,
) -> None:
    response = client_for(personas.staff).post(
        "/projects/agreements/new/",
        {"kind": "mou", "title": "备忘录", "status": "draft", "parties": [personas.org_a.pk]},
    )

    assert response.status_code == 400
    assert "至少需要两方" in response.content.decode()
    assert not Agreement.objects.exists()


def test_only_parties_and_staff_see_it(personas: Personas, strategic: Agreement, outsider) -> None:  # type: ignore[no-untyped-def]
    url = f"/projects/agreements/{strategic.pk}/"
    assert client_for(personas.partner_a).get(url).status_code == 200
    assert client_for(personas.partner_b).get(url).status_code == 200
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(personas.viewer).get(url).status_code == 404

    listed = client_for(outsider).get("/projects/agreements/").content.decode()
    assert strategic.title not in listed
    assert (
        strategic.title
        in client_for(personas.partner_a).get("/projects/agreements/").content.decode()
    )
    api = client_for(outsider).get(f"{API}/agreements").json()
    assert api["items"] == []
    assert client_for(outsider).get(f"{API}/agreements/{strategic.pk}").status_code == 404


def test_an_obligation_gives_a_party_member_a_follow_up_without_a_project(
    personas: Personas, strategic: Agreement, outsider
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(personas.staff)
    client.post(
        f"/projects/agreements/{strategic.pk}/obligations/",
        {
            "kind": "report",
            "description": "提交论坛筹备方案",
            "due_date": "2027-01-15",
            "responsible": personas.partner_b.pk,
        },
    )

    task = Task.objects.get()
    assert (task.project, task.owner, task.obligation.agreement) == (
        None,
        personas.partner_b,
        strategic,
    )
    mine = client_for(personas.partner_b).get(f"{API}/tasks").json()["items"]
    assert [t["id"] for t in mine] == [task.pk]
    # Somebody who may not see the agreement cannot be made responsible for it.
    response = client_for(personas.staff).post(
        f"{API}/agreements/{strategic.pk}/obligations",
        {
            "kind": "report",
            "description": "x",
            "due_date": "2027-02-01",
            "responsible_id": outsider.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert Task.objects.count() == 1


def test_the_api_creates_lists_and_refuses(personas: Personas, outsider) -> None:  # type: ignore[no-untyped-def]
    hidden = make_project(personas.staff, personas.org_b, title="乙的项目")
    client = client_for(personas.staff)
    one = client.post(
        f"{API}/agreements",
        {"kind": "mou", "title": "备忘录", "party_ids": [personas.org_a.pk]},
        content_type="application/json",
    )
    assert one.status_code == 422
    assert "party_ids" in one.json()["error"]["fields"]

    made = client.post(
        f"{API}/agreements",
        {
            "kind": "cohosting",
            "title": "联合主办学术会议协议",
            "party_ids": [personas.org_a.pk, personas.org_b.pk],
            "related_project_ids": [hidden.pk],
        },
        content_type="application/json",
    )
    assert made.status_code == 201
    body = made.json()
    assert (body["project_id"], body["related_project_ids"]) == (None, [hidden.pk])
    # Party A sees the agreement but not B's project under it.
    seen = client_for(personas.partner_a).get(f"{API}/agreements/{body['id']}").json()
    assert seen["related_project_ids"] == []
    listed = client.get(f"{API}/agreements", {"scope": "organizations"}).json()["items"]
    assert [a["id"] for a in listed] == [body["id"]]
    assert client.get(f"{API}/agreements", {"scope": "nonsense"}).status_code == 422
    refused = client_for(personas.partner_a).post(
        f"{API}/agreements",
        {"kind": "mou", "title": "x", "party_ids": [personas.org_a.pk, personas.org_b.pk]},
        content_type="application/json",
    )
    assert refused.status_code == 403


def test_an_event_carries_out_an_agreement_shown_only_to_those_who_may_open_it(
    personas: Personas, strategic: Agreement, outsider
) -> None:  # type: ignore[no-untyped-def]
    event = EventFactory(organizer=personas.org_a)
    event.agreements.set([strategic])

    staff_page = client_for(personas.staff).get(f"/engagements/events/{event.pk}/")
    assert f"/projects/agreements/{strategic.pk}/" in staff_page.content.decode()
    outsider_page = client_for(outsider).get(f"/engagements/events/{event.pk}/")
    assert strategic.title not in outsider_page.content.decode()
    detail = client_for(personas.staff).get(f"/projects/agreements/{strategic.pk}/")
    assert str(event.title) in detail.content.decode()


def test_the_organization_timeline_and_the_report_include_it(
    personas: Personas, strategic: Agreement
) -> None:
    timeline = client_for(personas.partner_a).get(
        f"/insights/organizations/{personas.org_a.pk}/timeline/"
    )
    assert f"/projects/agreements/{strategic.pk}/" in timeline.content.decode()

    today = timezone.localdate()
    data = collect(personas.staff, date(today.year, 1, 1), today)
    assert strategic.title in [row[0] for row in data.agreements]


def test_group_and_subsidiary_with_cycles_refused(personas: Personas) -> None:
    group = OrganizationFactory(name_zh="九联集团（演示）", kind="company")
    client = client_for(personas.staff)
    org_a = personas.org_a
    edit = f"/catalog/organizations/{org_a.pk}/edit/"
    form = client.get(edit)
    assert 'name="parent"' in form.content.decode()

    def post(org: Organization, parent: Organization) -> int:
        current = client.get(f"/catalog/organizations/{org.pk}/edit/").context["form"]
        skip = ("focus_areas", "chain_segments", "aliases")
        data = {k: v for k, v in current.initial.items() if v is not None and k not in skip}
        data.update({"parent": parent.pk, "version": org.version})
        return client.post(f"/catalog/organizations/{org.pk}/edit/", data).status_code

    assert post(org_a, group) == 302
    org_a.refresh_from_db()
    assert org_a.parent == group
    page = client.get(f"/catalog/organizations/{group.pk}/").content.decode()
    assert 'data-testid="org-subsidiaries"' in page and "甲机构" in page
    group.refresh_from_db()
    # The group under its own subsidiary would be a cycle.
    assert post(group, org_a) == 400
    group.refresh_from_db()
    assert group.parent is None


def test_the_relationship_graph_links_the_parties(
    personas: Personas, strategic: Agreement, outsider
) -> None:  # type: ignore[no-untyped-def]
    from luodi.insights.geo import relation_graph

    pair = {str(personas.org_a.pk), str(personas.org_b.pk)}

    def agreement_links(user) -> list[set[str]]:  # type: ignore[no-untyped-def]
        return [
            {link["source"], link["target"]}
            for link in relation_graph(user)["links"]
            if "agreement" in link["kinds"]
        ]

    assert pair in agreement_links(personas.staff)
    assert pair in agreement_links(personas.partner_a)
    assert pair not in agreement_links(outsider)
