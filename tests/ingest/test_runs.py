"""Large confirmed imports run as the `ingest.run_import` job (luodi/ingest/runs.py)."""

from __future__ import annotations

import os
import random
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from django_q.models import Schedule

from luodi.accounts.domain import create_api_token
from luodi.accounts.models import AuditEntry, User
from luodi.catalog.models import Organization
from luodi.ingest import domain, pending, runs, tables
from luodi.ingest.models import ImportRun
from luodi.jobs.core import registered
from tests.conftest import Personas, client_for
from tests.ingest.conftest import write_xlsx
from tests.jobs_util import run_queued_jobs

HTMX = {"HTTP_HX_REQUEST": "true"}
HEADERS = ["名称", "English name", "类型"]
MAPPING = ["name_zh", "name_en", "kind"]


class WorkerDied(BaseException):
    """Stands for SIGKILL: nothing in the job catches it."""


def _name(i: int) -> str:
    # Six random CJK characters: names this different are never "possible duplicates".
    rng = random.Random(i)
    return "".join(chr(0x4E00 + rng.randrange(8000)) for _ in range(6))


def _rows(n: int, bad: tuple[int, ...] = ()) -> list[list[object]]:
    """n organizations; the rows numbered in `bad` (0-based) have an unknown kind."""
    return [[_name(i), "", "外星人" if i in bad else "企业"] for i in range(n)]


def _pending(user: User, rows: list[list[object]]) -> pending.Pending:
    table = tables.Table(
        headers=HEADERS,
        rows=[(line, [str(c) for c in cells]) for line, cells in enumerate(rows, start=2)],
        filename="机构.xlsx",
    )
    return pending.save(user_id=user.pk, kind="organizations", table=table, mapping=MAPPING)


def _queued(user: User, rows: list[list[object]], settings, mode: domain.Mode = "good"):  # type: ignore[no-untyped-def]
    settings.LUODI_JOBS_SYNC = False  # queue only; the test runs the job when it wants
    return runs.queue_import(actor=user, item=_pending(user, rows), mode=mode)


def _upload_and_map(client, tmp_path: Path, rows: list[list[object]]) -> str:  # type: ignore[no-untyped-def]
    data = write_xlsx(tmp_path / "机构.xlsx", [HEADERS, *rows]).read_bytes()
    url = client.post(
        "/import/", {"kind": "organizations", "file": SimpleUploadedFile("机构.xlsx", data)}
    )["Location"]
    client.post(url, {f"col_{i}": key for i, key in enumerate(MAPPING)}, **HTMX)
    return str(url)


