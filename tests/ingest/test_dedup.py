from __future__ import annotations

import pytest

from luodi.catalog.models import Organization
from luodi.ingest import dedup, domain, tables
from tests.factories import AchievementFactory, OrganizationFactory


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("成都生物科技有限公司", "成都生物科技"),
        ("Chengdu Biotech Co., Ltd.", "chengdu  biotech"),
        ("McGill Univ HC /ID# 157085", "McGill University HC"),
        ("Hôpital Bichat", "HOPITAL BICHAT"),
        ("St. Olav's Hospital", "Saint Olavs Hospital"),
        ("Shaare-Zedek Medical Ctr", "Shaare Zedek Medical Center"),
    ],
)
def test_name_key_ignores_case_punctuation_suffixes_and_abbreviations(a: str, b: str) -> None:
    assert dedup.name_key(a) == dedup.name_key(b)


def test_similarity_flags_prefix_variants_but_not_different_names() -> None:
    key = dedup.name_key
    assert dedup.similarity(key("成都医学城"), key("成都医学城管委会")) >= dedup.SIMILAR
    assert dedup.similarity(key("甲机构"), key("乙机构")) < dedup.SIMILAR
    assert dedup.similarity(key("Org A"), key("Org B")) < dedup.SIMILAR


def test_generic_site_names_are_recognised() -> None:
    assert dedup.is_generic_site("GSK Investigational Site")
    assert dedup.is_generic_site("Research Site CHN03-0")
    assert not dedup.is_generic_site("Mayo Clinic")


def _run(rows: list[list[str]]) -> tuple[int, list[str]]:
    table = tables.Table(
        ["名称", "English name", "别名", "类型"], [(n, r) for n, r in enumerate(rows, start=2)]
    )
    summary = domain.import_table(
        actor=None,
        system=True,
        kind="organizations",
        table=table,
        mapping=["name_zh", "name_en", "aliases", "kind"],
    )
    assert summary.errors == []
    return summary.created, [d.reason for d in summary.duplicates]


def test_duplicates_are_updated_or_flagged_never_created_twice(db: None) -> None:
    city = OrganizationFactory(
        name_zh="成都医学城", name_en="Chengdu Medical City", aliases=["医学城"], kind="park"
    )
    OrganizationFactory(name_zh="成都康弘药业集团股份有限公司", name_en="", kind="company")
    before = Organization.objects.count()

    created, flagged = _run(
        [
            ["成都医学城管委会", "", "", "园区"],  # similar (suffix) → flagged
            ["", "CHENGDU MEDICAL CITY", "", "park"],  # English name, other case → update
            ["医学城", "", "", "园区"],  # alias → update
            ["成都康弘药业集团", "", "", "企业"],  # legal suffix → update
            ["新公司", "New Co., Ltd.", "", "企业"],  # new
            ["新公司有限公司", "", "", "企业"],  # same as the line before → skipped
        ]
    )

    assert created == 1
    assert Organization.objects.count() == before + 1
    assert len(flagged) == 2
    assert "成都医学城" in flagged[0]
    assert "6" in flagged[1]
    city.refresh_from_db()
    assert city.name_en == "Chengdu Medical City"


def test_a_title_changed_earlier_in_the_file_is_matched_by_its_new_words(db: None) -> None:
    """Rows find their record among the titles read once per chunk: a row that renames a
    record is seen by the rows after it, in the same chunk, as a database query would."""
    owner = OrganizationFactory(name_zh="甲大学", name_en="A University", kind="university")
    item = AchievementFactory(owner=owner, title_zh="肝癌早筛", title_en="Liver screen")
    rows = [
        ["甲大学", "肝癌早筛", "Liver Screen Kit", "device", "preclinical"],  # renames it
        ["甲大学", "肝癌早筛试剂盒", "liver screen KIT", "device", "phase1"],  # by its new name
    ]
    summary = domain.import_table(
        actor=None,
        system=True,
        kind="achievements",
        table=tables.Table(["owner", "zh", "en", "kind", "stage"], list(enumerate(rows, 2))),
        mapping=["owner", "title_zh", "title_en", "kind", "stage"],
    )
    assert (summary.errors, summary.created, summary.updated) == ([], 0, 2)
    item.refresh_from_db()
    assert (item.title_zh, item.title_en, item.stage) == (
        "肝癌早筛试剂盒",
        "liver screen KIT",
        "phase1",
    )
