"""#18 item 4: one therapeutic-area vocabulary. Lists showed "Diabetes Mellitus, Type 1、糖尿病"
and English ICD chapter names in the Chinese UI; the area select had 682 items, mostly
English; each disease existed as ICD-10 and as MeSH, so 3 landings showed as 6 "by area"
rows and area totals doubled. Now MeSH headings are the areas, every one with a Chinese
label; ICD-10 codes are cross-references counted under an area."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from luodi.catalog.forms import AchievementForm
from luodi.catalog.icd10_terms import ICD10_BLOCK_CONCEPT, ICD10_CHAPTER_CONCEPT
from luodi.catalog.mesh_terms import MESH_ZH
from luodi.catalog.models import Achievement, Organization, Term
from luodi.catalog.taxonomy import mesh_subset, seed_taxonomy
from luodi.ingest.tables import Resolver
from luodi.insights.queries import landings_by_area
from luodi.pipeline.domain.landing import record_landing
from tests.conftest import Personas
from tests.factories import AchievementFactory
from tests.pipeline.factories import make_project


def test_every_heading_has_a_chinese_label_and_every_code_an_area() -> None:
    headings = {top for top, _zh, _ks in mesh_subset()} | {
        k for _t, _zh, ks in mesh_subset() for k in ks
    }
    tops_zh = {top: zh for top, zh, _ks in mesh_subset()}
    assert all(tops_zh.values())
    assert {k for k in headings if k not in tops_zh} - set(MESH_ZH) == set()
    named = set(ICD10_CHAPTER_CONCEPT.values()) | set(ICD10_BLOCK_CONCEPT.values())
    assert named - headings == set()


@pytest.fixture
def seeded(db) -> None:  # type: ignore[no-untyped-def]
    seed_taxonomy(None)


def test_the_area_vocabulary_is_bilingual_and_holds_no_code(seeded) -> None:  # type: ignore[no-untyped-def]
    areas = Term.objects.filter(scheme=Term.Scheme.THERAPEUTIC_AREA)
    assert 250 <= areas.count() <= 400
    assert not areas.filter(label_zh="").exists()
    assert not areas.filter(source="icd10").exists()
    assert (
        not Term.objects.filter(scheme="icd10", source="icd10", same_as__isnull=True)
        .exclude(code__regex=r"^(XXI|XXII|U|Z)")
        .exists()
    )


def test_upgrading_moves_code_links_to_their_area_once(seeded) -> None:  # type: ignore[no-untyped-def]
    neoplasms = Term.objects.get(scheme="area", label_en="Neoplasms")
    lung = Term.objects.get(scheme="area", label_en="Lung Neoplasms")
    chapter = Term.objects.get(scheme="icd10", code="II")
    block = Term.objects.get(scheme="icd10", code="C30-C39")
    achievement = AchievementFactory()
    achievement.therapeutic_areas.set([chapter, block, neoplasms, lung])
    org = Organization.objects.create(name_zh="某医院", kind="hospital")
    org.focus_areas.set([chapter])
    # As a database seeded before the change held them: codes as areas.
    Term.objects.filter(source="icd10").update(scheme="area")

    out = io.StringIO()
    seed_taxonomy(out)

    assert "links moved" in out.getvalue()
    assert set(Achievement.objects.get(pk=achievement.pk).therapeutic_areas.all()) == {
        neoplasms,
        lung,
    }
    assert list(org.focus_areas.all()) == [neoplasms]


def test_landings_count_once_per_area(seeded, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    neoplasms = Term.objects.get(scheme="area", label_en="Neoplasms")
    lung = Term.objects.get(scheme="area", label_en="Lung Neoplasms")
    breast = Term.objects.get(scheme="area", label_en="Breast Neoplasms")
    for areas in ([neoplasms, lung], [lung], [neoplasms, breast, lung]):
        project = make_project(personas.staff, personas.org_a)
        project.achievement.therapeutic_areas.set(areas)
        record_landing(
            actor=personas.staff,
            project=project,
            values={
                "entity_name": "落地公司",
                "investment_wan": Decimal("1000"),
                "jobs_planned": 10,
            },
        )

    rows = landings_by_area(personas.staff).rows

    assert [(r["label"], r["landings"], r["investment_wan"], r["jobs"]) for r in rows] == [
        ("肿瘤", 3, 3000, 30)
    ]


def test_a_sheet_naming_an_icd_code_gets_the_area(seeded) -> None:  # type: ignore[no-untyped-def]
    ids, unknown = Resolver.load().term_ids(("area",), "E10-E14；肺肿瘤")
    assert unknown == []
    assert set(Term.objects.filter(pk__in=ids).values_list("label_zh", flat=True)) == {
        "糖尿病",
        "肺肿瘤",
    }


def test_the_area_select_offers_areas_only_in_chinese(seeded, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    form = AchievementForm(user=personas.staff)
    labels = [label for _value, label in form.fields["therapeutic_areas"].choices]
    assert 250 <= len(labels) <= 400
    assert "糖尿病" in labels and "恶性肿瘤" not in labels
    assert not [label for label in labels if label.isascii()]


def test_a_heading_needs_every_specialty_its_icd_chapter_needed() -> None:
    """Records lost their ICD-10 chapter links to the heading: a lung-cancer achievement must
    still look for thoracic surgery in the centers tab."""
    from luodi.catalog.taxonomy import _mesh_descriptors
    from luodi.matchmaking.scoring import AREA_SPECIALTIES

    ui = _mesh_descriptors()
    for chapter, heading in ICD10_CHAPTER_CONCEPT.items():
        lost = set(AREA_SPECIALTIES.get(chapter, ())) - set(AREA_SPECIALTIES.get(ui[heading], ()))
        assert not lost, (chapter, heading, lost)
