"""Review states as one transition table (issue #16, item 9): forms, the API and imports ask
`luodi.catalog.review`; a partner's edit of a published record waits as a revision while the
published version stays visible; a returned record can be edited and resubmitted."""

from __future__ import annotations

import pytest

from luodi.accounts.models import AuditEntry
from luodi.catalog import review
from luodi.catalog.models import Achievement, ClinicalCenterProfile, ParkProfile, Revision
from luodi.ingest import domain as ingest
from luodi.ingest import tables
from tests.catalog.test_concurrency import form_data
from tests.catalog_api.helpers import Api
from tests.conftest import Personas, client_for
from tests.factories import AchievementFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def _verbs(item: Achievement) -> list[str]:
    return list(
        AuditEntry.objects.filter(target_id=str(item.pk), verb__startswith="achievement.")
        .order_by("id")
        .values_list("verb", flat=True)
    )


# -- the table ---------------------------------------------------------------------------------


def test_table_partner_edit_of_a_published_record_waits_as_a_revision(personas: Personas) -> None:
    rule = review.decide(review.EDIT, personas.partner_a, "published")
    assert (rule.revision, rule.result("published")) == (True, "published")
    assert review.decide(review.EDIT, personas.staff, "published").revision is False


@pytest.mark.parametrize(
    ("action", "status", "staff", "expected"),
    [
        (review.CREATE, review.NEW, True, "published"),
        (review.CREATE, review.NEW, False, "pending"),
        (review.EDIT, "pending", False, "pending"),
        (review.EDIT, "returned", False, "returned"),
        (review.SUBMIT, "returned", False, "pending"),
        (review.SUBMIT, "draft", False, "pending"),
        (review.APPROVE, "pending", True, "published"),
        (review.RETURN, "pending", True, "returned"),
    ],
)
def test_table_moves(
    personas: Personas, action: str, status: str, staff: bool, expected: str
) -> None:
    actor = personas.staff if staff else personas.partner_a
    assert review.decide(action, actor, status).result(status) == expected


@pytest.mark.parametrize(
    ("action", "status", "staff"),
    [
        (review.APPROVE, "pending", False),  # partners never publish
        (review.APPROVE, "published", True),
        (review.RETURN, "returned", True),
        (review.SUBMIT, "published", False),
        (review.SUBMIT, "pending", False),
        (review.EDIT, "published", None),  # viewers edit nothing
    ],
)
def test_table_refuses_what_it_does_not_list(
    personas: Personas, action: str, status: str, staff: bool | None
) -> None:
    actor = {True: personas.staff, False: personas.partner_a, None: personas.viewer}[staff]
    with pytest.raises(review.IllegalTransition):
        review.decide(action, actor, status)


# -- partner edits of published records --------------------------------------------------------


def _edit_title(personas: Personas, item: Achievement, title: str) -> None:
    client = client_for(personas.partner_a)
    url = f"/catalog/achievements/{item.pk}/edit/"
    response = client.post(url, {**form_data(client, url), "title_zh": title})
    assert response.status_code == 302, response.content.decode()


def test_partner_edit_of_a_published_achievement_waits_for_staff_and_public_sees_old(
    personas: Personas,
) -> None:
    item = AchievementFactory(owner=personas.org_a, title_zh="已发布标题")

    _edit_title(personas, item, "合作方新标题")

    item.refresh_from_db()
    assert (item.title_zh, item.status) == ("已发布标题", "published")
    revision = Revision.objects.get(object_id=item.pk, state="pending")
    assert revision.data == {"title_zh": "合作方新标题"}
    other = client_for(personas.partner_b).get(f"/catalog/achievements/{item.pk}/")
    assert "已发布标题" in other.content.decode()
    assert "合作方新标题" not in other.content.decode()
    mine = client_for(personas.partner_a).get(f"/catalog/achievements/{item.pk}/").content.decode()
    assert 'data-testid="revision-pending"' in mine and "合作方新标题" in mine
    queue = client_for(personas.staff).get("/catalog/review/").content.decode()
    assert "合作方新标题" in queue and "已发布标题" in queue

    approved = client_for(personas.staff).post(
        f"/catalog/revisions/{revision.pk}/review/", {"decision": "approve"}
    )

    assert approved.status_code == 302
    item.refresh_from_db()
    revision.refresh_from_db()
    assert (item.title_zh, item.status, revision.state) == ("合作方新标题", "published", "approved")
    assert (
        "合作方新标题"
        in client_for(personas.partner_b).get(f"/catalog/achievements/{item.pk}/").content.decode()
    )
    assert _verbs(item) == ["achievement.propose", "achievement.approve_revision"]


def test_home_page_counts_a_proposed_change_as_waiting_for_staff(personas: Personas) -> None:
    item = AchievementFactory(owner=personas.org_a)
    _edit_title(personas, item, "合作方新标题")

    counts = {c.slug: c.pending for c in client_for(personas.staff).get("/").context["counts"]}

    assert counts["achievements"] == 1


