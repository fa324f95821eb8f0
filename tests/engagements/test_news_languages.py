"""Field test #18 item 1: a news post's Chinese and English versions are each published only
after a person approved them, and the machine's draft reads like the association's news
(who, when, where, what was agreed, next steps) without internal commitments, raw
participant lists or duplicated titles, under a headline naming the actual stops."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone, translation

from luodi.engagements.domain import news
from luodi.engagements.models import FollowUp, NewsPost, Outcome, Participant, VisitStop
from tests.conftest import Personas, client_for
from tests.engagements.factories import VisitFactory
from tests.factories import OrganizationFactory

API = "/api/engagements"


@pytest.fixture(autouse=True)
def _default_language_after():  # type: ignore[no-untyped-def]
    """Requests in English leave English active in this thread (LocaleMiddleware does not
    reset it): put the default back, so later modules' tests see Chinese as they expect."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


INTERNAL = "园区两周内提供厂房租赁条件清单"


@pytest.fixture
def field_visit(personas: Personas):  # type: ignore[no-untyped-def]
    """The field test's visit: a company's chairman, three stops, an intention, an internal
    commitment and follow-up, and a summary."""
    company = OrganizationFactory(name_zh="九联集团", name_en="Jiulian Group", kind="company")
    parks = [
        OrganizationFactory(name_zh="成都医学城", name_en="Chengdu Medical City", kind="park"),
        OrganizationFactory(name_zh="天府国际生物城", name_en="Tianfu Bio-Town", kind="park"),
    ]
    visit = VisitFactory(
        title_zh="九联集团考察",
        organizer=personas.org_a,
        company=company,
        date=timezone.localdate() - timedelta(days=2),
        summary="内部总结：九联集团对租金敏感。",
    )
    # In itinerary order: a named place first, then the two parks (positions as accepted).
    VisitStop.objects.create(visit=visit, position=0, place="华西医院")
    VisitStop.objects.create(visit=visit, position=2, organization=parks[0])
    VisitStop.objects.create(visit=visit, position=1, organization=parks[1])
    Participant.objects.create(visit=visit, name="张董事长", role="董事长", organization=company)
    Participant.objects.create(visit=visit, name="李娜", role="投资总监", organization=company)
    Outcome.objects.create(
        visit=visit, kind="intention", text="与九联集团达成共建中试基地的合作意向"
    )
    Outcome.objects.create(visit=visit, kind="commitment", text=INTERNAL)
    FollowUp.objects.create(visit=visit, title=INTERNAL, owner_name="王主任")
    return visit


def _draft(client, visit, data: dict | None = None) -> NewsPost:  # type: ignore[no-untyped-def]
    client.post(f"/engagements/visits/{visit.pk}/news/", data or {})
    return NewsPost.objects.filter(visit=visit).latest("id")


def _save(client, post: NewsPost, **extra):  # type: ignore[no-untyped-def]
    post.refresh_from_db()
    data = {
        "title_zh": post.title_zh,
        "body_zh": post.body_zh,
        "title_en": post.title_en,
        "body_en": post.body_en,
        "version": post.version,
    }
    data |= extra
    return client.post(f"/engagements/news/{post.pk}/", data, HTTP_ACCEPT_LANGUAGE="en")


# -- the draft --------------------------------------------------------------------------------


def test_draft_reads_like_association_news(personas: Personas, field_visit) -> None:  # type: ignore[no-untyped-def]
    client = client_for(personas.staff)
    form = client.get(f"/engagements/visits/{field_visit.pk}/news/").content.decode()
    assert INTERNAL in form  # offered as a choice, not ticked
    post = _draft(client, field_visit, {"outcomes": [field_visit.outcomes.first().pk]})

    assert post.title_zh == "甲机构陪同九联集团赴华西医院、天府国际生物城、成都医学城考察"
    assert "[to translate: 华西医院], Tianfu Bio-Town and Chengdu Medical City" in post.title_en
    body = post.body_zh
    day = field_visit.date
    assert body.startswith(f"{day.year}年{day.month}月{day.day}日，九联集团张董事长一行")
    assert "在甲机构陪同下赴华西医院、天府国际生物城、成都医学城考察调研" in body
    assert "董事长张董事长" not in body
    assert "李娜" not in body and "参加考察" not in body  # no list of who went
    assert "达成合作意向：与" not in body and body.count("达成") == 1
    assert "考察期间，与九联集团达成共建中试基地的合作意向。" in body
    assert INTERNAL not in body and INTERNAL not in post.body_en
    assert "内部总结" not in body  # the summary only when chosen
    assert post.zh_state == post.en_state == "draft" and post.status == "draft"


