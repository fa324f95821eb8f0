from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from luodi.accounts.models import AuditEntry
from luodi.catalog.models import Organization
from luodi.ingest import domain, tables
from luodi.ingest.summary import Summary
from tests.conftest import Personas
from tests.ingest.conftest import write_xlsx

HEADERS = ["名称", "English name", "类型", "城市", "别名"]
ROWS = [
    ["成都生物科技有限公司", "Chengdu Bio Co., Ltd.", "企业", "成都市", ""],
    ["华西医院", "West China Hospital", "医院", "成都市", "四川大学华西医院; WCH Co., Ltd."],
    ["某机构", "", "外星人", "", ""],
    ["天府国际生物城", "Tianfu International Bio-Town", "Industrial park", "", ""],
    ["", "", "企业", "成都市", ""],
]


@pytest.fixture
def two_bad_rows(tmp_path: Path) -> tables.Table:
    path = write_xlsx(tmp_path / "orgs.xlsx", [HEADERS, *ROWS])
    return tables.read_table(path.name, path.read_bytes())


def _import(table: tables.Table, **kwargs: Any) -> Summary:
    mapping = tables.suggest_mapping("organizations", table)
    return domain.import_table(
        actor=None, system=True, kind="organizations", table=table, mapping=mapping, **kwargs
    )


def test_suggest_mapping_uses_synonyms_and_script(two_bad_rows: tables.Table) -> None:
    assert tables.suggest_mapping("organizations", two_bad_rows) == [
        "name_zh",
        "name_en",
        "kind",
        "city",
        "aliases",
    ]


def test_suggest_mapping_english_generic_name_becomes_name_en() -> None:
    table = tables.Table(["Name", "Kind"], [(2, ["Acme Pharma", "company"])])
    assert tables.suggest_mapping("organizations", table) == ["name_en", "kind"]


def test_dry_run_reports_both_bad_rows_with_line_and_reason(
    db: None, two_bad_rows: tables.Table
) -> None:
    summary = _import(two_bad_rows, dry_run=True)

    assert [e.line for e in summary.errors] == [4, 6]
    assert "外星人" in summary.errors[0].reason
    assert "名称" in summary.errors[1].reason  # "name … is required", in the active language
    assert (summary.created, summary.good_rows) == (3, 3)
    assert Organization.objects.count() == 0


def test_all_or_nothing_imports_nothing_when_a_row_is_bad(
    db: None, two_bad_rows: tables.Table
) -> None:
    summary = _import(two_bad_rows, mode="all")

    assert summary.refused is True
    assert (summary.created, summary.updated, summary.skipped) == (0, 0, 3)
    assert Organization.objects.count() == 0
    assert AuditEntry.objects.filter(verb="import.table").count() == 0


def test_good_rows_mode_imports_the_rest_and_audits_once(
    db: None, two_bad_rows: tables.Table
) -> None:
    summary = _import(two_bad_rows, mode="good")

    assert summary.created == 3
    assert [e.line for e in summary.errors] == [4, 6]
    hospital = Organization.objects.get(name_zh="华西医院")
    assert (hospital.kind, hospital.name_en, hospital.aliases) == (
        "hospital",
        "West China Hospital",
        ["四川大学华西医院", "WCH Co., Ltd."],
    )
    assert Organization.objects.get(name_en="Tianfu International Bio-Town").kind == "park"
    entry = AuditEntry.objects.get(verb="import.table")
    assert (entry.changes["created"], entry.changes["errors"]) == (3, 2)


def test_reimport_updates_rather_than_duplicates(db: None, two_bad_rows: tables.Table) -> None:
    _import(two_bad_rows)
    two_bad_rows.rows[0][1][3] = "绵阳市"

    summary = _import(two_bad_rows)

    assert (summary.created, summary.updated, summary.skipped) == (0, 1, 2)
    assert Organization.objects.count() == 3
    assert Organization.objects.get(name_zh="成都生物科技有限公司").city == "绵阳市"


def test_a_failure_rolls_back_every_row(
    db: None, two_bad_rows: tables.Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**kwargs: object) -> None:
        raise RuntimeError("audit store down")

    monkeypatch.setattr(domain.audit, "record", broken)
    with pytest.raises(RuntimeError):
        _import(two_bad_rows)
    assert Organization.objects.count() == 0


def test_read_table_csv_gb18030_and_blank_rows_keep_line_numbers() -> None:
    data = "名称,类型\n甲,企业\n\n乙,医院\n".encode("gb18030")
    table = tables.read_table("x.csv", data)
    assert table.rows == [(2, ["甲", "企业"]), (4, ["乙", "医院"])]


