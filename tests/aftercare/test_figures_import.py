"""Monthly figures from Excel: the "figures" kind of the import, registered by the aftercare
app. Good rows go through `record_figures` (history kept), bad rows are reported with their
line and reason, a dry run writes nothing, a re-import updates, and a failed import is undone.
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from openpyxl import Workbook

from luodi.accounts.domain import create_api_token
from luodi.accounts.models import AuditEntry, User
from luodi.aftercare import domain as aftercare_domain
from luodi.aftercare.models import FigureReport
from luodi.ingest import domain, tables
from luodi.ingest.fields import FIELDS
from luodi.ingest.rules import kinds_for
from luodi.ingest.summary import Summary
from luodi.pipeline.models import LandingRecord, Project
from tests.aftercare.factories import Parks, make_landed, make_parks
from tests.conftest import Personas, client_for
from tests.pipeline.factories import make_project

HEADERS = [
    "登记企业",
    "月份",
    "实际到资",
    "产值",
    "纳税",
    "研发投入",
    "专利申请",
    "员工人数",
    "使用面积",
    "备注",
]
ENTITY = "成都蓉骨医疗科技有限公司"
OTHER_ENTITY = "天府生物别家企业有限公司"


def _month(months_ago: int) -> date:
    day = timezone.localdate().replace(day=1)
    for _ in range(months_ago):
        day = (day - timedelta(days=1)).replace(day=1)
    return day


A, B, C, D = _month(4), _month(3), _month(2), _month(1)
FUTURE = (timezone.localdate().replace(day=1) + timedelta(days=40)).replace(day=1)


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


def _import(actor: User | None, data: bytes, **kwargs: Any) -> Summary:
    table = tables.read_table("figures.xlsx", data)
    mapping = tables.suggest_mapping("figures", table)
    return domain.import_table(actor=actor, kind="figures", table=table, mapping=mapping, **kwargs)


def _figures() -> list[tuple[Any, ...]]:
    return list(
        FigureReport.objects.order_by("project_id", "period").values_list(
            "project_id", "period", "capital_wan", "output_wan", "jobs", "patents", "note"
        )
    )


def _history() -> int:
    return AuditEntry.objects.filter(verb="figures.record").count()


class World:
    def __init__(self, personas: Personas) -> None:
        self.parks: Parks = make_parks()
        self.project: Project = make_landed(personas, self.parks.park)
        self.other: Project = make_landed(personas, self.parks.other, title="别家园区的项目")
        LandingRecord.objects.filter(project=self.other).update(entity_name=OTHER_ENTITY)
        # Targets the park, visible to it, not landed.
        self.unlanded = make_project(
            personas.staff, personas.org_a, target_park=self.parks.park, title="尚未落地"
        )


@pytest.fixture
def world(personas: Personas) -> World:
    return World(personas)


def _rows(world: World) -> list[list[Any]]:
    """Three good rows (lines 2-4) and one bad row per reason (lines 5-12)."""
    pid = world.project.pk
    return [
        [ENTITY, f"{A:%Y-%m}", 100, 2000, 50, 30, 2, 40, 1200, "首月"],
        [str(pid), datetime(B.year, B.month, 1), "120.5", None, None, None, None, 42, None, None],
        [ENTITY, f"{C.year}年{C.month}月", "1,000", None, None, None, None, None, None, None],
        [ENTITY, "2026-13", 1, None, None, None, None, None, None, None],
        [ENTITY, f"{D.year}/{D.month}", -5, None, None, None, None, None, None, None],
        ["不存在的公司", f"{D:%Y-%m}", 1, None, None, None, None, None, None, None],
        [OTHER_ENTITY, f"{D:%Y-%m}", 1, None, None, None, None, None, None, None],
        [str(world.unlanded.pk), f"{D:%Y-%m}", 1, None, None, None, None, None, None, None],
        [ENTITY, f"{D:%Y-%m}", None, None, None, None, "1.5", None, None, None],
        [ENTITY, f"{FUTURE:%Y-%m}", 1, None, None, None, None, None, None, None],
        [ENTITY, f"{D:%Y-%m}", None, None, None, None, None, None, None, None],
    ]


def test_headers_in_chinese_and_english_map_to_the_figures() -> None:
    table = tables.read_table("f.xlsx", _xlsx([[ENTITY, "2026-01"]]))
    assert tables.suggest_mapping("figures", table) == [
        "project",
        "month",
        "capital_wan",
        "output_wan",
        "tax_wan",
        "rnd_wan",
        "patents",
        "jobs",
        "area_m2",
        "note",
    ]
    english = ["Project ID", "Month", "Capital arrived", "Output", "Tax", "R&D", "Jobs"]
    table = tables.read_table("f.xlsx", _xlsx([["1", "2026-01"]], english))
    assert tables.suggest_mapping("figures", table) == [
        "project",
        "month",
        "capital_wan",
        "output_wan",
        "tax_wan",
        "rnd_wan",
        "jobs",
    ]
    assert tables.check_mapping("figures", ["month", "jobs"])  # the project is required


def test_dry_run_reports_every_bad_row_and_writes_nothing(personas: Personas, world: World) -> None:
    with translation.override("en"):
        summary = _import(world.parks.park_user, _xlsx(_rows(world)), dry_run=True)
    assert (summary.created, summary.updated) == (3, 0)
    reasons = {e.line: e.reason for e in summary.errors}
    assert sorted(reasons) == [5, 6, 7, 8, 9, 10, 11, 12]
    assert "2026-13" in reasons[5]
    assert "negative" in reasons[6]
    assert "不存在的公司" in reasons[7]
    assert OTHER_ENTITY in reasons[8]  # another park's project: refused, as unknown
    assert "not landed" in reasons[9]
    assert "whole number" in reasons[10]
    assert "not begun" in reasons[11]
    assert "no figure" in reasons[12]
    assert _figures() == [] and _history() == 0


def test_import_records_each_row_with_history_and_reimport_updates(
    personas: Personas, world: World
) -> None:
    user = world.parks.park_user
    summary = _import(user, _xlsx(_rows(world)[:3]))
    assert (summary.created, summary.updated, summary.errors) == (3, 0, [])
    assert summary.by_kind == {"figure_report": {"created": 3}}
    pid = world.project.pk
    assert _figures() == [
        (pid, A, Decimal("100.00"), Decimal("2000.00"), 40, 2, "首月"),
        (pid, B, Decimal("120.50"), None, 42, None, ""),
        (pid, C, Decimal("1000.00"), None, None, None, ""),
    ]
    first = FigureReport.objects.get(project=world.project, period=A)
    assert first.entered_by == user

    again = [
        [ENTITY, f"{A:%Y-%m}", 100, None, None, None, None, 45, None, None],  # jobs 40 → 45
        [str(pid), f"{B:%Y-%m}", "120.50", None, None, None, None, None, None, None],  # same
    ]
    summary = _import(user, _xlsx(again))
    assert (summary.created, summary.updated, summary.skipped) == (0, 1, 1)
    first.refresh_from_db()
    assert first.jobs == 45 and first.output_wan == Decimal("2000.00")  # empty cell: kept
    history = AuditEntry.objects.filter(verb="figures.record", target_id=str(first.pk)).order_by(
        "id"
    )
    assert [h.changes.get("jobs") for h in history] == [[None, 40], [40, 45]]
    assert {h.changes["source"] for h in history} == {"import"}


def test_all_or_nothing_refused_on_write_leaves_the_database_as_it_was(
    personas: Personas, world: World
) -> None:
    user = world.parks.park_user
    _import(user, _xlsx(_rows(world)[:2]))
    before, entries = _figures(), _history()
    rows = [
        [ENTITY, f"{A:%Y-%m}", 999, None, None, None, None, 50, None, "改"],  # an update
        [ENTITY, f"{C:%Y-%m}", 7, None, None, None, None, None, None, None],  # a new month
        [OTHER_ENTITY, f"{C:%Y-%m}", 1, None, None, None, None, None, None, None],  # refused
    ]
    summary = _import(user, _xlsx(rows), mode="all")
    assert summary.refused and [e.line for e in summary.errors] == [4]
    assert _figures() == before  # the new month deleted, the changed one written back
    assert _history() == entries  # and the history shows only what stayed


def test_an_error_midway_undoes_what_was_written(
    personas: Personas, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _import(personas.staff, _xlsx(_rows(world)[:1]))
    before, entries = _figures(), _history()
    real = aftercare_domain.record_figures
    calls = {"n": 0}

    def failing(**kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk on fire")
        return real(**kwargs)

    monkeypatch.setattr(aftercare_domain, "record_figures", failing)
    rows = [
        [ENTITY, f"{A:%Y-%m}", 5, None, None, None, None, 1, None, None],
        [ENTITY, f"{B:%Y-%m}", 6, None, None, None, None, None, None, None],
        [ENTITY, f"{C:%Y-%m}", 7, None, None, None, None, None, None, None],
    ]
    with pytest.raises(RuntimeError):
        _import(personas.staff, _xlsx(rows))
    assert _figures() == before and _history() == entries


def _bearer(user: User) -> dict[str, str]:
    _token, raw = create_api_token(actor=user, name="test", scope="write")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_api_import_by_a_park_and_who_may_import(personas: Personas, world: World) -> None:
    def post(user: User, rows: list[list[Any]], **extra: str) -> Any:
        upload = SimpleUploadedFile("figures.xlsx", _xlsx(rows))
        return client_for(None).post(
            "/api/ingest/table", {"kind": "figures", "file": upload, **extra}, **_bearer(user)
        )

    rows = _rows(world)[:2]
    dry = post(world.parks.park_user, rows, dry_run="true")
    assert dry.status_code == 200, dry.content
    assert (dry.json()["created"], dry.json()["dry_run"]) == (2, True)
    assert _figures() == []
    done = post(world.parks.park_user, rows)
    assert done.json()["created"] == 2 and len(_figures()) == 2

    refused = post(world.parks.other_user, rows)
    assert refused.status_code == 200
    assert [e["line"] for e in refused.json()["errors"]] == [2, 3]
    assert refused.json()["created"] == 0
    for outsider in (personas.partner_a, personas.viewer):
        assert post(outsider, rows).status_code == 403
    assert "figures" in kinds_for(world.parks.park_user)
    assert "figures" in kinds_for(personas.staff)
    assert "figures" not in kinds_for(personas.partner_a)


def test_web_import_maps_previews_and_runs(personas: Personas, world: World) -> None:
    client = client_for(world.parks.park_user)
    upload = SimpleUploadedFile("figures.xlsx", _xlsx(_rows(world)[:2]))
    response = client.post("/import/", {"kind": "figures", "file": upload})
    assert response.status_code == 302, response.content
    mapping_url = response["Location"]
    page = client.get(mapping_url).content.decode()
    assert 'value="project" selected' in page and 'value="capital_wan" selected' in page
    keys = [spec.key for spec in FIELDS["figures"]]
    columns = {f"col_{i}": key for i, key in enumerate(keys)}
    preview = client.post(mapping_url, columns, HTTP_HX_REQUEST="true")
    assert preview.status_code == 200 and _figures() == []
    done = client.post(f"{mapping_url}run/", {"mode": "good"}, HTTP_HX_REQUEST="true")
    assert 'data-testid="result"' in done.content.decode()
    assert len(_figures()) == 2
