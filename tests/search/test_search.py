"""Global search: languages, typos, permissions, freshness, highlighting, limits."""

from __future__ import annotations

import dataclasses

import pytest
from django.utils import timezone
from ninja import NinjaAPI
from ninja.testing import TestClient

from luodi.catalog.models import Achievement
from luodi.errors import ApiError
from luodi.search import service
from luodi.search.api import router
from luodi.search.highlight import highlight, snippet
from luodi.search.spelling import SpellIndex, osa_distance
from tests.conftest import Personas, client_for
from tests.factories import (
    AchievementFactory,
    CarrierFactory,
    ClinicalNeedFactory,
    OrganizationFactory,
    PersonFactory,
    TermFactory,
)


def en_achievement(**kwargs: object) -> Achievement:
    """An achievement with English text only (the factory also fills in Chinese)."""
    return AchievementFactory(title_zh="", summary_zh="", **kwargs)


def ids(res: service.Results, kind: str | None = None) -> list[int]:
    return [i.pk for i in res.items if kind is None or i.kind == kind]


def test_chinese_query_finds_zh_only_achievement(personas: Personas) -> None:
    a = AchievementFactory(
        title_zh="可降解镁合金心血管支架", title_en="", summary_zh="一种可降解材料。", summary_en=""
    )
    AchievementFactory(title_zh="肿瘤早筛试剂盒", title_en="", summary_en="")
    res = service.search(personas.viewer, "镁合金支架")
    assert ids(res) == [a.pk]
    assert "<mark>镁合金</mark>" in res.items[0].title
    assert "<mark>支架</mark>" in res.items[0].title


def test_chinese_fallback_to_single_characters(personas: Personas) -> None:
    p = PersonFactory(
        name_zh="欧阳伟明", title="主任医师", organization=personas.org_a, status="published"
    )
    res = service.search(personas.viewer, "伟明")
    assert ids(res, "people") == [p.pk]


@pytest.mark.parametrize("typo", ["stnet", "Stnets", "cancr", "biodegradabel"])
def test_english_typo_finds_the_record(personas: Personas, typo: str) -> None:
    a = en_achievement(title_en="Biodegradable magnesium stent for cancer patients")
    en_achievement(title_en="Insulin pump controller", summary_en="Diabetes care.")
    res = service.search(personas.viewer, typo)
    assert ids(res) == [a.pk]
    assert "<mark>" in res.items[0].title


def test_typo_shows_the_words_used(personas: Personas) -> None:
    en_achievement(title_en="Drug-eluting stent")
    res = service.search(personas.viewer, "stnet")
    assert res.similar == ["stent"]


def test_word_being_typed_is_completed(personas: Personas) -> None:
    a = en_achievement(title_en="Oncology screening panel")
    assert ids(service.search(personas.viewer, "oncol")) == [a.pk]


def test_taxonomy_labels_feed_the_jieba_dictionary(personas: Personas) -> None:
    term = TermFactory(label_zh="经导管瓣膜", label_en="Transcatheter valve")
    a = AchievementFactory(title_zh="新型经导管瓣膜输送系统", title_en="")
    a.therapeutic_areas.add(term)
    service.search(personas.viewer, "瓣膜")
    from luodi.search.index import SearchIndex

    index = SearchIndex.current()
    assert index is not None and "经导管瓣膜" in index.vocab
    assert ids(service.search(personas.viewer, "经导管瓣膜")) == [a.pk]


def test_every_kind_is_searchable_and_grouped(personas: Personas) -> None:
    org = OrganizationFactory(
        name_zh="华西心脏中心",
        name_en="West China Heart Center",
        aliases=["华西心中心"],
        description_zh="心脏瓣膜研究。",
    )
    AchievementFactory(title_zh="心脏瓣膜修复装置", owner=org)
    ClinicalNeedFactory(title_zh="心脏术后监测", organization=org)
    PersonFactory(name_zh="李心", expertise="心脏外科", organization=org, status="published")
    CarrierFactory(name="心脏器械中试车间", park=OrganizationFactory(kind="park"))
    from luodi.catalog.models import Trial

    Trial.objects.create(
        registry_id="NCT01234567", title="Heart valve trial", conditions="心脏瓣膜病"
    )
    res = service.search(personas.viewer, "心脏")
    assert set(res.counts) == {
        "organizations",
        "achievements",
        "needs",
        "people",
        "carriers",
        "trials",
    }
    assert {g.kind for g in res.groups} == set(res.counts)
    only = service.search(personas.viewer, "心脏", kinds=["people,trials"])
    assert {i.kind for i in only.items} == {"people", "trials"}
    assert only.counts == res.counts  # counts always cover every kind


