"""The ingest app's writes: import a table, import a ClinicalTrials.gov export, merge two
organizations. Keyword-only arguments, an explicit actor, or
`system=True` and no actor for the system (the CLI without --user, tests), and
one audit entry each (imports: only when something was committed).

Import modes: "good" writes every good row and reports the bad ones; "all" (all or nothing)
writes nothing when any row is bad. A dry run does the whole import and rolls it back, so its
report is exactly what a real run would do.

Table imports write in chunks of CHUNK_ROWS rows, each chunk its own short transaction.
SQLite has one writer at a time: an import in one transaction (20,000 rows took 76 s) held
the write lock so long that every other write of the site failed with "database is locked"
(issue #16). Between two chunks other writers get their turn.

All or nothing without one long transaction (the choice and its cost):
1. every row is cleaned first, writing nothing: when any cell is bad, the import is refused
   with every bad row and its reason, and nothing was written or locked;
2. the rows are then written chunk by chunk, and each write is recorded in a journal
   (journal.py). When a row turns out bad only on writing (a check that needs the database:
   an ambiguous match, a record's own validation) or the import fails with an error, every
   recorded write is undone — the created records deleted, the updated ones written back —
   so the database is as it was, though not in one atomic step.
The cost: while an import that will be undone runs, others may briefly see its records; a
record someone edits during that time keeps their edit (and is reported) instead of being
written back; proposals for review keep their audit entries; and an inline import whose
process is killed outright (not an error) keeps the chunks it committed — a queued run
(runs.py) keeps its journal in its row and is undone or finished by the worker that takes
it over. A dry run writes each chunk and rolls it back, so it never commits anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.catalog.models import Organization
from luodi.ingest import ctgov, merge, tables, writers
from luodi.ingest.ctgov import Progress
from luodi.ingest.journal import Journal, undo
from luodi.ingest.rules import may_import_ctgov, may_import_kind, may_merge_organizations
from luodi.ingest.summary import Summary
from luodi.retrieval import signals as index_signals

Mode = Literal["good", "all"]


def _check_actor_may(actor: User | None, system: bool, allowed: Callable[[User], object]) -> None:
    """The system (`system=True`, no actor) needs no permission; a person needs `allowed`.
    A missing actor is never taken for the system: without `system=True` it is refused."""
    if system:
        if actor is not None:
            raise ValueError("a system write has no actor")
        return
    if actor is None or not allowed(actor):
        raise PermissionDenied


CHUNK_ROWS = 100  # rows per transaction: about 0.4 s of writing at the measured 3.8 ms a row


def chunked(
    rows: list[tuple[int, list[str]]], size: int | None = None
) -> Iterator[list[tuple[int, list[str]]]]:
    size = size or CHUNK_ROWS
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def check_rows(
    *, kind: str, mapping: list[str], rows: list[tuple[int, list[str]]], summary: Summary
) -> bool:
    """Clean every row without writing anything; report the bad ones. Whether all are good."""
    resolver = tables.Resolver.load()
    good = True
    for line, cells in rows:
        _values, reasons = tables.clean_row(kind, mapping, cells, resolver)
        if reasons:
            summary.error(line, "; ".join(reasons))
            good = False
    return good


def import_table(
    *,
    actor: User | None,
    system: bool = False,
    kind: str,
    table: tables.Table,
    mapping: list[str],
    mode: Mode = "good",
    dry_run: bool = False,
    ip: str | None = None,
    progress: Progress | None = None,
) -> Summary:
    """Import the rows of `table` as `kind` records. The mapping must pass check_mapping.

    Chunks of CHUNK_ROWS rows, each in its own transaction; a failure undoes what the
    earlier chunks committed (see the module's docstring) and is raised again."""
    _check_actor_may(actor, system, lambda user: may_import_kind(user, kind))
    problems = tables.check_mapping(kind, mapping, system=system)
    if problems:
        raise ValueError(" ".join(problems))
    summary = Summary(kind=kind, dry_run=dry_run, rows=len(table.rows))
    if mode == "all" and not check_rows(
        kind=kind, mapping=mapping, rows=table.rows, summary=summary
    ):
        summary.refuse()
        return summary
    ctx = writers.Context(
        actor=actor,
        system=system,
        resolver=tables.Resolver.load(),
        journal=None if dry_run else Journal(),
    )
    try:
        for chunk in chunked(table.rows):
            write_chunk(
                ctx=ctx,
                kind=kind,
                mapping=mapping,
                rows=chunk,
                summary=summary,
                progress=progress,
                rollback=dry_run,
            )
        if mode == "all" and summary.errors:
            left = undo(ctx.journal) if ctx.journal is not None else []
            summary.refuse()
            for line, reason in left:
                summary.error(line, reason)
        elif not dry_run:
            with transaction.atomic():
                record_import(actor=actor, summary=summary, ip=ip)
    except Exception:
        if ctx.journal is not None:
            undo(ctx.journal)  # a failed import leaves the database as it was
        raise
    return summary


def write_chunk(
    *,
    ctx: writers.Context,
    kind: str,
    mapping: list[str],
    rows: list[tuple[int, list[str]]],
    summary: Summary,
    progress: Progress | None = None,
    rollback: bool = False,
    then: Callable[[], None] | None = None,
) -> None:
    """One transaction: `rows` written (or rolled back, for a dry run), then `then` (a run
    commits its counters with its rows). When it fails, its journal entries go with it."""
    mark = ctx.journal.mark() if ctx.journal is not None else 0
    ctx.titles.clear()
    try:
        with transaction.atomic():
            # The chunk's index requests are written once, at its end (retrieval.signals).
            with index_signals.batched():
                import_rows(
                    ctx=ctx,
                    kind=kind,
                    mapping=mapping,
                    rows=rows,
                    summary=summary,
                    progress=progress,
                )
            if then is not None:
                then()
            if rollback:
                transaction.set_rollback(True)
    except BaseException:
        if ctx.journal is not None:
            ctx.journal.forget_after(mark)
        raise


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
    transaction (one chunk, see write_chunk). `ctx` carries what earlier rows taught
    (in-file duplicates, new names) and the journal of what was written."""
    write, record_kind = writers.WRITERS[kind]
    journal = ctx.journal
    for line, cells in rows:
        if progress is not None:
            progress(1)
        values, reasons = tables.clean_row(kind, mapping, cells, ctx.resolver)
        if reasons:
            summary.error(line, "; ".join(reasons))
            continue
        mark = 0
        if journal is not None:
            mark, journal.line = journal.mark(), line
        try:
            with transaction.atomic():
                outcome = write(values, line, ctx, summary)
        except writers.RowRejected as exc:
            summary.error(line, exc.reason)
        except DatabaseError as exc:  # a constraint the cleaning did not foresee
            summary.error(line, str(exc))
        else:
            summary.count(record_kind, outcome)
            continue
        if journal is not None:  # the row's savepoint rolled its writes back
            journal.forget_after(mark)


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
    system: bool = False,
    text: str,
    dry_run: bool = False,
    ip: str | None = None,
    progress: Progress | None = None,
) -> Summary:
    """Import a ClinicalTrials.gov CSV export (either format). Raises ctgov.CtgovError when the
    text is not such an export; malformed rows are reported in the summary."""
    _check_actor_may(actor, system, may_import_ctgov)
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
    *,
    actor: User | None,
    system: bool = False,
    target: Organization,
    source: Organization,
    ip: str | None = None,
) -> dict[str, int]:
    """Merge `source` (B) into `target` (A); see ingest.merge. Raises merge.MergeError."""
    _check_actor_may(actor, system, may_merge_organizations)
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
