"""Writing the catalog through the API: create, patch, archive/restore, review; 403 and 422."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from luodi.accounts.models import AuditEntry
from luodi.catalog.models import Achievement, Carrier, ClinicalNeed, Organization, Person
from tests.catalog_api.helpers import API, Api, error_fields, ids
from tests.conftest import Personas
from tests.factories import AchievementFactory, CarrierFactory, OrganizationFactory, TermFactory

pytestmark = pytest.mark.django_db


def _payloads(p: Personas) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Per type: a valid create payload (for a partner of org A) and a patch."""
    park = OrganizationFactory(kind="park")
    p.partner_a.memberships.create(organization=park)
    return {
        "organizations": (
            {"name_zh": "新机构", "kind": "company", "aliases": ["别名一", "Alias Two"]},
            {"name_en": "New Org"},
        ),
        "achievements": (
            {
                "title_zh": "可降解镁合金支架",
                "summary_zh": "一种新型支架。",
                "kind": "device",
                "owner": p.org_a.pk,
                "stage": "prototype",
                "disclosure": "public",
                "transfer_modes": ["license"],
            },
            {"title_en": "Biodegradable stent"},
        ),
        "needs": (
            {"title_zh": "术中出血监测", "problem": "难以实时监测。", "organization": p.org_a.pk},
            {"desired_solution": "无创传感器"},
        ),
        "people": (
            {"name_zh": "李医生", "organization": p.org_a.pk, "email": "li@example.org"},
            {"title": "主任医师"},
        ),
        "carriers": (
            {
                "park": park.pk,
                "name": "3号楼",
                "carrier_type": "office",
                "area_total_m2": 500,
                "area_available_m2": 200,
                "rent_min": "1.50",
                "certifications": ["GMP"],
            },
            {"area_available_m2": 100},
        ),
    }


MODELS: dict[str, type[Any]] = {
    "organizations": Organization,
    "achievements": Achievement,
    "needs": ClinicalNeed,
    "people": Person,
    "carriers": Carrier,
}


@pytest.mark.parametrize("slug", list(MODELS))
def test_create_patch_archive_restore(personas: Personas, slug: str) -> None:
    create, patch = _payloads(personas)[slug]
    api = Api(personas.partner_a)
    created = api.post(f"/{slug}", create)
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    obj = MODELS[slug].objects.get(pk=pk)
    if slug != "carriers":
        assert obj.status == "pending"
        assert obj.submitted_by == personas.partner_a

    changed = api.patch(f"/{slug}/{pk}", patch)
    assert changed.status_code == 200, changed.content
    for name, value in patch.items():
        assert changed.json()[name] == value
    for name, value in create.items():  # untouched fields keep their values
        if name not in patch:
            shown = changed.json()[name]
            assert (shown["id"] if isinstance(shown, dict) else shown) == value, name

    archived = api.post(f"/{slug}/{pk}/archive")
    assert archived.status_code == 200
    assert archived.json()["archived_at"] is not None
    restored = api.post(f"/{slug}/{pk}/restore")
    assert restored.json()["archived_at"] is None

    verbs = list(
        AuditEntry.objects.filter(target_id=str(pk), verb__startswith=obj._meta.model_name + ".")
        .order_by("id")
        .values_list("verb", flat=True)
    )
    name = obj._meta.model_name
    assert verbs == [f"{name}.create", f"{name}.update", f"{name}.archive", f"{name}.restore"]


def test_patch_changes_only_the_fields_sent(personas: Personas) -> None:
    area = TermFactory()
    # Pending: a partner's change of a published record waits as a revision instead
    # (tests/catalog/test_review_table.py).
    item = AchievementFactory(
        owner=personas.org_a, title_en="Old", patent_numbers="CN1", status="pending"
    )
    item.therapeutic_areas.set([area])
    item.transfer_modes = ["license"]
    item.save()
    response = Api(personas.partner_a).patch(f"/achievements/{item.pk}", {"title_en": "New"})
    assert response.status_code == 200, response.content
    item.refresh_from_db()
    assert item.title_en == "New"
    assert item.patent_numbers == "CN1"
    assert item.transfer_modes == ["license"]
    assert list(item.therapeutic_areas.all()) == [area]
    entry = AuditEntry.objects.get(verb="achievement.update", target_id=str(item.pk))
    assert entry.changes == {"title_en": ["Old", "New"]}