def test_person_contact_details_are_not_searchable(personas: Personas) -> None:
    PersonFactory(
        name_zh="王五", email="secret-mail@example.org", phone="13800001111", status="published"
    )
    assert service.search(personas.staff, "secret").items == []
    assert service.search(personas.staff, "13800001111").items == []


def test_dossier_is_never_indexed(personas: Personas) -> None:
    en_achievement(
        title_en="Public title",
        dossier_en="zymurgy formulation details",
        patent_numbers="CN112233445A",
    )
    assert service.search(personas.staff, "zymurgy").items == []
    assert service.search(personas.staff, "CN112233445A").items == []


def test_confidential_achievement_only_for_owner_and_staff(personas: Personas) -> None:
    secret = en_achievement(
        title_en="Quantum stent coating", owner=personas.org_a, disclosure="confidential"
    )
    en_achievement(title_en="Ordinary stent", owner=personas.org_b)
    for user in (personas.partner_a, personas.staff):
        res = service.search(user, "stent")
        assert secret.pk in ids(res)
        assert res.counts["achievements"] == 2
    for user in (personas.partner_b, personas.viewer):
        for q in ("stent", "quantum", "quantm coating"):
            res = service.search(user, q)
            assert secret.pk not in ids(res)
            assert res.counts.get("achievements", 0) == (1 if q == "stent" else 0)
            assert res.similar == []


def test_confidential_not_leaked_by_page_or_api(personas: Personas) -> None:
    en_achievement(title_en="Quantum coating", owner=personas.org_a, disclosure="confidential")
    page = client_for(personas.partner_b).get("/search/", {"q": "quantum"})
    assert page.status_code == 200
    assert b"Quantum" not in page.content
    body = api_client().get("/", query_params={"q": "quantum"}, user=personas.partner_b).json()
    assert body["hits"] == [] and body["counts"] == {} and body["total"] == 0
    own = api_client().get("/", query_params={"q": "quantum"}, user=personas.partner_a).json()
    assert [h["title"] for h in own["hits"]] == ["Quantum coating"]


def test_suggestions_come_only_from_visible_records(personas: Personas) -> None:
    for _ in range(2):
        en_achievement(
            title_en="Magnesium implant", owner=personas.org_a, disclosure="confidential"
        )
    shown = en_achievement(title_en="Magnesia ceramics", owner=personas.org_b)
    res = service.search(personas.partner_b, "magnesiun")
    assert ids(res) == [shown.pk] and res.similar == ["magnesia"]
    res = service.search(personas.partner_a, "magnesiun")
    assert res.similar == ["magnesium"] and len(res.items) == 2


def test_drafts_of_others_are_hidden(personas: Personas) -> None:
    draft = en_achievement(title_en="Draft stent", owner=personas.org_a, status="draft")
    assert ids(service.search(personas.partner_b, "stent")) == []
    assert ids(service.search(personas.partner_a, "stent")) == [draft.pk]


def test_archived_records_are_left_out_unless_staff_asks(personas: Personas) -> None:
    a = en_achievement(title_en="Archived stent", archived_at=timezone.now())
    assert ids(service.search(personas.staff, "stent")) == []
    assert ids(service.search(personas.viewer, "stent", include_archived=True)) == []
    res = service.search(personas.staff, "stent", include_archived=True)
    assert ids(res) == [a.pk] and res.items[0].archived
    page = client_for(personas.staff).get("/search/", {"q": "stent", "archived": "1"})
    assert b"Archived" in page.content


def test_index_follows_create_edit_delete(personas: Personas) -> None:
    user = personas.viewer
    assert service.search(user, "支架").items == []
    a = AchievementFactory(title_zh="镁合金支架")
    assert ids(service.search(user, "支架")) == [a.pk]
    a.title_zh = "钛钉骨科器械"
    a.save()
    assert service.search(user, "支架").items == []
    assert ids(service.search(user, "骨科")) == [a.pk]
    a.delete()
    assert service.search(user, "骨科").items == []


