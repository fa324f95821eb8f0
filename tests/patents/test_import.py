"""Patents from Excel or CSV: the "patents" kind of the import, registered by the patents app.
Good rows go through `save_patent`, bad rows are reported with their line and reason (a wrong
check character among them), re-importing a number updates its patent, and an import that
fails leaves nothing half-written."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook

from luodi.accounts.domain import create_api_token
from luodi.accounts.models import AuditEntry, User
from luodi.ingest import domain, tables
from luodi.ingest.rules import kinds_for
from luodi.ingest.summary import Summary
from luodi.patents import domain as patent_domain
from luodi.patents import numbers
from luodi.patents.models import Patent
from tests.conftest import Personas, client_for
from tests.factories import AchievementFactory

pytestmark = pytest.mark.django_db

HEADERS = [
    "受理局",
    "专利类型",
    "申请号",
    "专利名称",
    "英文名称",
    "申请日",
    "授权日",
    "法律状态",
    "专利权人",
    "缴费人",
    "费减比例",
    "关联成果",
]


def number(kind_digit: str = "1", serial: str = "0123456", year: int = 2021) -> str:
    digits = f"{year}{kind_digit}{serial}"
    return f"{digits}.{numbers.check_character(digits)}"


INVENTION = number()
UTILITY = number("2", "0000777")
THIRD = number("1", "0000999")
WRONG = INVENTION[:-1] + ("0" if INVENTION[-1] != "0" else "1")


def _xlsx(rows: list[list[Any]], headers: list[str] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(headers or HEADERS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv(rows: list[list[Any]]) -> bytes:
    lines = [",".join(HEADERS)] + [",".join("" if v is None else str(v) for v in r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _import(actor: User | None, data: bytes, name: str = "patents.xlsx", **kw: Any) -> Summary:
    table = tables.read_table(name, data)
    mapping = tables.suggest_mapping("patents", table)
    return domain.import_table(actor=actor, kind="patents", table=table, mapping=mapping, **kw)


def _patents() -> list[tuple[Any, ...]]:
    return list(
        Patent.objects.order_by("application_number").values_list(
            "application_number", "kind", "title_zh", "status", "reduction", "version"
        )
    )


def _audit() -> int:
    return AuditEntry.objects.filter(verb__startswith="patent.").count()


def _good(personas: Personas) -> list[list[Any]]:
    """Two good rows (lines 2 and 3): a granted invention backing an achievement, and a
    pending utility model whose type is read from its number."""
    a = personas.org_a.name_zh
    return [
        [
            "中国",
            "发明",
            f"CN {INVENTION}",
            "一种骨修复支架",
            "Bone scaffold",
            date(2021, 3, 5),
            "2023年6月1日",
            "有效",
            a,
            personas.org_b.name_zh,
            "85%",
            "骨修复成果",
        ],
        [None, None, UTILITY, "一种手术夹", None, "2021-04-02", None, "审中", a, None, None, None],
    ]


def _bad(personas: Personas) -> list[list[Any]]:
    """One bad row per reason (lines 4 to 9 after the two good ones)."""
    a = personas.org_a.name_zh
    base = ["中国", "发明", THIRD, "标题", None, "2021-05-06", None, "审中", a, None, None, None]

    def row(**change: Any) -> list[Any]:
        out = list(base)
        for index, value in change.items():
            out[int(index[1:])] = value
        return out

    return [
        row(c2=WRONG),  # 4: the check character
        row(c8="不存在的医院"),  # 5: an unknown owner
        row(c5="2021-13-45"),  # 6: not a date
        row(c10="50"),  # 7: no such reduction
        row(c7="有效"),  # 8: granted without a grant date (the domain's check)
        row(c11="没有这个成果"),  # 9: an unknown achievement
    ]


@pytest.fixture
def achievement(personas: Personas) -> Any:
    return AchievementFactory(owner=personas.org_a, title_zh="骨修复成果")


def test_headers_in_chinese_and_english_map_to_the_fields(personas: Personas) -> None:
    table = tables.read_table("p.xlsx", _xlsx(_good(personas)))
    assert tables.suggest_mapping("patents", table) == [
        "office",
        "kind",
        "application_number",
        "title_zh",
        "title_en",
        "filing_date",
        "grant_date",
        "status",
        "owners",
        "fee_payer",
        "reduction",
        "achievements",
    ]
    english = ["Application number", "Title", "Filing date", "Owners", "Fee payer", "Status"]
    table = tables.read_table("p.xlsx", _xlsx([[INVENTION, "Scaffold"]], english))
    assert tables.suggest_mapping("patents", table) == [
        "application_number",
        "title_en",
        "filing_date",
        "owners",
        "fee_payer",
        "status",
    ]
    assert tables.check_mapping("patents", ["application_number", "filing_date"])  # owners


def test_bad_rows_are_listed_with_line_and_reason_good_rows_written(
    personas: Personas, achievement: Any
) -> None:
    with translation.override("en"):
        summary = _import(personas.staff, _xlsx(_good(personas) + _bad(personas)))
    assert (summary.created, summary.updated) == (2, 0), summary.errors
    reasons = {e.line: e.reason for e in summary.errors}
    assert sorted(reasons) == [4, 5, 6, 7, 8, 9]
    assert "check character" in reasons[4] and WRONG in reasons[4]
    assert "不存在的医院" in reasons[5]
    assert "2021-13-45" in reasons[6]
    assert "0, 70 or 85" in reasons[7]
    assert "grant date" in reasons[8]
    assert "没有这个成果" in reasons[9]
    invention = Patent.objects.get(application_number=INVENTION)  # "CN " dropped
    assert (invention.kind, invention.status, invention.reduction) == ("invention", "granted", 85)
    assert invention.grant_date == date(2023, 6, 1)
    assert list(invention.owners.all()) == [personas.org_a]
    assert invention.fee_payer == personas.org_b
    assert list(invention.achievements.all()) == [achievement]
    utility = Patent.objects.get(application_number=UTILITY)
    assert (utility.kind, utility.status) == ("utility_model", "pending")
    # Through the domain: each one audited as a form's save would be.
    assert _audit() == 2 and summary.by_kind == {"patent": {"created": 2}}


def test_reimport_updates_instead_of_duplicating(personas: Personas, achievement: Any) -> None:
    _import(personas.staff, _csv(_good(personas)), name="patents.csv")
    assert len(_patents()) == 2
    rows = _good(personas)
    rows[0][3] = "一种改进的骨修复支架"  # a changed title; the second row is the same
    again = _import(personas.staff, _csv(rows), name="patents.csv")
    assert (again.created, again.updated, again.skipped, again.errors) == (0, 1, 1, [])
    assert len(_patents()) == 2
    invention = Patent.objects.get(application_number=INVENTION)
    assert invention.title_zh == "一种改进的骨修复支架" and invention.version == 2
    # The same number twice in one file is one patent, reported as a duplicate.
    twice = _import(personas.staff, _xlsx([rows[0], rows[0]]))
    assert (twice.skipped, [d.line for d in twice.duplicates]) == (2, [3])


def test_all_or_nothing_refused_on_write_leaves_nothing_behind(
    personas: Personas, achievement: Any
) -> None:
    _import(personas.staff, _xlsx(_good(personas)[:1]))
    before, entries = _patents(), _audit()
    rows = _good(personas)
    rows[0][3] = "改过的标题"  # an update of the first patent
    rows.append(_bad(personas)[4])  # line 4: refused only by the domain, on writing
    summary = _import(personas.staff, _xlsx(rows), mode="all")
    assert summary.refused and [e.line for e in summary.errors] == [4]
    # The new patent deleted, the changed one written back (its version moved on, so a
    # form opened meanwhile conflicts), and the log shows only what stayed.
    assert [p[:5] for p in _patents()] == [p[:5] for p in before]
    assert _audit() == entries
    invention = Patent.objects.get(application_number=INVENTION)
    assert list(invention.achievements.all()) == [achievement]


def test_an_error_midway_undoes_what_was_written(
    personas: Personas, achievement: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = patent_domain.save_patent
    calls = {"n": 0}

    def failing(**kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk on fire")
        return real(**kwargs)

    monkeypatch.setattr(patent_domain, "save_patent", failing)
    with pytest.raises(RuntimeError):
        _import(personas.staff, _xlsx(_good(personas)))
    assert _patents() == [] and _audit() == 0


def test_dry_run_writes_nothing(personas: Personas, achievement: Any) -> None:
    summary = _import(personas.staff, _xlsx(_good(personas)), dry_run=True)
    assert summary.created == 2 and _patents() == [] and _audit() == 0


def _bearer(user: User) -> dict[str, str]:
    _token, raw = create_api_token(actor=user, name="test", scope="write")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_who_may_import_and_the_upload_page_offers_it(personas: Personas, achievement: Any) -> None:
    def post(user: User, rows: list[list[Any]]) -> Any:
        upload = SimpleUploadedFile("patents.xlsx", _xlsx(rows))
        return client_for(None).post(
            "/api/ingest/table", {"kind": "patents", "file": upload}, **_bearer(user)
        )

    # A partner imports its own organization's patents; naming another as owner is a row
    # error, and so is changing a patent another organization owns.
    rows = _good(personas)
    payer = post(personas.partner_a, rows[:1])  # org_b as fee payer: not the partner's
    assert [e["line"] for e in payer.json()["errors"]] == [2] and payer.json()["created"] == 0
    rows[0][9] = None
    own = post(personas.partner_a, rows)
    assert own.status_code == 200, own.content
    assert own.json()["created"] == 2, own.json()
    foreign = _good(personas)[1]
    foreign[2], foreign[8] = THIRD, personas.org_b.name_zh
    refused = post(personas.partner_a, [foreign])
    assert [e["line"] for e in refused.json()["errors"]] == [2]
    assert post(personas.partner_b, _good(personas)[1:]).json()["errors"][0]["line"] == 2
    assert post(personas.viewer, _good(personas)).status_code == 403
    assert Patent.objects.count() == 2

    assert "patents" in kinds_for(personas.staff)
    assert "patents" in kinds_for(personas.partner_a)
    assert "patents" not in kinds_for(personas.viewer)
    page = client_for(personas.partner_a).get("/import/")
    assert page.status_code == 200 and 'value="patents"' in page.content.decode()