def test_carrier_list_field_round_trips(personas: Personas) -> None:
    carrier = CarrierFactory(park=OrganizationFactory(kind="park"), certifications=["GMP"])
    api = Api(personas.staff)
    response = api.patch(f"/carriers/{carrier.pk}", {"certifications": ["GMP", "ISO 13485"]})
    assert response.json()["certifications"] == ["GMP", "ISO 13485"]


def test_partner_submission_waits_for_review_then_staff_approves(personas: Personas) -> None:
    create, _patch = _payloads(personas)["achievements"]
    pk = Api(personas.partner_a).post("/achievements", create).json()["id"]
    other = Api(personas.partner_b)
    assert pk not in ids(other.get("/achievements"))
    assert other.get(f"/achievements/{pk}").status_code == 404
    staff = Api(personas.staff)
    assert pk in ids(staff.get("/achievements", status="pending"))
    assert other.post(f"/achievements/{pk}/approve").status_code == 404  # not even visible
    assert Api(personas.partner_a).post(f"/achievements/{pk}/approve").status_code == 403
    approved = staff.post(f"/achievements/{pk}/approve")
    assert approved.status_code == 200
    assert approved.json()["status"] == "published"
    assert pk in ids(other.get("/achievements"))
    assert other.get(f"/achievements/{pk}").status_code == 200


def test_staff_creates_published(personas: Personas) -> None:
    response = Api(personas.staff).post("/organizations", {"name_en": "Staff Org", "kind": "cro"})
    assert response.status_code == 201
    assert response.json()["status"] == "published"
    assert response.json()["province"] == "四川省"  # the model default, not blanked


def test_return_needs_a_comment(personas: Personas) -> None:
    create, _patch = _payloads(personas)["needs"]
    pk = Api(personas.partner_a).post("/needs", create).json()["id"]
    staff = Api(personas.staff)
    assert "comment" in error_fields(staff.post(f"/needs/{pk}/return", {}))
    assert "comment" in error_fields(staff.post(f"/needs/{pk}/return", {"comment": "  "}))
    returned = staff.post(f"/needs/{pk}/return", {"comment": "请补充临床场景。"})
    assert returned.status_code == 200
    assert returned.json()["status"] == "returned"
    assert (
        Api(personas.partner_a).get(f"/needs/{pk}").json()["review_comment"] == "请补充临床场景。"
    )


def test_carriers_have_no_review_endpoints(personas: Personas) -> None:
    carrier = CarrierFactory()
    assert Api(personas.staff).post(f"/carriers/{carrier.pk}/approve").status_code in (404, 405)