@pytest.mark.parametrize(
    ("name", "data"),
    [("x.csv", b""), ("x.txt", b"a,b\n1,2\n"), ("x.xlsx", b"not a zip"), ("x.csv", b"a,b\n")],
)
def test_read_table_rejects_unusable_files(name: str, data: bytes) -> None:
    with pytest.raises(tables.TableError):
        tables.read_table(name, data)


def test_check_mapping_requires_name_and_kind() -> None:
    assert tables.check_mapping("organizations", ["", ""]) != []
    assert tables.check_mapping("organizations", ["name_zh", "kind"]) == []
    assert tables.check_mapping("organizations", ["name_zh", "name_zh", "kind"]) != []


def test_people_achievements_and_needs_resolve_references(personas: Personas) -> None:
    from luodi.catalog.models import Achievement, ClinicalNeed, Person, Term

    Term.objects.create(scheme="area", code="C00-D49", label_zh="肿瘤", label_en="Neoplasms")
    Term.objects.create(
        scheme="area",
        code="E00-E89",
        label_zh="内分泌、营养和代谢疾病",
        label_en="Endocrine, nutritional and metabolic diseases",
    )
    Term.objects.create(scheme="tech", code="ai", label_zh="人工智能", label_en="AI")
    people = tables.Table(
        ["姓名", "单位", "邮箱"],
        [(2, ["张三", "甲机构", "z@example.org"]), (3, ["李四", "不存在的机构", ""])],
    )
    achievements = tables.Table(
        ["成果名称", "类型", "所属机构", "阶段", "治疗领域", "技术领域"],
        [
            (
                2,
                [
                    "新型抗体",
                    "药物",
                    "Org A",
                    "临床前",
                    "肿瘤;Neoplasms；Endocrine, nutritional and metabolic diseases"
                    "、内分泌、营养和代谢疾病",
                    "AI",
                ],
            ),
            (3, ["未知领域", "专利", "Org A", "TRL 3: proof of concept", "火星病", ""]),
        ],
    )
    needs = tables.Table(["需求名称", "问题", "医院"], [(2, ["术中导航", "定位不准", "乙机构"])])

    s1 = domain.import_table(
        actor=personas.staff,
        kind="people",
        table=people,
        mapping=tables.suggest_mapping("people", people),
    )
    s2 = domain.import_table(
        actor=personas.staff,
        kind="achievements",
        table=achievements,
        mapping=tables.suggest_mapping("achievements", achievements),
    )
    s3 = domain.import_table(
        actor=personas.staff,
        kind="needs",
        table=needs,
        mapping=tables.suggest_mapping("needs", needs),
    )

    assert [(e.line, "不存在的机构" in e.reason) for e in s1.errors] == [(3, True)]
    assert Person.objects.get(name_zh="张三").organization == personas.org_a
    assert [(e.line, "火星病" in e.reason) for e in s2.errors] == [(3, True)]
    antibody = Achievement.objects.get(title_zh="新型抗体")
    assert (antibody.kind, antibody.stage, antibody.owner) == (
        "drug",
        "preclinical",
        personas.org_a,
    )
    assert sorted(t.code for t in antibody.therapeutic_areas.all()) == ["C00-D49", "E00-E89"]
    assert [t.code for t in antibody.technology_fields.all()] == ["ai"]
    assert s3.created == 1
    assert ClinicalNeed.objects.get().organization == personas.org_b


def test_list_cells_keep_labels_that_contain_separators() -> None:
    table = {
        tables._header_key("Endocrine, nutritional and metabolic diseases"): 1,
        tables._header_key("内分泌、营养和代谢疾病"): 1,
        tables._header_key("肿瘤"): 2,
    }
    found = tables._longest_matches(
        "肿瘤、内分泌、营养和代谢疾病; Endocrine, nutritional and metabolic diseases, 火星病", table
    )
    assert found == [
        (2, "肿瘤"),
        (1, "内分泌、营养和代谢疾病"),
        (1, "Endocrine, nutritional and metabolic diseases"),
        (None, "火星病"),
    ]


def test_import_maps_chain_segments_by_chinese_header_and_labels(
    personas: Personas, tmp_path: Path
) -> None:
    rows = [
        ["名称", "类型", "产业链环节"],
        ["链条生物", "企业", "CDMO；医药流通"],
        ["错环节公司", "企业", "采矿"],
    ]
    path = write_xlsx(tmp_path / "segments.xlsx", rows)
    table = tables.read_table(path.name, path.read_bytes())

    mapping = tables.suggest_mapping("organizations", table)
    summary = _import(table, mode="good")

    assert mapping[2] == "chain_segments"
    assert Organization.objects.get(name_zh="链条生物").chain_segments == ["cdmo", "distribution"]
    assert not Organization.objects.filter(name_zh="错环节公司").exists()
    assert summary.errors
