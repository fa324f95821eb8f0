"""The ingest app's writes: import a table, import a ClinicalTrials.gov export, merge two
organizations. Keyword-only arguments, an explicit actor (None = the system, for the CLI), one
transaction and one audit entry each (imports: only when something was committed).

Import modes: "good" writes every good row and reports the bad ones; "all" (all or nothing)
writes nothing when any row is bad. A dry run does the whole import and rolls it back, so its
report is exactly what a real run would do.
"""

from __future__ import annotations

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.accounts.rules import is_staff
from luodi.catalog.models import Organization
from luodi.ingest import ctgov, merge, tables, writers
from luodi.ingest.ctgov import Progress
from luodi.ingest.rules import may_import_kind
from luodi.ingest.summary import Summary

Mode = Literal["good", "all"]


def _check_actor_may(actor: User | None, allowed: bool) -> None:
    if actor is not None and not allowed:
        raise PermissionDenied


def import_table(
    *,
    actor: User | None,
    kind: str,
    table: tables.Table,
    mapping: list[str],
    mode: Mode = "good",
    dry_run: bool = False,
    ip: str | None = None,
    progress: Progress | None = None,
) -> Summary:
    """Import the rows of `table` as `kind` records. The mapping must pass check_mapping."""
    _check_actor_may(actor, actor is None or bool(may_import_kind(actor, kind)))
    problems = tables.check_mapping(kind, mapping)
    if problems:
        raise ValueError(" ".join(problems))
    summary = Summary(kind=kind, dry_run=dry_run, rows=len(table.rows))
    with transaction.atomic():
        ctx = writers.Context(actor=actor, resolver=tables.Resolver.load())
        import_rows(
            ctx=ctx, kind=kind, mapping=mapping, rows=table.rows, summary=summary, progress=progress
        )
        if mode == "all" and summary.errors:
            summary.refuse()
            transaction.set_rollback(True)
        elif dry_run:
            transaction.set_rollback(True)
        else:
            record_import(actor=actor, summary=summary, ip=ip)
    return summary


def import_rows(
    *,
    ctx: writers.Context,
    kind: str,
    mapping: list[str],
    rows: list[tuple[int, list[str]]],
    summary: Summary,
    progress: Progress | None = None,
) -> None:
    """Clean and write `rows` into `summary`, one savepoint per row, in the caller's
    transaction: the whole file for `import_table`, one chunk at a time for a run
    (runs.py). `ctx` carries what earlier rows taught (in-file duplicates, new names)."""
    write, record_kind = writers.WRITERS[kind]
    for line, cells in rows:
        if progress is not None:
            progress(1)
        values, reasons = tables.clean_row(kind, mapping, cells, ctx.resolver)
        if reasons:
            summary.error(line, "; ".join(reasons))
            continue
        try:
            with transaction.atomic():
                outcome = write(values, line, ctx, summary)
        except writers.RowRejected as exc:
            summary.error(line, exc.reason)
            continue
        except DatabaseError as exc:  # a constraint the cleaning did not foresee
            summary.error(line, str(exc))
            continue
        summary.count(record_kind, outcome)


def record_import(*, actor: User | None, summary: Summary, ip: str | None = None) -> None:
    """The one audit entry of a committed table import."""
    audit.record(
        actor=actor,
        verb="import.table",
        changes=summary.audit_changes(),
        ip=ip,
        actor_label="" if actor else "system",
    )


def import_ctgov(
    *,
    actor: User | None,
    text: str,
    dry_run: bool = False,
    ip: str | None = None,
    progress: Progress | None = None,
) -> Summary:
    """Import a ClinicalTrials.gov CSV export (either format). Raises ctgov.CtgovError when the
    text is not such an export; malformed rows are reported in the summary."""
    _check_actor_may(actor, actor is None or bool(is_staff(actor)))
    trials, errors = ctgov.parse(text, progress)
    summary = Summary(kind="ctgov", dry_run=dry_run, rows=len(trials) + len(errors))
    for line, reason in errors:
        summary.error(line, reason)
    with transaction.atomic():
        ctgov.load(trials, summary)
        if dry_run:
            transaction.set_rollback(True)
        else:
            audit.record(
                actor=actor,
                verb="import.ctgov",
                changes=summary.audit_changes(),
                ip=ip,
                actor_label="" if actor else "system",
            )
    return summary


def merge_organizations(
    *, actor: User | None, target: Organization, source: Organization, ip: str | None = None
) -> dict[str, int]:
    """Merge `source` (B) into `target` (A); see ingest.merge. Raises merge.MergeError."""
    _check_actor_may(actor, actor is None or bool(is_staff(actor)))
    with transaction.atomic():
        target = Organization.objects.select_for_update().get(pk=target.pk)
        source = Organization.objects.select_for_update().get(pk=source.pk)
        moved = merge.merge(target=target, source=source)
        audit.record(
            actor=actor,
            verb="organization.merge",
            target=target,
            ip=ip,
            actor_label="" if actor else "system",
            changes={"merged": {"id": source.pk, "name": str(source)}, "moved": moved},
        )
    return moved