def test_small_import_stays_inline(personas: Personas, tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.LUODI_IMPORT_INLINE_ROWS = 5
    client = client_for(personas.staff)
    url = _upload_and_map(client, tmp_path, _rows(5))

    response = client.post(f"{url}run/", {"mode": "good"}, **HTMX)

    assert 'data-testid="result"' in response.content.decode()
    assert (ImportRun.objects.count(), Organization.objects.count()) == (0, 7)


def test_large_import_is_queued_then_polled_until_done(
    personas: Personas, tmp_path: Path, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.LUODI_IMPORT_INLINE_ROWS = 5
    settings.LUODI_JOBS_SYNC = False
    client = client_for(personas.staff)
    url = _upload_and_map(client, tmp_path, _rows(8, bad=(2,)))

    response = client.post(f"{url}run/", {"mode": "good"}, **HTMX)
    run = ImportRun.objects.get()
    queued = client.get(f"/import/runs/{run.pk}/").content.decode()
    ran = run_queued_jobs()
    done = client.get(f"/import/runs/{run.pk}/", **HTMX).content.decode()
    recent = client.get("/import/").content.decode()
    run.refresh_from_db()

    assert response["HX-Redirect"] == f"/import/runs/{run.pk}/"
    assert 'hx-trigger="every 1s"' in queued and 'data-status="queued"' in queued
    assert ran == 1
    assert "hx-trigger" not in done and 'data-testid="result"' in done
    assert "<td>4</td>" in done  # the bad row, as the spreadsheet numbers it
    assert (run.status, run.progress, run.rows_done) == ("done", 100, 8)
    assert (run.created, run.updated, run.skipped) == (7, 0, 0)
    assert run.errors[0]["line"] == 4 and "外星人" in run.errors[0]["reason"]
    assert Organization.objects.count() == 2 + 7
    assert AuditEntry.objects.filter(verb="import.table").count() == 1
    assert client.get(url).status_code == 404  # done: the pending upload is gone
    assert f'<a href="/import/runs/{run.pk}/">机构.xlsx</a>' in recent


def test_a_second_click_finds_the_queued_run(personas: Personas, tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.LUODI_IMPORT_INLINE_ROWS = 1
    settings.LUODI_JOBS_SYNC = False
    client = client_for(personas.staff)
    url = _upload_and_map(client, tmp_path, _rows(3))

    first = client.post(f"{url}run/", {"mode": "good"})
    second = client.post(f"{url}run/", {"mode": "good"})

    assert first["Location"] == second["Location"]
    assert ImportRun.objects.count() == 1


def test_a_redelivered_job_imports_nothing_twice(personas: Personas, settings) -> None:  # type: ignore[no-untyped-def]
    run = _queued(personas.staff, _rows(6), settings)

    first = runs.execute(run.pk)
    again = runs.execute(run.pk)
    run.refresh_from_db()

    assert (first, again) == ("done", "nothing to do")
    assert (run.created, Organization.objects.count()) == (6, 8)
    assert AuditEntry.objects.filter(verb="import.table").count() == 1


def test_a_run_held_by_a_live_worker_is_left_alone_and_looked_at_later(
    personas: Personas, settings
) -> None:  # type: ignore[no-untyped-def]
    run = _queued(personas.staff, _rows(3), settings)
    assert runs.claim(run.pk) is not None  # another worker has it

    outcome = runs.execute(run.pk)

    assert outcome == "held by another worker"
    assert Organization.objects.count() == 2
    later = Schedule.objects.get(name__startswith="ingest.run_import")
    assert later.next_run > timezone.now() + timedelta(seconds=runs.stale_after() - 5)


def test_a_dead_workers_run_is_taken_over_and_resumes_after_its_last_chunk(
    personas: Personas, settings, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(runs, "MIN_CHUNK", 1)
    monkeypatch.setattr(runs, "CHUNKS", 6)  # one row per chunk
    run = _queued(personas.staff, _rows(6, bad=(4,)), settings)
    real = domain.import_rows
    calls = {"n": 0}

    def dies_in_third_chunk(**kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise WorkerDied
        real(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(domain, "import_rows", dies_in_third_chunk)
    with pytest.raises(WorkerDied):
        runs.execute(run.pk)
    run.refresh_from_db()
    after_death = (run.status, run.rows_done, run.created, Organization.objects.count())
    retry_too_soon = runs.execute(run.pk)
    ImportRun.objects.filter(pk=run.pk).update(
        claimed_at=timezone.now() - timedelta(seconds=runs.stale_after() + 5)
    )

    taken_over = runs.execute(run.pk)
    run.refresh_from_db()

    assert after_death == ("running", 2, 2, 4)
    assert retry_too_soon == "held by another worker"
    assert taken_over == "done"
    assert (run.status, run.rows_done, run.created) == ("done", 6, 5)
    assert [e["line"] for e in run.errors] == [6]
    assert Organization.objects.count() == 2 + 5  # every good row once


def test_a_worker_that_lost_its_claim_commits_nothing(
    personas: Personas, settings, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    run = _queued(personas.staff, _rows(3), settings)
    real = domain.import_rows

    def taken_over_meanwhile(**kwargs: object) -> None:
        real(**kwargs)  # type: ignore[arg-type]
        ImportRun.objects.filter(pk=run.pk).update(claim="someone-else")

    monkeypatch.setattr(domain, "import_rows", taken_over_meanwhile)
    outcome = runs.execute(run.pk)
    run.refresh_from_db()

    assert outcome == "claim lost"
    assert (run.status, run.rows_done, run.created) == ("running", 0, 0)
    assert Organization.objects.count() == 2  # the chunk rolled back with the claim check


def test_all_or_nothing_run_refuses_then_takes_the_good_rows(
    personas: Personas, tmp_path: Path, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.LUODI_IMPORT_INLINE_ROWS = 3
    client = client_for(personas.staff)
    url = _upload_and_map(client, tmp_path, _rows(5, bad=(1, 3)))

    refused = client.post(f"{url}run/", {"mode": "all"})
    first = ImportRun.objects.get()
    page = client.get(refused["Location"]).content.decode()
    taken = client.post(f"{url}run/", {"mode": "good"})
    second = ImportRun.objects.exclude(pk=first.pk).get()

    assert (first.status, first.refused, first.created, first.skipped) == ("done", True, 0, 3)
    assert 'data-testid="refused"' in page and f'action="{url}run/"' in page
    assert taken["Location"] == f"/import/runs/{second.pk}/"
    assert (second.status, second.created, len(second.errors)) == ("done", 3, 2)
    assert Organization.objects.count() == 2 + 3


def test_failed_run_shows_the_reason_and_resumes(
    personas: Personas, settings, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    run = _queued(personas.staff, _rows(4), settings)

    def broken(**kwargs: object) -> None:
        raise RuntimeError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(domain, "import_rows", broken)
        first = run_queued_jobs()
    client = client_for(personas.staff)
    failed = client.get(f"/import/runs/{run.pk}/").content.decode()
    resumed = client.post(f"/import/runs/{run.pk}/resume/")
    again = run_queued_jobs()
    run.refresh_from_db()

    assert 'data-testid="run-failed"' in failed and "disk full" in failed
    assert (first, resumed.status_code, again) == (1, 302, 1)
    assert (run.status, run.failure, run.created) == ("done", "", 4)


def test_run_of_an_expired_upload_fails_with_a_reason(personas: Personas, settings) -> None:  # type: ignore[no-untyped-def]
    with translation.override("zh-hans"):
        run = _queued(personas.staff, _rows(2), settings)
    pending.discard(run.pending_token)

    with translation.override("en"):  # the worker's own language does not matter
        runs.execute(run.pk)
    run.refresh_from_db()

    assert run.status == "failed"
    assert "上传" in run.failure  # in the language of the request that queued it


def test_runs_are_private_to_their_user(personas: Personas, settings) -> None:  # type: ignore[no-untyped-def]
    run = _queued(personas.partner_a, [["张三"]], settings)
    other = client_for(personas.partner_b)

    assert other.get(f"/import/runs/{run.pk}/").status_code == 404
    assert other.post(f"/import/runs/{run.pk}/resume/").status_code == 404
    assert other.get(f"/api/ingest/runs/{run.pk}").status_code == 404
    assert client_for(personas.partner_a).get(f"/import/runs/{run.pk}/").status_code == 200


def _bearer(user: User) -> dict[str, str]:
    # Write scope: these calls import (POST).
    _token, raw = create_api_token(actor=user, name="test", scope="write")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_api_queues_a_large_import_and_reports_its_status(
    personas: Personas, tmp_path: Path, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.LUODI_IMPORT_INLINE_ROWS = 3
    data = write_xlsx(tmp_path / "orgs.xlsx", [HEADERS, *_rows(4, bad=(0,))]).read_bytes()
    client, auth = client_for(None), _bearer(personas.staff)

    def post(**fields: str):  # type: ignore[no-untyped-def]
        upload = SimpleUploadedFile("orgs.xlsx", data)
        return client.post(
            "/api/ingest/table", {"kind": "organizations", "file": upload, **fields}, **auth
        )

    dry = post(dry_run="true")
    queued = post()
    status = client.get(queued.json()["url"], **auth)

    assert (dry.status_code, dry.json()["created"], ImportRun.objects.count()) == (200, 3, 1)
    assert queued.status_code == 202
    assert status.status_code == 200
    body = status.json()
    assert (body["status"], body["created"], body["progress"]) == ("done", 3, 100)
    assert body["errors"][0]["line"] == 2


def test_cleanup_removes_old_pending_files_on_the_filesystem(
    personas: Personas, settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    old = _pending(personas.staff, _rows(1))
    fresh = _pending(personas.staff, _rows(1))
    path = tmp_path / "media" / "imports" / "pending" / f"{old.token}.json"
    two_days_ago = time.time() - 2 * 86400
    os.utime(path, (two_days_ago, two_days_ago))

    removed = pending.cleanup()

    assert removed == 1
    assert not path.exists()
    assert pending.load(fresh.token, personas.staff.pk) is not None
    assert registered()["ingest.cleanup_pending"].daily_at == "04:00"
