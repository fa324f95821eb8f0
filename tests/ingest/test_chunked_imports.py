"""Issue #16, item 7: an import writes in short transactions, so other writers get their turn
on SQLite, and a failure anywhere still leaves the database as it was (domain.py, journal.py).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django.db.models import F

from luodi.accounts.models import AuditEntry
from luodi.catalog.models import ClinicalNeed, Organization, Revision
from luodi.ingest import domain, runs, tables, writers
from luodi.ingest.journal import Journal
from luodi.ingest.models import ImportRun
from luodi.ingest.summary import Summary
from tests.conftest import Personas, client_for
from tests.factories import ClinicalNeedFactory
from tests.ingest.test_runs import MAPPING, WorkerDied, _queued, _rows, _upload_and_map

PROBE_WAIT = 5.0  # seconds another writer waits for the lock: Python's sqlite3 default


def _table(rows: list[list[object]]) -> tables.Table:
    return tables.Table(
        headers=["名称", "English name", "类型"],
        rows=[(line, [str(c) for c in cells]) for line, cells in enumerate(rows, start=2)],
        filename="orgs.csv",
    )


def _import(rows: list[list[object]], **kwargs: Any) -> Summary:
    actor = kwargs.pop("actor", None)
    return domain.import_table(
        actor=actor,
        system=actor is None,
        kind="organizations",
        table=_table(rows),
        mapping=MAPPING,
        **kwargs,
    )


def _state() -> list[tuple[Any, ...]]:
    """What a user sees of the organizations (the version moves on: see journal.py)."""
    rows = Organization.objects.order_by("pk").values_list(
        "pk", "name_zh", "name_en", "kind", "city", "aliases", "status"
    )
    needs = ClinicalNeed.objects.order_by("pk").values_list("pk", "title_zh", "problem", "status")
    revisions = Revision.objects.order_by("pk").values_list("pk", "state", "data")
    return [*rows, *needs, *revisions]


@contextmanager
def sqlite_file_copy(path: Path) -> Iterator[None]:
    """This thread's default database becomes a file copy of the test database (an
    in-memory one, whose locks do not behave like a file's), with the site's settings."""
    memory = connections["default"]
    memory.ensure_connection()
    target = sqlite3.connect(path)
    memory.connection.backup(target)
    target.close()
    copy = type(memory)({**memory.settings_dict, "NAME": str(path)}, alias="default")
    connections["default"] = copy
    try:
        yield
    finally:
        copy.close()
        connections["default"] = memory


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_other_writers_get_their_turn_during_a_long_import(tmp_path: Path) -> None:
    if connections["default"].vendor != "sqlite":
        pytest.skip("SQLite's single write lock; PostgreSQL locks rows")
    path = tmp_path / "site.sqlite3"
    total = 1000
    done = {"rows": 0}
    probe: dict[str, Any] = {}

    def other_writer() -> None:
        # Another request of the site: its own connection, waiting for the lock as the
        # site's connections do.
        try:
            with sqlite3.connect(path, timeout=PROBE_WAIT) as other:
                other.execute("CREATE TABLE probe (x INTEGER)")
                other.execute("INSERT INTO probe VALUES (1)")
            probe["written_after_rows"] = done["rows"]
        except sqlite3.OperationalError as exc:
            probe["error"] = str(exc)

    thread = threading.Thread(target=other_writer)

    def progress(n: int) -> None:
        done["rows"] += n
        if done["rows"] == 150:  # in the middle of the import's second hundred rows
            thread.start()

    with sqlite_file_copy(path):
        summary = _import(_rows(total), progress=progress)
        thread.join()
        imported = Organization.objects.count()

    assert "error" not in probe, probe  # before: "database is locked"
    assert probe["written_after_rows"] < total  # while the import was still going on
    assert (summary.created, imported) == (total, total)


def _fails_on_line(line: int) -> None:
    write, record_kind = writers.WRITERS["organizations"]

    def failing(values: dict[str, Any], at: int, ctx: writers.Context, summary: Summary) -> str:
        if at == line:
            raise RuntimeError("disk full")
        return write(values, at, ctx, summary)

    writers.WRITERS["organizations"] = (failing, record_kind)


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(domain, "CHUNK_ROWS", 2)
    saved = dict(writers.WRITERS)
    yield
    writers.WRITERS.update(saved)


def test_a_failure_in_the_last_chunk_leaves_the_database_as_it_was(
    personas: Personas, small_chunks: None
) -> None:
    before = _state()
    rows = [
        ["甲机构", "", "医院"],  # updates Org A (its kind; the name stays)
        *_rows(4),
        [personas.org_b.name_zh, "Org B Renamed", "医院"],  # updates Org B, adds an alias
        *_rows(3)[1:],  # chunk 5 of 5: the last row fails
    ]
    _fails_on_line(len(rows) + 1)

    with pytest.raises(RuntimeError, match="disk full"):
        _import(rows)

    assert _state() == before
    assert not AuditEntry.objects.filter(verb="import.table").exists()


def test_all_or_nothing_undoes_every_chunk_when_its_last_row_is_found_bad_on_writing(
    personas: Personas, small_chunks: None
) -> None:
    before = _state()
    # Good cells, but the names are of two different organizations: only the writer sees it.
    ambiguous = [personas.org_a.name_zh, personas.org_b.name_en, "企业"]
    rows = [["乙机构", "", "医院"], *_rows(6), ambiguous]  # updates Org B, creates six

    summary = _import(rows, mode="all")

    assert summary.refused and summary.created == 0
    assert [e.line for e in summary.errors] == [len(rows) + 1]
    assert _state() == before


def test_a_record_edited_during_the_import_keeps_that_edit_and_is_reported(
    personas: Personas, small_chunks: None
) -> None:
    write, record_kind = writers.WRITERS["organizations"]

    def someone_edits_org_b_meanwhile(
        values: dict[str, Any], line: int, ctx: writers.Context, summary: Summary
    ) -> str:
        if line == 5:  # the import changed Org B on line 2, two chunks ago
            Organization.objects.filter(pk=personas.org_b.pk).update(
                city="绵阳市", version=F("version") + 1
            )
        return write(values, line, ctx, summary)

    writers.WRITERS["organizations"] = (someone_edits_org_b_meanwhile, record_kind)
    ambiguous = [personas.org_a.name_zh, personas.org_b.name_en, "企业"]

    summary = _import([["乙机构", "", "医院"], *_rows(3), ambiguous], mode="all")
    org_b = Organization.objects.get(pk=personas.org_b.pk)

    assert summary.refused
    assert [e.line for e in summary.errors] == [6, 2]
    assert "乙机构" in summary.errors[1].reason
    assert (org_b.city, org_b.kind) == ("绵阳市", "hospital")  # the edit, on the import's
    assert Organization.objects.count() == 2


def test_all_or_nothing_refuses_bad_cells_before_writing_anything(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(domain, "write_chunk", None)  # never reached

    summary = _import(_rows(5, bad=(1, 4)), mode="all")

    assert summary.refused and [e.line for e in summary.errors] == [3, 6]
    assert summary.skipped == 3


def test_a_partners_proposals_are_put_back_when_the_import_is_undone(
    personas: Personas, small_chunks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    published = ClinicalNeedFactory(
        organization=personas.org_a, title_zh="术中出血监测", status="published"
    )
    ClinicalNeedFactory(organization=personas.org_a, title_zh="床旁快检", status="published")
    before = _state()
    rows = [
        [published.title_zh, "新的问题描述", "甲机构"],  # a proposal for review: published
        ["床旁快检", "另一个描述", "甲机构"],  # a second one
        ["新需求", "问题", "甲机构"],  # created, pending review
        ["别人的需求", "问题", "乙机构"],  # not the partner's organization: found on writing
    ]
    undone: list[str] = []

    def undo(journal: Journal) -> list[tuple[int, str]]:
        undone.extend(entry[0] for entry in journal.entries)
        return real_undo(journal)

    real_undo = domain.undo
    monkeypatch.setattr(domain, "undo", undo)
    summary = domain.import_table(
        actor=personas.partner_a,
        kind="needs",
        table=tables.Table(
            headers=["标题", "问题", "机构"],
            rows=[(line, cells) for line, cells in enumerate(rows, start=2)],
        ),
        mapping=["title_zh", "problem", "organization"],
        mode="all",
    )

    assert summary.refused and [e.line for e in summary.errors] == [5]
    assert sorted(undone) == ["created", "revision", "revision"]
    assert _state() == before


def test_a_dry_run_commits_no_chunk(personas: Personas, small_chunks: None) -> None:
    before = _state()

    summary = _import(_rows(5), dry_run=True)

    assert summary.created == 5
    assert _state() == before


def test_an_all_or_nothing_run_undoes_its_committed_chunks_even_after_a_takeover(
    personas: Personas, settings, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(runs, "MIN_CHUNK", 1)
    monkeypatch.setattr(runs, "CHUNKS", 4)  # two rows per chunk
    before = _state()
    ambiguous = [personas.org_a.name_zh, personas.org_b.name_en, "企业"]
    run = _queued(personas.staff, [["乙机构", "", "医院"], *_rows(6), ambiguous], settings, "all")
    real = domain.import_rows
    calls = {"n": 0}

    def dies_in_third_chunk(**kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise WorkerDied
        real(**kwargs)

    monkeypatch.setattr(domain, "import_rows", dies_in_third_chunk)
    with pytest.raises(WorkerDied):
        runs.execute(run.pk)
    run.refresh_from_db()
    after_death = (run.rows_done, len(run.journal), Organization.objects.count())
    ImportRun.objects.filter(pk=run.pk).update(claimed_at=None, status="queued")

    taken_over = runs.execute(run.pk)
    run.refresh_from_db()

    assert after_death == (4, 4, 2 + 3)  # two chunks committed: an update, three created
    assert taken_over == "done"
    assert (run.status, run.refused, run.created, run.journal) == ("done", True, 0, [])
    assert [e["line"] for e in run.errors] == [9]
    assert _state() == before


def test_a_failed_all_or_nothing_run_is_undone_and_starts_over_when_resumed(
    personas: Personas, settings, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(runs, "MIN_CHUNK", 1)
    monkeypatch.setattr(runs, "CHUNKS", 3)
    before = _state()
    run = _queued(personas.staff, _rows(6), settings, "all")
    _fails_on_line(7)
    try:
        failed = runs.execute(run.pk)
    finally:
        writers.WRITERS["organizations"] = (writers.write_organization, "organization")
    run.refresh_from_db()
    failure = (run.status, run.rows_done, run.created, run.journal)
    state_after_failure = _state()
    assert "disk full" in run.failure
    assert runs.resume(actor=personas.staff, run=run)

    again = runs.execute(run.pk)
    run.refresh_from_db()

    assert (failed, failure) == ("failed", ("failed", 0, 0, []))
    assert state_after_failure == before
    assert again == "done"
    assert (run.status, run.created, Organization.objects.count()) == ("done", 6, 2 + 6)


def test_the_import_page_says_what_all_or_nothing_costs(personas: Personas, tmp_path: Path) -> None:
    client = client_for(personas.staff)
    url = _upload_and_map(client, tmp_path, _rows(2))

    zh = client.post(url, {f"col_{i}": key for i, key in enumerate(MAPPING)}).content.decode()
    client.cookies["django_language"] = "en"
    en = client.post(url, {f"col_{i}": key for i, key in enumerate(MAPPING)}).content.decode()

    assert 'data-testid="all-or-nothing-cost"' in zh and "分小批写入" in zh
    assert "written in small steps" in en