def test_index_follows_changes_without_signals(personas: Personas) -> None:
    """Writes that fire no signal (queryset updates, another program on the database):
    the nightly reconciliation finds what differs and queues it."""
    from luodi.catalog.models import Achievement, Carrier, Organization
    from luodi.retrieval.indexing import reconcile_indexes

    a = en_achievement(title_en="Alpha device", owner=personas.org_a)
    c = CarrierFactory(name="Alpha lab")
    user = personas.staff
    assert len(service.search(user, "alpha").items) == 2
    Achievement.objects.filter(pk=a.pk).update(title_en="Beta device", updated_at=timezone.now())
    Carrier.objects.filter(pk=c.pk).update(name="Gamma laboratory")
    Organization.objects.filter(pk=personas.org_a.pk).update(
        name_en="Omega Institute", updated_at=timezone.now()
    )
    assert len(service.search(user, "alpha").items) == 2  # not seen yet
    queued = reconcile_indexes()
    assert (queued["achievement"], queued["carrier"], queued["organization"]) == (1, 1, 1)
    assert service.search(user, "alpha").items == []
    assert ids(service.search(user, "beta")) == [a.pk]
    assert ids(service.search(user, "gamma")) == [c.pk]
    assert a.pk in ids(service.search(user, "omega"), "achievements")  # owner renamed


def test_m2m_change_is_picked_up(personas: Personas) -> None:
    a = en_achievement(title_en="Device")
    assert service.search(personas.viewer, "nephrology").items == []
    a.therapeutic_areas.add(TermFactory(label_en="Nephrology", label_zh="肾脏病学"))
    assert ids(service.search(personas.viewer, "nephrology")) == [a.pk]


def test_snippet_marks_terms_and_escapes_html(personas: Personas) -> None:
    en_achievement(
        title_en="<b>Stent</b> & co",
        summary_en="Long text " * 30 + "a <script>alert(1)</script> stent coated with drug",
    )
    item = service.search(personas.viewer, "stent").items[0]
    assert item.title == "&lt;b&gt;<mark>Stent</mark>&lt;/b&gt; &amp; co"
    assert "<mark>stent</mark>" in item.snippet
    assert "<script>" not in item.snippet and "&lt;script&gt;" in item.snippet
    assert item.snippet.startswith("…")
    page = client_for(personas.viewer).get("/search/", {"q": "stent"})
    assert b"<script>alert" not in page.content
    assert b"<mark>Stent</mark>" in page.content


def test_highlight_merges_overlapping_chinese_terms() -> None:
    from luodi.matching.tokenize import Tokenizer

    tok = Tokenizer()
    assert highlight("可降解镁合金支架", {"合金", "镁合金", "支架"}, tok) == (
        "可降解<mark>镁合金支架</mark>"
    )
    html, found = snippet("nothing here", {"stent"}, tok)
    assert html == "nothing here" and not found


@pytest.mark.parametrize("q", ["", "   ", "的", "!!!", "?q=<>"])
def test_empty_or_meaningless_query(personas: Personas, q: str) -> None:
    AchievementFactory()
    res = service.search(personas.viewer, q)
    assert res.items == [] and not res.error
    assert client_for(personas.viewer).get("/search/", {"q": q}).status_code == 200


