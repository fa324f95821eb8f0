from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from luodi.accounts.models import AuditEntry
from luodi.catalog.models import Achievement
from tests.conftest import Personas, client_for
from tests.factories import (
    AchievementFactory,
    CarrierFactory,
    ClinicalNeedFactory,
    OrganizationFactory,
    PersonFactory,
    TermFactory,
)

pytestmark = pytest.mark.django_db

MAKERS = {
    "achievements": lambda: AchievementFactory().therapeutic_areas.add(TermFactory()),
    "organizations": OrganizationFactory,
    "needs": ClinicalNeedFactory,
    "people": PersonFactory,
    "carriers": CarrierFactory,
}


@pytest.mark.parametrize("slug", list(MAKERS))
def test_list_query_count_does_not_grow_with_rows(personas: Personas, slug: str) -> None:
    client = client_for(personas.staff)
    MAKERS[slug]()
    with CaptureQueriesContext(connection) as one:
        assert client.get(f"/catalog/{slug}/").status_code == 200
    MAKERS[slug]()
    MAKERS[slug]()
    with CaptureQueriesContext(connection) as three:
        assert client.get(f"/catalog/{slug}/").status_code == 200
    assert len(three) == len(one)


def test_partner_submission_waits_for_review_then_staff_approves(personas: Personas) -> None:
    client = client_for(personas.partner_a)
    response = client.post(
        "/catalog/achievements/new/",
        {
            "title_zh": "可降解镁合金支架",
            "summary_zh": "一种新型支架。",
            "kind": "device",
            "owner": personas.org_a.pk,
            "stage": "prototype",
            "disclosure": "public",
        },
    )
    assert response.status_code == 302
    item = Achievement.objects.get(title_zh="可降解镁合金支架")
    assert item.status == "pending"
    other = client_for(personas.partner_b).get("/catalog/achievements/")
    assert "可降解镁合金支架" not in other.content.decode()
    staff = client_for(personas.staff)
    assert "可降解镁合金支架" in staff.get("/catalog/review/").content.decode()
    staff.post(f"/catalog/achievements/{item.pk}/review/", {"decision": "approve"})
    item.refresh_from_db()
    assert item.status == "published"
    assert (
        "可降解镁合金支架"
        in client_for(personas.partner_b).get("/catalog/achievements/").content.decode()
    )
    verbs = set(AuditEntry.objects.values_list("verb", flat=True))
    assert {"achievement.create", "achievement.approve"} <= verbs


def test_return_needs_a_comment(personas: Personas) -> None:
    item = AchievementFactory(owner=personas.org_a, status="pending")
    response = client_for(personas.staff).post(
        f"/catalog/achievements/{item.pk}/review/", {"decision": "return", "comment": ""}
    )
    assert response.status_code == 400
    item.refresh_from_db()
    assert item.status == "pending"


def test_form_rerenders_with_field_errors_and_saves_nothing(personas: Personas) -> None:
    response = client_for(personas.staff).post("/catalog/achievements/new/", {"kind": "nope"})
    assert response.status_code == 400
    assert response.context["form"].errors["kind"]
    assert Achievement.objects.count() == 0


def test_partner_cannot_attach_to_other_org(personas: Personas) -> None:
    response = client_for(personas.partner_a).post(
        "/catalog/achievements/new/",
        {
            "title_zh": "x",
            "summary_zh": "y",
            "kind": "drug",
            "owner": personas.org_b.pk,
            "stage": "discovery",
            "disclosure": "public",
        },
    )
    assert response.status_code == 400
    assert "owner" in response.context["form"].errors


def test_archive_hides_from_list_but_keeps_record(personas: Personas) -> None:
    item = AchievementFactory(owner=personas.org_a, title_zh="待归档成果")
    client = client_for(personas.staff)
    client.post(f"/catalog/achievements/{item.pk}/archive/")
    assert "待归档成果" not in client.get("/catalog/achievements/").content.decode()
    assert Achievement.objects.filter(pk=item.pk).exists()
    assert "待归档成果" in client.get("/catalog/achievements/?show_archived=on").content.decode()


def test_filtered_export_contains_only_filtered_rows(personas: Personas) -> None:
    AchievementFactory(title_zh="器械甲", kind="device", stage="prototype")
    AchievementFactory(title_zh="药物乙", kind="drug")
    response = client_for(personas.staff).get(
        "/catalog/achievements/", {"kind": "device", "export": "csv"}
    )
    text = response.content.decode("utf-8-sig")
    assert "器械甲" in text
    assert "药物乙" not in text


def test_carrier_available_cannot_exceed_total(personas: Personas) -> None:
    park = OrganizationFactory(kind="park")
    response = client_for(personas.staff).post(
        "/catalog/carriers/new/",
        {
            "park": park.pk,
            "name": "A栋",
            "carrier_type": "office",
            "area_total_m2": 100,
            "area_available_m2": 200,
        },
    )
    assert response.status_code == 400
    assert "area_available_m2" in response.context["form"].errors


def test_home_counts_exclude_confidential_of_others(personas: Personas) -> None:
    AchievementFactory(owner=personas.org_a, disclosure="confidential")
    AchievementFactory(owner=personas.org_a)
    counts = {c.slug: c.total for c in client_for(personas.partner_b).get("/").context["counts"]}
    assert counts["achievements"] == 1
    counts = {c.slug: c.total for c in client_for(personas.partner_a).get("/").context["counts"]}
    assert counts["achievements"] == 2


def test_web_edit_is_audited_with_field_changes(personas: Personas) -> None:
    item = AchievementFactory(owner=personas.org_a, title_zh="旧标题")
    client_for(personas.staff).post(
        f"/catalog/achievements/{item.pk}/edit/",
        {
            "title_zh": "新标题",
            "summary_zh": item.summary_zh,
            "kind": item.kind,
            "owner": personas.org_a.pk,
            "stage": item.stage,
            "disclosure": item.disclosure,
        },
    )
    entry = AuditEntry.objects.get(verb="achievement.update")
    assert entry.changes["title_zh"] == ["旧标题", "新标题"]


def test_pager_keeps_the_filters(personas: Personas) -> None:
    for _ in range(26):
        AchievementFactory(kind="device", stage="prototype")
    html = client_for(personas.staff).get("/catalog/achievements/?kind=device").content.decode()
    assert "kind=device&amp;page=2" in html
