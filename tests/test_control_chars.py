"""Control characters are refused at every way in (issue #16, item 5): web forms and API input
of the catalog, pipeline and engagements answer a field error naming the character; imports
report the row with its line and reason; nothing is saved."""

from __future__ import annotations

import inspect
from types import ModuleType
from typing import Any

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from luodi import control_chars
from luodi.catalog import api_schemas as catalog_schemas
from luodi.catalog import forms as catalog_forms
from luodi.catalog.models import Achievement, Organization
from luodi.engagements import api_schemas as engagement_schemas
from luodi.engagements import forms as engagement_forms
from luodi.engagements.models import Registration
from luodi.ingest import ctgov
from luodi.pipeline import forms as pipeline_forms
from luodi.pipeline import schemas as pipeline_schemas
from luodi.pipeline.models import Project
from tests.conftest import Personas, client_for
from tests.engagements.factories import EventFactory
from tests.factories import AchievementFactory

TITLE = "可降解\u000b支架"  # U+000B inside: stripping whitespace does not remove it


def _json(client: Any, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")


def _api_fields(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 422, response.content
    fields: dict[str, list[str]] = response.json()["error"]["fields"]
    return fields


# -- the check ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ("tab\tnew line\ncarriage return\r", None),
        ("中文 English", None),
        ("a\u000bb", "\u000b"),
        ("a\u0000b", "\u0000"),
        ("del\u007f", "\u007f"),
        (["ok", "bad\u001f"], "\u001f"),
        ({"k": ["x\u0008"]}, "\u0008"),
        (5, None),
    ],
)
def test_find_reports_c0_controls_and_del_but_not_tab_or_newlines(value: Any, found: Any) -> None:
    assert control_chars.find(value) == found


def test_message_names_the_character_in_both_languages() -> None:
    with translation.override("en"):
        assert control_chars.message("\u000b") == (
            "Contains an invisible control character (U+000B); remove it."
        )
    with translation.override("zh-hans"):
        chinese = control_chars.message("\u000b")
    assert "U+000B" in chinese and "控制字符" in chinese


def _defined_in(module: ModuleType, base: type) -> list[type]:
    return [
        cls
        for _name, cls in inspect.getmembers(module, inspect.isclass)
        if cls.__module__ == module.__name__ and issubclass(cls, base)
    ]


def _every_module() -> list[ModuleType]:
    """Every module of Luodi that may define a way in (not migrations, commands, demo data or
    the Django-free retrieval library), so a form or schema added later is checked too."""
    import importlib
    import pkgutil

    import luodi

    skip = (".migrations", ".management", ".demo_data", "luodi.matching")
    return [
        importlib.import_module(m.name)
        for m in pkgutil.walk_packages(luodi.__path__, "luodi.")
        if not any(part in m.name for part in skip)
    ]


# Mixins that are never a form of their own (every form using them is checked).
FORM_MIXINS = {"VersionedForm"}


def test_every_form_refuses_control_characters() -> None:
    unguarded = [
        f"{module.__name__}.{cls.__name__}"
        for module in _every_module()
        for cls in _defined_in(module, forms.BaseForm)
        if not issubclass(cls, control_chars.NoControlChars) and cls.__name__ not in FORM_MIXINS
    ]
    assert unguarded == []


def test_every_api_input_schema_refuses_control_characters() -> None:
    from ninja import Schema

    unguarded = [
        f"{module.__name__}.{cls.__name__}"
        for module in _every_module()
        for cls in _defined_in(module, Schema)
        if cls.__name__.endswith(("In", "Patch", "Create"))
        and not issubclass(cls, control_chars.InputSchema)
    ]
    assert unguarded == []


@pytest.mark.parametrize("module", [catalog_forms, pipeline_forms, engagement_forms])
def test_every_form_of_the_app_refuses_control_characters(module: ModuleType) -> None:
    unguarded = [
        cls.__name__
        for cls in _defined_in(module, forms.BaseForm)
        if not issubclass(cls, control_chars.NoControlChars)
    ]
    assert unguarded == []


@pytest.mark.parametrize("module", [catalog_schemas, pipeline_schemas, engagement_schemas])
def test_every_api_input_schema_of_the_app_refuses_control_characters(module: ModuleType) -> None:
    from ninja import Schema

    inputs = [
        cls
        for cls in _defined_in(module, Schema)
        if cls.__name__.endswith(("In", "Patch", "Create"))
    ]
    assert inputs
    assert [c.__name__ for c in inputs if not issubclass(c, control_chars.InputSchema)] == []


# -- web forms --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_catalog_form_refuses_a_control_character_in_a_title(personas: Personas) -> None:
    response = client_for(personas.staff).post(
        "/catalog/achievements/new/",
        {
            "title_zh": TITLE,
            "summary_zh": "一种新型支架。",
            "kind": "device",
            "owner": personas.org_a.pk,
            "stage": "prototype",
            "disclosure": "public",
        },
    )

    assert response.status_code == 400
    assert "U+000B" in response.context["form"].errors["title_zh"][0]
    assert Achievement.objects.count() == 0