def test_a_second_partner_edit_updates_the_one_open_revision(personas: Personas) -> None:
    item = AchievementFactory(owner=personas.org_a, title_zh="已发布标题", summary_zh="原摘要")
    _edit_title(personas, item, "第一次修改")
    client = client_for(personas.partner_a)
    url = f"/catalog/achievements/{item.pk}/edit/"
    opened = form_data(client, url)
    assert opened["title_zh"] == "第一次修改"  # the form continues the proposal

    client.post(url, {**opened, "summary_zh": "新摘要"})

    revision = Revision.objects.get(object_id=item.pk)
    assert revision.data == {"title_zh": "第一次修改", "summary_zh": "新摘要"}


def test_returned_revision_leaves_the_record_and_tells_the_partner_why(
    personas: Personas,
) -> None:
    item = AchievementFactory(owner=personas.org_a, title_zh="已发布标题")
    _edit_title(personas, item, "不合适的标题")
    revision = Revision.objects.get(object_id=item.pk)

    client_for(personas.staff).post(
        f"/catalog/revisions/{revision.pk}/review/",
        {"decision": "return", "comment": "标题请保留医院名称"},
    )

    item.refresh_from_db()
    revision.refresh_from_db()
    assert (item.title_zh, revision.state, revision.comment) == (
        "已发布标题",
        "returned",
        "标题请保留医院名称",
    )
    page = client_for(personas.partner_a).get(f"/catalog/achievements/{item.pk}/").content.decode()
    assert "标题请保留医院名称" in page
    assert (
        form_data(client_for(personas.partner_a), f"/catalog/achievements/{item.pk}/edit/")[
            "title_zh"
        ]
        == "已发布标题"
    )


def test_partner_edit_of_a_published_park_profile_waits_for_review(personas: Personas) -> None:
    park = OrganizationFactory(kind="park", name_zh="测试园区")
    personas.partner_a.memberships.create(organization=park)
    ParkProfile.objects.create(organization=park, rent_subsidy_pct=30)
    client = client_for(personas.partner_a)
    url = f"/catalog/organizations/{park.pk}/profile/"

    response = client.post(url, {**form_data(client, url), "rent_subsidy_pct": "50"})

    assert response.status_code == 302
    assert ParkProfile.objects.get(organization=park).rent_subsidy_pct == 30
    revision = Revision.objects.get(state="pending")
    assert (revision.data, revision.organization) == ({"rent_subsidy_pct": 50}, park)
    page = client_for(personas.staff).get(f"/catalog/organizations/{park.pk}/").content.decode()
    assert 'data-testid="revision-pending"' in page
    api = Api(personas.partner_a).get(f"/revisions/{revision.pk}").json()
    assert (api["record_type"], api["record_id"], api["changes"][0]["field"]) == (
        "organizations",
        park.pk,
        "park.rent_subsidy_pct",
    )

    client_for(personas.staff).post(
        f"/catalog/revisions/{revision.pk}/review/", {"decision": "approve"}
    )

    assert ParkProfile.objects.get(organization=park).rent_subsidy_pct == 50


def test_partner_first_profile_of_a_published_hospital_waits_for_review(
    personas: Personas,
) -> None:
    hospital = OrganizationFactory(kind="hospital")
    personas.partner_a.memberships.create(organization=hospital)
    client = client_for(personas.partner_a)
    url = f"/catalog/organizations/{hospital.pk}/profile/"

    client.post(url, {**form_data(client, url), "beds": "1200"})

    profile = ClinicalCenterProfile.objects.get(organization=hospital)
    assert profile.beds is None
    assert Revision.objects.get(object_id=profile.pk).data == {"beds": 1200}


def test_staff_edit_of_a_published_record_publishes_at_once(personas: Personas) -> None:
    item = AchievementFactory(owner=personas.org_a, title_zh="已发布标题")
    client = client_for(personas.staff)
    url = f"/catalog/achievements/{item.pk}/edit/"

    client.post(url, {**form_data(client, url), "title_zh": "工作人员标题"})

    item.refresh_from_db()
    assert (item.title_zh, item.status) == ("工作人员标题", "published")
    assert not Revision.objects.exists()


def test_api_partner_patch_of_a_published_record_is_a_revision(personas: Personas) -> None:
    item = AchievementFactory(owner=personas.org_a, title_zh="已发布标题")

    proposed = Api(personas.partner_a).patch(f"/achievements/{item.pk}", {"title_zh": "接口新标题"})

    assert proposed.status_code == 202, proposed.content
    body = proposed.json()
    assert (body["state"], body["record_id"], body["record_type"]) == (
        "pending",
        item.pk,
        "achievements",
    )
    assert [(c["field"], c["current"], c["proposed"]) for c in body["changes"]] == [
        ("title_zh", "已发布标题", "接口新标题")
    ]
    assert (
        Api(personas.partner_b).get(f"/achievements/{item.pk}").json()["title_zh"] == "已发布标题"
    )
    listed = Api(personas.staff).get("/revisions")
    assert [r["id"] for r in listed.json()["items"]] == [body["id"]]
    assert Api(personas.partner_b).get(f"/revisions/{body['id']}").status_code == 404

    approved = Api(personas.staff).post(f"/revisions/{body['id']}/approve")

    assert approved.status_code == 200, approved.content
    assert approved.json()["state"] == "approved"
    assert Achievement.objects.get(pk=item.pk).title_zh == "接口新标题"


