"""Optimistic concurrency (issue #16, item 6): two people edit the same record; the second
save sees a conflict with both texts, and the first one's text stays."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from luodi.accounts.models import AuditEntry, Role, User
from luodi.catalog.models import Achievement
from tests.catalog_api.helpers import Api
from tests.conftest import Personas, client_for
from tests.factories import AchievementFactory, UserFactory

pytestmark = pytest.mark.django_db


def _second_staff() -> User:
    return UserFactory(username="staff_two", role=Role.STAFF)


def form_data(client: Client, url: str) -> dict[str, Any]:
    """What a browser sends back for the edit form as it was rendered (hidden fields too)."""
    response = client.get(url)
    assert response.status_code == 200
    data: dict[str, Any] = {}
    for field in response.context["form"]:
        value = field.value()
        if value is not None and not field.field.disabled:
            data[field.html_name] = value
    return data


def test_achievement_form_second_save_is_a_conflict_and_the_first_title_stays(
    personas: Personas,
) -> None:
    item = AchievementFactory(owner=personas.org_a, title_zh="原标题", summary_zh="原摘要")
    url = f"/catalog/achievements/{item.pk}/edit/"
    first, second = client_for(personas.staff), client_for(_second_staff())
    first_form, second_form = form_data(first, url), form_data(second, url)

    saved = first.post(url, {**first_form, "title_zh": "甲修改的标题"})
    refused = second.post(url, {**second_form, "title_zh": "乙修改的标题"})

    assert saved.status_code == 302
    assert refused.status_code == 409
    item.refresh_from_db()
    assert item.title_zh == "甲修改的标题"
    rows = {row.name: (row.theirs, row.yours) for row in refused.context["conflict"].rows}
    assert rows == {"title_zh": ("甲修改的标题", "乙修改的标题")}
    body = refused.content.decode()
    assert 'data-testid="conflict"' in body
    assert "甲修改的标题" in body and "乙修改的标题" in body
    assert AuditEntry.objects.filter(verb="achievement.update").count() == 1


def test_after_a_conflict_the_form_carries_the_current_version_so_saving_again_works(
    personas: Personas,
) -> None:
    item = AchievementFactory(owner=personas.org_a, title_zh="原标题")
    url = f"/catalog/achievements/{item.pk}/edit/"
    first, second = client_for(personas.staff), client_for(_second_staff())
    first_form, second_form = form_data(first, url), form_data(second, url)
    first.post(url, {**first_form, "title_zh": "甲"})
    refused = second.post(url, {**second_form, "title_zh": "乙"})
    version = refused.context["form"]["version"].value()

    again = second.post(url, {**second_form, "title_zh": "乙", "version": version})

    assert again.status_code == 302
    item.refresh_from_db()
    assert (item.title_zh, item.version) == ("乙", int(version) + 1)


def test_a_partner_and_staff_editing_a_pending_record_conflict_too(personas: Personas) -> None:
    item = AchievementFactory(owner=personas.org_a, status="pending", summary_zh="原摘要")
    url = f"/catalog/achievements/{item.pk}/edit/"
    partner, staff = client_for(personas.partner_a), client_for(personas.staff)
    partner_form, staff_form = form_data(partner, url), form_data(staff, url)

    assert staff.post(url, {**staff_form, "summary_zh": "工作人员的摘要"}).status_code == 302
    refused = partner.post(url, {**partner_form, "summary_zh": "合作方的摘要"})

    assert refused.status_code == 409
    item.refresh_from_db()
    assert item.summary_zh == "工作人员的摘要"


def test_api_second_patch_with_the_same_version_is_a_409_with_the_current_version(
    personas: Personas,
) -> None:
    item = AchievementFactory(owner=personas.org_a, title_zh="原标题")
    first, second = Api(personas.staff), Api(_second_staff())
    shown = first.get(f"/achievements/{item.pk}")
    version = shown.json()["version"]
    assert shown["ETag"] == f'"{version}"'

    ok = first.patch(f"/achievements/{item.pk}", {"title_zh": "甲", "version": version})
    refused = second.patch(f"/achievements/{item.pk}", {"title_zh": "乙", "version": version})

    assert ok.status_code == 200, ok.content
    assert ok.json()["version"] == version + 1
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "conflict"
    assert error["fields"]["version"] == [str(version + 1)]
    assert error["fields"]["title_zh"] == ["甲"]
    item.refresh_from_db()
    assert item.title_zh == "甲"


def test_api_if_match_header_is_checked_like_the_version_field(personas: Personas) -> None:
    item = AchievementFactory(owner=personas.org_a, title_zh="原标题")
    api = Api(personas.staff)
    etag = api.get(f"/achievements/{item.pk}")["ETag"]
    url = f"/api/catalog/achievements/{item.pk}"

    ok = api.client.patch(
        url, {"title_zh": "甲"}, content_type="application/json", HTTP_IF_MATCH=etag
    )
    stale = api.client.patch(
        url, {"title_zh": "乙"}, content_type="application/json", HTTP_IF_MATCH=etag
    )

    assert ok.status_code == 200 and ok["ETag"] != etag
    assert stale.status_code == 409
    assert Achievement.objects.get(pk=item.pk).title_zh == "甲"


def test_api_patch_without_a_version_changes_only_the_fields_sent(personas: Personas) -> None:
    # No token offered: a PATCH writes what it sends and bumps the version, so an edit form
    # opened before it conflicts instead of reverting it.
    item = AchievementFactory(owner=personas.org_a, title_zh="原标题", summary_zh="原摘要")
    url = f"/catalog/achievements/{item.pk}/edit/"
    browser = client_for(_second_staff())
    opened = form_data(browser, url)

    Api(personas.staff).patch(f"/achievements/{item.pk}", {"title_zh": "接口标题"})
    refused = browser.post(url, {**opened, "summary_zh": "浏览器摘要"})

    assert refused.status_code == 409
    item.refresh_from_db()
    assert (item.title_zh, item.summary_zh) == ("接口标题", "原摘要")


def test_project_form_second_save_is_a_conflict(personas: Personas) -> None:
    from tests.pipeline.factories import make_project

    project = make_project(personas.staff, personas.org_a, title="原项目名")
    url = f"/projects/{project.pk}/edit/"
    first, second = client_for(personas.staff), client_for(_second_staff())
    first_form, second_form = form_data(first, url), form_data(second, url)

    assert first.post(url, {**first_form, "summary": "甲的摘要"}).status_code == 302
    refused = second.post(url, {**second_form, "summary": "乙的摘要"})

    assert refused.status_code == 409
    assert re.search("甲的摘要.*乙的摘要", refused.content.decode(), re.S)
    project.refresh_from_db()
    assert project.summary == "甲的摘要"


def test_visit_form_second_save_is_a_conflict(personas: Personas) -> None:
    from tests.engagements.factories import VisitFactory

    visit = VisitFactory(organizer=personas.org_a, purpose="原目的")
    url = f"/engagements/visits/{visit.pk}/edit/"
    first, second = client_for(personas.staff), client_for(_second_staff())
    first_form, second_form = form_data(first, url), form_data(second, url)

    assert first.post(url, {**first_form, "purpose": "甲的目的"}).status_code == 302
    refused = second.post(url, {**second_form, "purpose": "乙的目的"})

    assert refused.status_code == 409
    visit.refresh_from_db()
    assert visit.purpose == "甲的目的"
    rows = {row.name: (row.theirs, row.yours) for row in refused.context["conflict"].rows}
    assert rows == {"purpose": ("甲的目的", "乙的目的")}


def test_park_profile_form_second_save_is_a_conflict(personas: Personas) -> None:
    from luodi.catalog.models import ParkProfile
    from tests.factories import OrganizationFactory

    park = OrganizationFactory(kind="park")
    ParkProfile.objects.create(organization=park, policy_text_zh="原政策")
    url = f"/catalog/organizations/{park.pk}/profile/"
    first, second = client_for(personas.staff), client_for(_second_staff())
    first_form, second_form = form_data(first, url), form_data(second, url)

    assert first.post(url, {**first_form, "policy_text_zh": "甲的政策"}).status_code == 302
    refused = second.post(url, {**second_form, "policy_text_zh": "乙的政策"})

    assert refused.status_code == 409
    assert ParkProfile.objects.get(organization=park).policy_text_zh == "甲的政策"
    rows = {row.name: (row.theirs, row.yours) for row in refused.context["conflict"].rows}
    assert rows == {"policy_text_zh": ("甲的政策", "乙的政策")}


def test_agreement_form_second_save_is_a_conflict(personas: Personas) -> None:
    from luodi.pipeline.domain.agreements import create_agreement
    from tests.pipeline.factories import make_project

    project = make_project(personas.staff, personas.org_a)
    agreement = create_agreement(
        actor=personas.staff,
        project=project,
        values={"kind": "intention", "title": "合作意向书", "notes": "原备注"},
        parties=[personas.org_a],
    )
    url = f"/projects/{project.pk}/agreements/{agreement.pk}/edit/"
    first, second = client_for(personas.staff), client_for(_second_staff())
    first_form, second_form = form_data(first, url), form_data(second, url)

    assert first.post(url, {**first_form, "notes": "甲的备注"}).status_code == 302
    refused = second.post(url, {**second_form, "notes": "乙的备注"})

    assert refused.status_code == 409
    agreement.refresh_from_db()
    assert agreement.notes == "甲的备注"
    rows = {row.name: (row.theirs, row.yours) for row in refused.context["conflict"].rows}
    assert rows == {"notes": ("甲的备注", "乙的备注")}
