"""Lists are enumerated as each language writes them: 、 in Chinese, a comma in English, or a
semicolon when an item has its own comma (a fixed 、 showed Chinese punctuation on English
pages); items are escaped."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from luodi.text import join_items
from tests.conftest import Personas, client_for
from tests.factories import AchievementFactory, TermFactory

pytestmark = pytest.mark.django_db


def test_separator_follows_the_active_language_and_items_are_escaped() -> None:
    tpl = Template("{{ items|listing|default:'—' }}")
    items = ["肿瘤", "<b>心血管</b>"]
    with translation.override("zh-hans"):
        assert tpl.render(Context({"items": items})) == "肿瘤、&lt;b&gt;心血管&lt;/b&gt;"
    with translation.override("en"):
        assert tpl.render(Context({"items": items})) == "肿瘤, &lt;b&gt;心血管&lt;/b&gt;"
        assert tpl.render(Context({"items": []})) == "—"


def test_english_items_with_commas_are_told_apart_by_semicolons() -> None:
    areas = ["Diabetes mellitus, type 1", "Cataract"]
    assert join_items(areas, "en") == "Diabetes mellitus, type 1; Cataract"
    assert join_items(["Cataract", "Glaucoma"], "en") == "Cataract, Glaucoma"
    assert join_items(["糖尿病，1型", "白内障"], "zh-hans") == "糖尿病，1型、白内障"


def test_achievement_page_lists_areas_in_the_readers_language(personas: Personas) -> None:
    item = AchievementFactory(owner=personas.org_a)
    a, b = TermFactory(), TermFactory()
    item.therapeutic_areas.add(a, b)
    client = client_for(personas.staff)

    zh = client.get(f"/catalog/achievements/{item.pk}/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    en = client.get(f"/catalog/achievements/{item.pk}/").content.decode()

    assert f"{a.label_zh}、{b.label_zh}" in zh or f"{b.label_zh}、{a.label_zh}" in zh
    assert f"{a.label_en}, {b.label_en}" in en or f"{b.label_en}, {a.label_en}" in en
    assert "、" not in en.split("<main", 1)[1].split("</main>", 1)[0]
    # The list page's column too.
    listed = client.get("/catalog/achievements/").content.decode()
    assert f"{a.label_en}, {b.label_en}" in listed or f"{b.label_en}, {a.label_en}" in listed