# -- returned → edited → resubmitted → approved --------------------------------------------------


def test_returned_record_is_edited_resubmitted_and_approved(personas: Personas) -> None:
    partner, staff = client_for(personas.partner_a), client_for(personas.staff)
    item = AchievementFactory(
        owner=personas.org_a, status="pending", submitted_by=personas.partner_a, title_zh="初稿"
    )
    staff.post(
        f"/catalog/achievements/{item.pk}/review/", {"decision": "return", "comment": "请补充摘要"}
    )
    item.refresh_from_db()
    assert item.status == "returned"
    url = f"/catalog/achievements/{item.pk}/edit/"
    opened = form_data(partner, url)
    assert 'name="resubmit"' in partner.get(url).content.decode()

    saved = partner.post(url, {**opened, "summary_zh": "补充后的摘要", "resubmit": "1"})

    assert saved.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.summary_zh) == ("pending", "补充后的摘要")
    staff.post(f"/catalog/achievements/{item.pk}/review/", {"decision": "approve"})
    item.refresh_from_db()
    assert item.status == "published"
    assert _verbs(item) == [
        "achievement.return",
        "achievement.update",
        "achievement.submit",
        "achievement.approve",
    ]


def test_returned_record_saved_without_resubmitting_stays_returned_until_resubmit(
    personas: Personas,
) -> None:
    partner = client_for(personas.partner_a)
    item = AchievementFactory(owner=personas.org_a, status="returned", review_comment="请修改")
    url = f"/catalog/achievements/{item.pk}/edit/"
    partner.post(url, {**form_data(partner, url), "summary_zh": "改了一半"})
    item.refresh_from_db()
    assert item.status == "returned"

    response = partner.post(f"/catalog/achievements/{item.pk}/resubmit/")

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "pending"


def test_api_resubmit_moves_returned_to_pending_and_refuses_published(
    personas: Personas,
) -> None:
    returned = AchievementFactory(owner=personas.org_a, status="returned")
    published = AchievementFactory(owner=personas.org_a)
    api = Api(personas.partner_a)

    ok = api.post(f"/achievements/{returned.pk}/resubmit")
    refused = api.post(f"/achievements/{published.pk}/resubmit")

    assert ok.status_code == 200 and ok.json()["status"] == "pending"
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "illegal_transition"


def test_approve_is_refused_for_a_record_that_is_not_pending(personas: Personas) -> None:
    item = AchievementFactory(owner=personas.org_a, status="returned")
    response = Api(personas.staff).post(f"/achievements/{item.pk}/approve")
    assert response.status_code == 409
    item.refresh_from_db()
    assert item.status == "returned"


# -- imports ask the same table --------------------------------------------------------------------


def _import_summary(personas: Personas, actor_is_staff: bool, summary: str) -> None:
    table = tables.Table(
        ["成果名称", "摘要", "类型", "所属机构", "阶段"],
        [(2, ["已发布成果", summary, "药物", "Org A", "临床前"])],
    )
    result = ingest.import_table(
        actor=personas.staff if actor_is_staff else personas.partner_a,
        kind="achievements",
        table=table,
        mapping=tables.suggest_mapping("achievements", table),
    )
    assert result.errors == []


def test_partner_import_of_a_published_achievement_becomes_a_revision(
    personas: Personas,
) -> None:
    item = AchievementFactory(owner=personas.org_a, title_zh="已发布成果", summary_zh="原摘要")

    _import_summary(personas, False, "导入的新摘要")

    item.refresh_from_db()
    assert (item.summary_zh, item.status) == ("原摘要", "published")
    revision = Revision.objects.get(object_id=item.pk, state="pending")
    assert revision.data == {"summary_zh": "导入的新摘要"}
    assert revision.proposed_by == personas.partner_a
    assert _verbs(item) == ["achievement.propose"]


def test_staff_import_of_a_published_achievement_changes_it_in_place(personas: Personas) -> None:
    item = AchievementFactory(owner=personas.org_a, title_zh="已发布成果", summary_zh="原摘要")
    version = item.version

    _import_summary(personas, True, "工作人员导入的摘要")

    item.refresh_from_db()
    assert (item.summary_zh, item.status, item.version) == (
        "工作人员导入的摘要",
        "published",
        version + 1,
    )
    assert not Revision.objects.exists()