def test_too_long_query_is_refused_with_a_message(personas: Personas) -> None:
    q = "支架" * 101
    res = service.search(personas.viewer, q)
    assert res.items == [] and "200" in res.error
    page = client_for(personas.viewer).get("/search/", {"q": q})
    assert page.status_code == 200
    assert b'data-testid="search-error"' in page.content
    fragment = client_for(personas.viewer).get("/search/", {"q": q}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and b"search-error" in fragment.content
    api = api_client().get("/", query_params={"q": q}, user=personas.viewer)
    assert api.status_code == 422
    assert api.json()["error"]["fields"] == {"q": [res.error]}
    assert len(service.search(personas.viewer, "支" * 200).error) == 0


def test_page_fragment_and_box(personas: Personas) -> None:
    AchievementFactory(title_zh="镁合金支架")
    c = client_for(personas.viewer)
    full = c.get("/search/", {"q": "支架"})
    assert b"<html" in full.content and b'id="search-results"' in full.content
    frag = c.get("/search/", {"q": "支架"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in frag.content and b"search-hit" in frag.content
    assert b'hx-swap-oob="true"' in frag.content
    box = c.get("/search/", {"q": "支架", "box": "1"}, HTTP_HX_REQUEST="true")
    assert b"topsearch-hit" in box.content and b"<html" not in box.content
    assert c.get("/search/", {"q": "", "box": "1"}).content == b""


def test_a_demo_record_shows_the_demo_badge_from_its_flag(personas: Personas) -> None:
    """#23: demo records are marked by `is_demo`, shown as a badge, never by their text."""
    demo = AchievementFactory(title_zh="镁合金支架", is_demo=True)
    real = AchievementFactory(title_zh="可降解支架", is_demo=False)
    c = client_for(personas.viewer)
    badge = '<span class="badge demo">'
    for params in ({"q": "支架"}, {"q": "支架", "box": "1"}):
        html = c.get("/search/", params, HTTP_HX_REQUEST="true").content.decode()
        hits = {
            pk: [li for li in html.split("<li") if f'/achievements/{pk}/"' in li]
            for pk in (demo.pk, real.pk)
        }
        assert [badge in li for li in hits[demo.pk]] == [True], params
        assert [badge in li for li in hits[real.pk]] == [False], params


def test_anonymous_is_sent_to_sign_in(personas: Personas) -> None:
    from django.test import Client

    assert Client().get("/search/", {"q": "x"}).status_code == 302


def test_api_kinds_and_limit(personas: Personas) -> None:
    for n in range(5):
        en_achievement(title_en=f"Stent {n}")
    OrganizationFactory(name_zh="", name_en="Stent Works")
    body = (
        api_client()
        .get(
            "/",
            query_params={"q": "stent", "kinds": "organizations", "limit": 3},
            user=personas.viewer,
        )
        .json()
    )
    assert [h["kind"] for h in body["hits"]] == ["organizations"]
    assert body["counts"] == {"achievements": 5, "organizations": 1}
    body = (
        api_client().get("/", query_params={"q": "stent", "limit": 3}, user=personas.viewer).json()
    )
    assert len(body["hits"]) == 3 and body["total"] == 6
    assert "<mark>" in body["hits"][0]["title_html"]


def test_spelling_index() -> None:
    s = SpellIndex()
    s.add(["stent", "stents", "cancer", "center"])
    assert s.corrections("stnet") == ["stent"]
    assert s.corrections("cancr") == ["cancer"]
    assert s.corrections("stent") == []  # known words are left alone
    assert s.corrections("cat") == []  # too short to guess
    assert s.completions("can") == ["cancer"]
    s.discard(["cancer"])
    assert s.corrections("cancr") == []
    assert osa_distance("stnet", "stent") == 1


def api_client() -> TestClient:
    api = NinjaAPI(urls_namespace="search-test")

    @api.exception_handler(ApiError)
    def _err(request, exc: ApiError):  # type: ignore[no-untyped-def]
        return api.create_response(
            request,
            {"error": {"code": exc.code, "message": exc.message, "fields": exc.fields}},
            status=exc.status,
        )

    api.add_router("/", router)
    return TestClient(api)


def test_topbar_box_snippet_renders(personas: Personas, rf) -> None:  # type: ignore[no-untyped-def]
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = personas.viewer
    html = render_to_string("search/_topbar_box.html", request=request)
    assert 'hx-get="/search/"' in html
    assert 'hx-trigger="input changed delay:250ms, search"' in html
    assert 'id="topsearch-results"' in html and "<script" not in html


def test_snippet_window_starts_at_a_word() -> None:
    from luodi.matching.tokenize import Tokenizer

    html, found = snippet("alpha beta gamma " * 20 + "the stent here", {"stent"}, Tokenizer(), 40)
    assert found and html.startswith("…") and html[1] in "abgt" and html[1:3] != "ta"
    assert "<mark>stent</mark>" in html


# -- precision (field test, issue #18 item 5) ------------------------------------------------


def test_a_word_in_most_records_is_no_typo_correction(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "COMMON_MIN", 3)
    for n in range(6):
        en_achievement(title_en=f"Device number {n} (demo)")
    res = service.search(personas.viewer, "HEMO")
    assert (res.items, res.similar) == ([], [])


def test_an_unknown_name_needs_all_its_characters(personas: Personas) -> None:
    OrganizationFactory(name_zh="九号实验室", status="published")
    OrganizationFactory(name_zh="联合创新中心", status="published")
    both = OrganizationFactory(name_zh="九联科技", status="published")
    res = service.search(personas.viewer, "九联")
    assert ids(res) == [both.pk]


def test_a_word_is_not_found_through_one_shared_character(personas: Personas) -> None:
    a = AchievementFactory(title_zh="靶向LRRK2的小分子抑制剂治疗帕金森病", title_en="")
    CarrierFactory(name="金牛区孵化器", park=OrganizationFactory(kind="park"))
    assert ids(service.search(personas.viewer, "帕金森")) == [a.pk]


def test_kinds_merge_by_words_held_in_the_name_before_scores(personas: Personas) -> None:
    park = OrganizationFactory(
        name_zh="成都医学城",
        kind="park",
        status="published",
        description_zh="位于温江区的生物医药产业园区，" * 8,
    )
    staff = [
        PersonFactory(name_zh=f"员工{n}", organization=park, status="published") for n in range(3)
    ]
    res = service.search(personas.viewer, "成都医学城")
    # Its people hold the name too (as their organization's) and score higher, being short.
    assert (res.items[0].kind, res.items[0].pk) == ("organizations", park.pk)
    assert set(ids(res, "people")) == {p.pk for p in staff}


def test_a_title_holding_the_typed_text_comes_first_in_either_language(
    personas: Personas,
) -> None:
    """The promotion reads the titles as written: highlighting "BCMA" and "targeted" in the
    English title used to split "BCMA-tar" with <mark> tags, so the record that holds what
    was typed stayed below one that merely repeats "BCMA" more often."""
    typed = AchievementFactory(
        title_zh="靶向BCMA的CAR-T细胞疗法", title_en="Anti-BCMA-targeted CAR-T"
    )
    # Holds both words too, more often: it scores higher.
    AchievementFactory(
        title_zh="BCMA双抗",
        title_en="BCMA targeted BCMA",
        summary_zh="BCMA targeted BCMA targeted 多发性骨髓瘤",
    )

    res = service.search(personas.viewer, "bcma-tar")

    assert len(ids(res, "achievements")) == 2
    assert ids(res)[0] == typed.pk


def test_a_word_an_edit_adds_is_corrected_without_rebuilding_the_dictionary(
    personas: Personas,
) -> None:
    from luodi.retrieval import generations
    from luodi.search import index as search_index

    for title in ("Drug-eluting stent", "Bone cement", "Insulin patch", "Gait sensor"):
        en_achievement(title_en=title)
    assert service.search(personas.viewer, "stnet").similar == ["stent"]
    built = search_index._spell

    b = en_achievement(title_en="Handheld glucometer")
    res = service.search(personas.viewer, "glucometr")

    assert ids(res) == [b.pk] and res.similar == ["glucometer"]
    newest = generations.newest("achievement")
    assert newest is not None and newest.delta_of is not None  # the edit came as a delta
    assert search_index._spell is built  # and its words were added to the dictionary


def test_the_page_is_carded_alone_and_its_hidden_hits_are_skipped(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window beyond the page is checked by name and visibility only: a name holding the
    query still comes first from below the page, a record the user may not see stays out,
    and only the page's rows are read and carded."""
    for n in range(4):
        en_achievement(
            title_en=f"Module {n} of a sensor",
            summary_en="sensor module, sensor module, sensor module",
            owner=personas.org_b,
        )
    en_achievement(
        title_en="Secret sensor module",
        summary_en="sensor module, sensor module",
        owner=personas.org_a,
        disclosure="confidential",
    )
    named = en_achievement(title_en="The sensor module B", summary_en="a part")
    carded: list[int] = []
    kind = service.KINDS["achievements"]

    def card(obj: Achievement) -> object:
        carded.append(obj.pk)
        return kind.card(obj)

    monkeypatch.setitem(service.KINDS, "achievements", dataclasses.replace(kind, card=card))

    res = service.search(personas.partner_b, "sensor module", limit=3)

    assert ids(res)[0] == named.pk
    assert len(res.items) == 3
    assert "Secret sensor module" not in {i.title_text for i in res.items}
    assert sorted(carded) == sorted(ids(res))