@pytest.mark.django_db
def test_catalog_list_field_refuses_a_control_character_in_an_alias(personas: Personas) -> None:
    response = client_for(personas.staff).post(
        "/catalog/organizations/new/",
        {"name_zh": "新机构", "kind": "company", "aliases": "别名一; 别\u001f名"},
    )

    assert response.status_code == 400
    assert "U+001F" in response.context["form"].errors["aliases"][0]
    assert not Organization.objects.filter(name_zh="新机构").exists()


@pytest.mark.django_db
def test_pipeline_form_refuses_a_control_character(personas: Personas) -> None:
    achievement = AchievementFactory(owner=personas.org_a)

    response = client_for(personas.staff).post(
        "/projects/new/", {"achievement": achievement.pk, "title": TITLE}
    )

    assert response.status_code == 400
    assert "U+000B" in response.context["form"].errors["title"][0]
    assert Project.objects.count() == 0


@pytest.mark.django_db
def test_public_registration_refuses_a_control_character(personas: Personas) -> None:
    event = EventFactory()

    response = client_for(None).post(
        f"/public/events/{event.pk}/",
        {"name": "李\u000b娜", "email": "li.na@example.org", "website": ""},
    )

    assert response.status_code == 400
    assert "U+000B" in response.context["form"].errors["name"][0]
    assert Registration.objects.count() == 0


# -- API -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_catalog_api_answers_422_naming_the_field(personas: Personas) -> None:
    client = client_for(personas.staff)

    created = _json(
        client,
        "/api/catalog/achievements",
        {
            "title_zh": TITLE,
            "summary_zh": "一种新型支架。",
            "kind": "device",
            "owner": personas.org_a.pk,
            "stage": "prototype",
            "disclosure": "public",
        },
    )
    aliases = _json(
        client,
        "/api/catalog/organizations",
        {"name_zh": "新机构", "kind": "company", "aliases": ["别名一", "别\u000b名"]},
    )

    assert _api_fields(created) == {
        "title_zh": ["Contains an invisible control character (U+000B); remove it."]
    }
    assert list(_api_fields(aliases)) == ["aliases"]
    assert Achievement.objects.count() == 0
    assert not Organization.objects.filter(name_zh="新机构").exists()


@pytest.mark.django_db
def test_pipeline_api_answers_422_naming_the_field(personas: Personas) -> None:
    achievement = AchievementFactory(owner=personas.org_a)

    response = _json(
        client_for(personas.staff),
        "/api/pipeline/projects",
        {"achievement_id": achievement.pk, "title": TITLE},
    )

    assert list(_api_fields(response)) == ["title"]
    assert "U+000B" in _api_fields(response)["title"][0]
    assert Project.objects.count() == 0


@pytest.mark.django_db
def test_engagements_api_answers_422_naming_the_field(personas: Personas) -> None:
    event = EventFactory()

    response = _json(
        client_for(personas.staff),
        f"/api/engagements/events/{event.pk}/registrations",
        {"name": "李\u000b娜", "email": "li.na@example.org"},
    )

    assert list(_api_fields(response)) == ["name"]
    assert Registration.objects.count() == 0


# -- imports ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_table_import_reports_the_cell_as_a_bad_row_with_its_line(personas: Personas) -> None:
    data = "名称,类型,城市\n好机构,企业,成都市\n坏\u000b机构,企业,成都市\n".encode()
    personas_orgs = [personas.org_a.pk, personas.org_b.pk]

    response = client_for(personas.staff).post(
        "/api/ingest/table",
        {"kind": "organizations", "file": SimpleUploadedFile("orgs.csv", data)},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert [e["line"] for e in body["errors"]] == [3]
    assert "U+000B" in body["errors"][0]["reason"]
    assert "name (Chinese)" in body["errors"][0]["reason"]
    assert body["created"] == 1
    saved = Organization.objects.filter(name_zh__endswith="机构").exclude(pk__in=personas_orgs)
    assert list(saved.values_list("name_zh", flat=True)) == ["好机构"]


def test_ctgov_import_reports_the_row_with_its_line() -> None:
    text = (
        "NCT Number,Study Title,Study Status,Sponsor,Funder Type,Start Date,Locations\n"
        "NCT00000001,Good trial,RECRUITING,Acme,INDUSTRY,2024-01,\n"
        "NCT00000002,Bad\u000btrial,RECRUITING,Acme,INDUSTRY,2024-01,\n"
    )

    trials, errors = ctgov.parse(text)

    assert [t.registry_id for t in trials] == ["NCT00000001"]
    assert [line for line, _reason in errors] == [3]
    assert "Study Title" in errors[0][1] and "U+000B" in errors[0][1]