def test_internal_items_only_when_ticked_in(personas: Personas, field_visit) -> None:  # type: ignore[no-untyped-def]
    commitment = field_visit.outcomes.get(kind="commitment")
    follow_up = field_visit.followups.get()
    post = _draft(
        client_for(personas.staff),
        field_visit,
        {"outcomes": [commitment.pk], "follow_ups": [follow_up.pk], "summary": "on"},
    )
    paragraphs = post.body_zh.split("\n\n")
    assert paragraphs[1] == "内部总结：九联集团对租金敏感。"  # after the lead, not appended
    assert paragraphs[-1] == f"下一步，{INTERNAL}。"
    assert "Next steps" in post.body_en


def test_person_is_named_once() -> None:
    org = OrganizationFactory.build(name_zh="九联集团", name_en="Jiulian")
    assert news.person(Participant(name="张董事长", role="董事长", organization=org)) == (
        "九联集团张董事长"
    )
    assert news.person(Participant(name="张伟", role="董事长", organization=org)) == (
        "九联集团董事长张伟"
    )
    assert news.person(Participant(name="九联集团张伟", role="", organization=org)) == (
        "九联集团张伟"
    )


def test_headline_with_many_stops_names_the_first_two(personas: Personas) -> None:
    visit = VisitFactory(organizer=personas.org_a, date=timezone.localdate())
    for i, place in enumerate(["甲地", "乙地", "丙地", "丁地"]):
        VisitStop.objects.create(visit=visit, position=i, place=place)
    text = news.visit_text(visit)
    assert text.title_zh == "甲机构陪同代表团赴甲地、乙地等4地考察"


# -- each language is reviewed and published on its own ---------------------------------------


