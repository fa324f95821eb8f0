"""Import API: spreadsheet imports (with dry run) and ClinicalTrials.gov exports (staff).

Both answer the import summary {"created", "updated", "skipped", "errors": [{"line",
"reason"}], ...}; a large table import answers 202 with a run to poll (`/runs/{id}`). A file
that cannot be used is a 400/413/422 in the API's error shape.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.errors import ApiError
from luodi.ingest import domain, pending, runs, tables
from luodi.ingest.ctgov import CtgovError
from luodi.ingest.fields import FIELDS
from luodi.ingest.forms import check_upload
from luodi.ingest.models import ImportRun
from luodi.ingest.rules import import_runs_visible_to, may_import_kind

router = Router(tags=["ingest"])


class RowErrorOut(Schema):
    line: int
    reason: str


class DuplicateOut(Schema):
    line: int
    name: str
    existing_id: int | None
    existing: str
    reason: str


class SummaryOut(Schema):
    kind: str
    dry_run: bool
    refused: bool
    rows: int
    created: int
    updated: int
    skipped: int
    errors: list[RowErrorOut]
    duplicates: list[DuplicateOut]
    by_kind: dict[str, dict[str, int]]


class ImportRunOut(Schema):
    """A confirmed import of more than LUODI_IMPORT_INLINE_ROWS rows, done by a job."""

    id: int
    kind: str
    mode: str
    filename: str
    status: Literal["queued", "running", "done", "failed"]
    progress: int
    rows: int
    rows_done: int
    created: int
    updated: int
    skipped: int
    refused: bool
    errors: list[RowErrorOut]
    duplicates: list[DuplicateOut]
    by_kind: dict[str, dict[str, int]]
    failure: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    url: str


def _run_out(run: ImportRun) -> dict[str, Any]:
    return {
        **{name: getattr(run, name) for name in ImportRunOut.model_fields if name != "url"},
        "url": reverse("api:import_run", args=[run.pk]),
    }


def _read(file: UploadedFile, suffixes: tuple[str, ...]) -> bytes:
    try:
        return check_upload(file, suffixes)
    except forms.ValidationError as exc:
        status = 413 if exc.code == "too_large" else 400
        message = " ".join(exc.messages)
        raise ApiError(status, "bad_file", message, {"file": [message]}) from exc


@router.post("/table", response={200: SummaryOut, 202: ImportRunOut})
def import_table(
    request: HttpRequest,
    file: File[UploadedFile],
    kind: Form[str],
    dry_run: Form[bool] = False,
    mode: Form[Literal["good", "all"]] = "good",
    mapping: Form[str | None] = None,
) -> dict[str, Any] | Status[dict[str, Any]]:
    """Import an .xlsx or .csv file of organizations, people, achievements, needs, or the
    monthly figures of landed projects (`kind`: organizations, people, achievements, needs,
    figures; the kinds of other apps are registered at start-up).

    `mapping` is a JSON list with one field key per column ("" skips the column); without it
    the columns are mapped from their headers. `mode` "all" writes nothing if any row is bad.
    A file of more rows than the server's inline limit (LUODI_IMPORT_INLINE_ROWS, 2000 by
    default) is imported by a background job unless `dry_run`: the answer is then 202 with
    the run, whose `url` answers its status until it is done or failed.
    """
    user = request_user(request)
    if kind not in FIELDS:
        message = "Not a kind of import: " + ", ".join(FIELDS) + "."
        raise ApiError(422, "invalid", "The request has invalid fields.", {"kind": [message]})
    if not may_import_kind(user, kind):
        raise PermissionDenied
    raw = _read(file, (".xlsx", ".csv"))
    try:
        table = tables.read_table(file.name or "", raw)
    except tables.TableError as exc:
        raise ApiError(400, "bad_file", str(exc), {"file": [str(exc)]}) from exc
    columns = tables.suggest_mapping(kind, table)
    if mapping:
        try:
            parsed = json.loads(mapping)
            if not isinstance(parsed, list):
                raise TypeError
            columns = [str(m or "") for m in parsed]
        except (ValueError, TypeError) as exc:
            raise ApiError(
                422,
                "invalid",
                "mapping must be a JSON list of field keys.",
                {"mapping": ["a JSON list"]},
            ) from exc
    problems = tables.check_mapping(kind, columns)
    if problems:
        raise ApiError(422, "invalid_mapping", " ".join(problems), {"mapping": problems})
    if not dry_run and len(table.rows) > settings.LUODI_IMPORT_INLINE_ROWS:
        item = pending.save(user_id=user.pk, kind=kind, table=table, mapping=columns)
        run = runs.queue_import(actor=user, item=item, mode=mode, ip=audit.client_ip(request))
        return Status(202, _run_out(run))
    summary = domain.import_table(
        actor=user,
        kind=kind,
        table=table,
        mapping=columns,
        mode=mode,
        dry_run=dry_run,
        ip=audit.client_ip(request),
    )
    return summary.as_dict()


@router.get("/runs/{run_id}", response=ImportRunOut, url_name="import_run")
def import_run(request: HttpRequest, run_id: int) -> dict[str, Any]:
    """Status and, once done, the result of a queued import (only its own user sees it)."""
    return _run_out(get_object_or_404(import_runs_visible_to(request_user(request)), pk=run_id))


@router.post("/ctgov", response=SummaryOut)
def import_ctgov(
    request: HttpRequest, file: File[UploadedFile], dry_run: Form[bool] = False
) -> dict[str, Any]:
    """Import a ClinicalTrials.gov CSV export (staff)."""
    user = request_user(request)
    if not user.has_perm("ingest.import_ctgov"):
        raise PermissionDenied
    raw = _read(file, (".csv",))
    try:
        text = raw.decode("utf-8-sig")
        summary = domain.import_ctgov(
            actor=user, text=text, dry_run=dry_run, ip=audit.client_ip(request)
        )
    except UnicodeDecodeError as exc:
        raise ApiError(400, "bad_file", "The file is not UTF-8 text.") from exc
    except CtgovError as exc:
        raise ApiError(400, "bad_file", str(exc), {"file": [str(exc)]}) from exc
    return summary.as_dict()