def test_patching_another_orgs_achievement_is_403(personas: Personas) -> None:
    item = AchievementFactory(owner=personas.org_a, title_en="Mine")
    api = Api(personas.partner_b)
    response = api.patch(f"/achievements/{item.pk}", {"title_en": "Hijacked"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert api.post(f"/achievements/{item.pk}/archive").status_code == 403
    item.refresh_from_db()
    assert item.title_en == "Mine"
    assert item.archived_at is None


def test_viewer_cannot_create(personas: Personas) -> None:
    response = Api(personas.viewer).post("/organizations", {"name_zh": "x", "kind": "company"})
    assert response.status_code == 403


BAD: list[tuple[str, Callable[[Personas], dict[str, Any]], str]] = [
    (
        "missing title",
        lambda p: {
            "summary_zh": "s",
            "kind": "drug",
            "owner": p.org_a.pk,
            "stage": "discovery",
            "disclosure": "public",
        },
        "__all__",
    ),
    (
        "bad kind",
        lambda p: {
            "title_zh": "t",
            "summary_zh": "s",
            "kind": "spaceship",
            "owner": p.org_a.pk,
            "stage": "discovery",
            "disclosure": "public",
        },
        "kind",
    ),
    (
        "missing kind",
        lambda p: {
            "title_zh": "t",
            "summary_zh": "s",
            "owner": p.org_a.pk,
            "stage": "discovery",
            "disclosure": "public",
        },
        "kind",
    ),
    (
        "unknown owner",
        lambda p: {
            "title_zh": "t",
            "summary_zh": "s",
            "kind": "drug",
            "owner": 999999,
            "stage": "discovery",
            "disclosure": "public",
        },
        "owner",
    ),
    (
        "another org as owner",
        lambda p: {
            "title_zh": "t",
            "summary_zh": "s",
            "kind": "drug",
            "owner": p.org_b.pk,
            "stage": "discovery",
            "disclosure": "public",
        },
        "owner",
    ),
    (
        "owner not an id",
        lambda p: {
            "title_zh": "t",
            "summary_zh": "s",
            "kind": "drug",
            "owner": "org a",
            "stage": "discovery",
            "disclosure": "public",
        },
        "owner",
    ),
    (
        "unknown term",
        lambda p: {
            "title_zh": "t",
            "summary_zh": "s",
            "kind": "drug",
            "owner": p.org_a.pk,
            "stage": "discovery",
            "disclosure": "public",
            "therapeutic_areas": [999999],
        },
        "therapeutic_areas",
    ),
    (
        "bad transfer mode",
        lambda p: {
            "title_zh": "t",
            "summary_zh": "s",
            "kind": "drug",
            "owner": p.org_a.pk,
            "stage": "discovery",
            "disclosure": "public",
            "transfer_modes": ["theft"],
        },
        "transfer_modes.0",
    ),
    (
        "unknown field",
        lambda p: {
            "title_zh": "t",
            "summary_zh": "s",
            "kind": "drug",
            "owner": p.org_a.pk,
            "stage": "discovery",
            "disclosure": "public",
            "colour": "red",
        },
        "colour",
    ),
]


@pytest.mark.parametrize(("case", "payload", "field"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_422_with_fields(
    personas: Personas, case: str, payload: Callable[[Personas], dict[str, Any]], field: str
) -> None:
    before = Achievement.objects.count()
    assert field in error_fields(Api(personas.partner_a).post("/achievements", payload(personas)))
    assert Achievement.objects.count() == before


def test_patch_validates_with_the_web_form(personas: Personas) -> None:
    carrier = CarrierFactory(park=OrganizationFactory(kind="park"))
    api = Api(personas.staff)
    fields = error_fields(api.patch(f"/carriers/{carrier.pk}", {"area_available_m2": 5000}))
    assert "area_available_m2" in fields
    assert "kind" in error_fields(api.patch(f"/organizations/{personas.org_a.pk}", {"kind": None}))
    assert "website" in error_fields(
        api.patch(f"/organizations/{personas.org_a.pk}", {"website": "not a url"})
    )


@pytest.mark.parametrize(
    "body", ["{not json", "[1, 2]", '"a string"', '{"title_zh": ["nested"]}'], ids=str
)
def test_malformed_json_is_4xx_not_500(personas: Personas, body: str) -> None:
    client = Api(personas.partner_a).client
    response = client.post(f"{API}/achievements", body, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert "error" in response.json()
    item = AchievementFactory(owner=personas.org_a)
    response = client.patch(f"{API}/achievements/{item.pk}", body, content_type="application/json")
    assert 400 <= response.status_code < 500


def test_empty_patch_changes_nothing(personas: Personas) -> None:
    item = AchievementFactory(owner=personas.org_a)
    assert Api(personas.partner_a).patch(f"/achievements/{item.pk}", {}).status_code == 200
    assert not AuditEntry.objects.filter(verb="achievement.update").exists()


def test_input_schemas_cover_exactly_the_web_form_fields() -> None:
    from luodi.catalog.api import SPECS

    for spec in SPECS:
        form_fields = set(spec.res.form._meta.fields or [])
        assert set(spec.create_in.model_fields) == form_fields, spec.slug
        # A patch also carries the version it was made from (luodi/concurrency.py).
        assert set(spec.patch_in.model_fields) == form_fields | {"version"}, spec.slug


def test_organization_chain_segments_round_trip_and_unknown_code_is_422(
    personas: Personas,
) -> None:
    api = Api(personas.staff)
    created = api.post(
        "/organizations",
        {"name_zh": "链条公司", "kind": "company", "chain_segments": ["cdmo", "distribution"]},
    )
    assert created.status_code == 201, created.content
    org = created.json()

    patched = api.patch(f"/organizations/{org['id']}", {"chain_segments": ["cro"]})
    bad = api.patch(f"/organizations/{org['id']}", {"chain_segments": ["mining"]})

    assert org["chain_segments"] == ["cdmo", "distribution"]
    assert patched.json()["chain_segments"] == ["cro"]
    assert "chain_segments.0" in error_fields(bad)
    assert api.get(f"/organizations/{org['id']}").json()["chain_segments"] == ["cro"]