def test_publishing_chinese_leaves_the_english_draft_unpublished(
    personas: Personas, field_visit
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(personas.staff)
    post = _draft(client, field_visit)
    response = _save(client, post, approve_zh="on", publish="1")
    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.zh_state, post.en_state, post.status) == ("published", "draft", "published")
    assert post.zh_approved_by == personas.staff

    public = client_for(None)
    zh_page = public.get(f"/public/news/{post.pk}/").content.decode()
    assert post.title_zh in zh_page
    en_page = public.get(f"/public/news/{post.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert post.title_en not in en_page and post.body_en.split(",")[0] not in en_page
    assert post.title_zh in en_page  # the published version, with a note saying so
    assert "published in Chinese only" in en_page
    listing = public.get("/public/news/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert post.title_zh in listing and post.title_en not in listing


def test_publish_without_any_approval_is_refused(personas: Personas, field_visit) -> None:  # type: ignore[no-untyped-def]
    client = client_for(personas.staff)
    post = _draft(client, field_visit)
    response = _save(client, post, title_zh="改过的标题", publish="1")
    assert response.status_code == 400
    assert "No version is approved yet" in response.content.decode()
    post.refresh_from_db()
    assert post.status == "draft" and post.title_zh != "改过的标题"  # nothing saved
    assert client_for(None).get(f"/public/news/{post.pk}/").status_code == 404


def test_english_goes_public_once_a_person_approves_it(personas: Personas, field_visit) -> None:  # type: ignore[no-untyped-def]
    client = client_for(personas.staff)
    post = _draft(client, field_visit)
    _save(client, post, approve_zh="on", publish="1")
    _save(
        client,
        post,
        approve_zh="on",
        approve_en="on",
        title_en="Jiulian Group visits Chengdu's medical parks",
        body_en="Chairman Zhang of Jiulian Group led a delegation to Chengdu's parks.",
        publish="1",
    )
    post.refresh_from_db()
    assert (post.zh_state, post.en_state) == ("published", "published")
    page = client_for(None).get(f"/public/news/{post.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Jiulian Group visits Chengdu" in page.content.decode()
    assert "only" not in page.content.decode().split("<article", 1)[1].split("<h1")[0]


def test_unticking_a_published_version_withdraws_it(personas: Personas, field_visit) -> None:  # type: ignore[no-untyped-def]
    client = client_for(personas.staff)
    post = _draft(client, field_visit)
    _save(client, post, approve_zh="on", publish="1")
    _save(client, post, body_zh="改写后的正文，尚未审阅。")
    post.refresh_from_db()
    assert post.zh_state == "draft" and post.status == "draft"
    assert client_for(None).get(f"/public/news/{post.pk}/").status_code == 404


def test_untranslated_english_cannot_be_approved(personas: Personas, field_visit) -> None:  # type: ignore[no-untyped-def]
    client = client_for(personas.staff)
    post = _draft(client, field_visit, {"outcomes": [field_visit.outcomes.first().pk]})
    # The leader's name and the intention were recorded in Chinese: marked, not passed off.
    assert f"{news.TO_TRANSLATE}张董事长]" in post.body_en
    assert f"{news.TO_TRANSLATE}与九联集团达成共建中试基地的合作意向]" in post.body_en
    response = _save(client, post, approve_en="on")
    assert response.status_code == 400
    assert "still has passages marked" in response.content.decode()
    post.refresh_from_db()
    assert post.en_state == "draft"


def test_approving_needs_the_text(personas: Personas, field_visit) -> None:  # type: ignore[no-untyped-def]
    client = client_for(personas.staff)
    post = _draft(client, field_visit)
    response = _save(client, post, body_en="", approve_en="on")
    assert response.status_code == 400
    assert "needs its title and text" in response.content.decode()


def test_stale_edit_is_a_conflict_not_an_overwrite(personas: Personas, field_visit) -> None:  # type: ignore[no-untyped-def]
    client = client_for(personas.staff)
    post = _draft(client, field_visit)
    old_version = post.version
    _save(client, post, title_zh="同事改的标题")
    response = _save(client, post, title_zh="我的标题", version=old_version, approve_zh="on")
    assert response.status_code == 409
    post.refresh_from_db()
    assert post.title_zh == "同事改的标题" and post.zh_state == "draft"


# -- the API follows the same rules -----------------------------------------------------------


def _api(client, method: str, url: str, data: dict | None = None):  # type: ignore[no-untyped-def]
    return getattr(client, method)(
        url, json.dumps(data or {}), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )


def test_api_publishes_only_approved_languages(personas: Personas, field_visit) -> None:  # type: ignore[no-untyped-def]
    client = client_for(personas.staff)
    created = _api(client, "post", f"{API}/visits/{field_visit.pk}/news", {})
    assert created.status_code == 201
    body = created.json()
    assert body["zh"]["state"] == body["en"]["state"] == "draft"
    assert INTERNAL not in body["zh"]["body"]
    pid = body["id"]

    refused = _api(client, "post", f"{API}/news/{pid}/publish")
    assert refused.status_code == 409

    text = {k: body[lang][f] for k, lang, f in [
        ("title_zh", "zh", "title"), ("body_zh", "zh", "body"),
        ("title_en", "en", "title"), ("body_en", "en", "body"),
    ]}  # fmt: skip
    updated = _api(
        client,
        "put",
        f"{API}/news/{pid}",
        text | {"approve_zh": True, "version": body["version"]},
    )
    assert updated.status_code == 200
    assert updated.json()["zh"]["state"] == "approved"
    stale = _api(client, "put", f"{API}/news/{pid}", text | {"version": body["version"]})
    assert stale.status_code == 409

    published = _api(client, "post", f"{API}/news/{pid}/publish").json()
    assert published["zh"]["state"] == "published"
    assert published["en"]["state"] == "draft"
    assert published["status"] == "published"


def test_api_draft_includes_internal_items_only_when_listed(
    personas: Personas, field_visit
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(personas.staff)
    follow_up = field_visit.followups.get()
    created = _api(
        client,
        "post",
        f"{API}/visits/{field_visit.pk}/news",
        {"follow_up_ids": [follow_up.pk]},
    ).json()
    assert INTERNAL in created["zh"]["body"]
    assert "共建中试基地" in created["zh"]["body"]  # intentions by default


def test_partner_may_not_write_news(personas: Personas, field_visit) -> None:  # type: ignore[no-untyped-def]
    field_visit.organizations.add(personas.org_a)
    client = client_for(personas.partner_a)
    assert _api(client, "post", f"{API}/visits/{field_visit.pk}/news").status_code == 403
    assert client.post(f"/engagements/visits/{field_visit.pk}/news/").status_code == 403
