"""Confirmed table imports too large for one request (more rows than
`LUODI_IMPORT_INLINE_ROWS`), done by the `ingest.run_import` job.

`queue_import` records an `ImportRun` and queues the job. The job claims the run by a
conditional UPDATE that sets a fresh claim token: only a queued run, or a running one whose
claim is older than the job timeout (its worker died: the job system kills a job at its
timeout), can be claimed. Every later write is conditional on that token, so a job that is
delivered twice (the job system delivers at least once) or a worker that lost its claim
cannot import anything a second time.

- "good rows": the rows are written in chunks of about 5 % of the file (at most MAX_CHUNK
  rows, so that no transaction holds SQLite's write lock for long); each chunk's writes
  commit together with the run's counters, `rows_done` and progress. A run taken over after
  its worker died resumes after the last committed chunk. The outcome equals an inline
  import's, except that possible duplicates of rows from chunks committed before the
  takeover are matched against the database (as a re-import would) instead of reported as
  in-file duplicates.
- "all or nothing": as inline (domain.py): every row is cleaned first and the run refused
  without writing when any is bad; then the same chunks as "good rows", each committing its
  journal (journal.py: what it wrote) with the counters. A row found bad on writing, or an
  error, undoes the journal: nothing of the run stays. A run taken over after its worker
  died goes on with the journal it committed, so it can still be undone.

A run that cannot go on (the upload expired, the user lost the right to import the kind,
an unexpected error) is marked failed with the reason; `resume` queues it again.
"""

from __future__ import annotations

import logging
import math
import uuid
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, ExpressionWrapper, Q
from django.db.models.functions import Coalesce, Now
from django.utils import translation
from django.utils.translation import gettext as _

from luodi.accounts.models import User
from luodi.ingest import domain, pending, tables, writers
from luodi.ingest.journal import Journal
from luodi.ingest.models import ImportRun, RunMode, RunStatus
from luodi.ingest.rules import may_import_kind
from luodi.ingest.summary import Summary

log = logging.getLogger(__name__)

CHUNKS = 20  # progress moves in steps of about 5 %
MIN_CHUNK = 20  # rows; fewer would spend more time committing than importing
MAX_CHUNK = domain.CHUNK_ROWS  # rows; more would keep other writers waiting on SQLite


class ClaimLost(Exception):
    """Another worker took the run over; this one must stop without writing."""


class RunFailed(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def runs_as_job(item: pending.Pending) -> bool:
    return len(item.rows) > settings.LUODI_IMPORT_INLINE_ROWS


def stale_after() -> int:
    """Seconds after which a running run's claim is presumed dead (the job timeout has
    passed since its last committed chunk, so its worker has been stopped)."""
    return int(settings.LUODI_JOB_TIMEOUT) + 60


def queue_import(
    *, actor: User, item: pending.Pending, mode: domain.Mode, ip: str | None = None
) -> ImportRun:
    """Record a run of the pending import `item` and queue its job; when a run of the same
    upload is still queued or running (a second click), that one is returned instead."""
    from luodi.ingest.tasks import run_import

    try:
        with transaction.atomic():
            run = ImportRun.objects.create(
                user=actor,
                kind=item.kind,
                mode=mode,
                pending_token=item.token,
                filename=item.filename[:255],
                mapping=item.mapping,
                language=translation.get_language() or settings.LANGUAGE_CODE,
                ip=ip,
                rows=len(item.rows),
            )
            run_import.enqueue(run.pk)
    except IntegrityError:
        return ImportRun.objects.get(
            pending_token=item.token, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
        )
    run.refresh_from_db()  # the job may have run already (inline in tests)
    return run


def resume(*, actor: User, run: ImportRun) -> bool:
    """Queue a failed run again; it goes on after its last committed rows."""
    from luodi.ingest.tasks import run_import

    try:
        with transaction.atomic():
            again = ImportRun.objects.filter(pk=run.pk, user=actor, status=RunStatus.FAILED).update(
                status=RunStatus.QUEUED, failure="", finished_at=None
            )
            if again != 1:
                return False
            run_import.enqueue(run.pk)
    except IntegrityError:  # another run of the same upload is unfinished
        return False
    return True


def _db_ago(seconds: int) -> ExpressionWrapper:
    # The database clock, the same for every machine (as in luodi.jobs.leases).
    return ExpressionWrapper(Now() - timedelta(seconds=seconds), output_field=DateTimeField())


def claim(run_id: int) -> str | None:
    """A claim token when this worker took the run, None when it is not to be taken."""
    token = uuid.uuid4().hex
    claimable = Q(status=RunStatus.QUEUED) | Q(
        status=RunStatus.RUNNING, claimed_at__lt=_db_ago(stale_after())
    )
    taken = ImportRun.objects.filter(claimable, pk=run_id).update(
        status=RunStatus.RUNNING,
        claim=token,
        claimed_at=Now(),
        started_at=Coalesce("started_at", Now()),
    )
    return token if taken == 1 else None


def execute(run_id: int) -> str:
    """The job's body: claim the run and import it, or leave it to its holder."""
    token = claim(run_id)
    if token is None:
        run = ImportRun.objects.filter(pk=run_id).first()
        if run is None or run.is_finished:
            return "nothing to do"
        # Held by a worker that may yet die: look again once its claim would be stale.
        from luodi.ingest.tasks import run_import

        run_import.enqueue(run_id, delay=stale_after())
        return "held by another worker"
    run = ImportRun.objects.select_related("user").get(pk=run_id)
    with translation.override(run.language or run.user.preferred_language()):
        try:
            summary = _import(run, token)
        except ClaimLost:
            log.warning("import run %s was taken over by another worker", run_id)
            return "claim lost"
        except RunFailed as exc:
            _fail(run, token, exc.reason)
            return "failed"
        except Exception as exc:  # shown on the run's page; the rows committed stay
            log.exception("import run %s failed", run_id)
            _fail(run, token, _("The import stopped: %(error)s") % {"error": exc})
            return "failed"
    if not summary.refused:
        pending.discard(run.pending_token)
    return "done"


def _import(run: ImportRun, token: str) -> Summary:
    item = pending.load(run.pending_token, run.user_id)
    if item is None:
        raise RunFailed(_("The uploaded file has expired or was removed; upload it again."))
    if not may_import_kind(run.user, run.kind):
        raise RunFailed(_("You may no longer import this kind of record."))
    problems = tables.check_mapping(run.kind, run.mapping)
    if problems:
        raise RunFailed(" ".join(problems))
    summary = summary_of(run)
    summary.rows = len(item.rows)
    all_or_nothing = run.mode == RunMode.ALL
    ctx = writers.Context(actor=run.user, resolver=tables.Resolver.load())
    if all_or_nothing:
        ctx.journal = Journal(entries=list(run.journal or []))
        if run.rows_done == 0 and not domain.check_rows(
            kind=run.kind, mapping=run.mapping, rows=item.rows, summary=summary
        ):
            summary.refuse()
            with transaction.atomic():
                _save(run, token, summary, rows_done=len(item.rows), finished=True)
            return summary
    size = max(MIN_CHUNK, min(MAX_CHUNK, math.ceil(len(item.rows) / CHUNKS)))
    try:
        for start in range(run.rows_done, len(item.rows), size):
            chunk = item.rows[start : start + size]
            done = start + len(chunk)
            domain.write_chunk(
                ctx=ctx,
                kind=run.kind,
                mapping=run.mapping,
                rows=chunk,
                summary=summary,
                then=partial(_save, run, token, summary, rows_done=done, journal=ctx.journal),
            )
        if ctx.journal is not None and summary.errors:
            left = domain.undo(ctx.journal)
            summary.refuse()
            for line, reason in left:
                summary.error(line, reason)
        else:
            with transaction.atomic():
                domain.record_import(actor=run.user, summary=summary, ip=run.ip)
                _save(
                    run,
                    token,
                    summary,
                    rows_done=len(item.rows),
                    finished=True,
                    journal=ctx.journal,
                )
            return summary
    except ClaimLost:
        raise  # the run is another worker's now, journal and all
    except Exception:
        if ctx.journal is not None:
            _undo_run(run, token, ctx.journal)
        raise
    with transaction.atomic():
        _save(run, token, summary, rows_done=len(item.rows), finished=True, journal=ctx.journal)
    return summary


def _undo_run(run: ImportRun, token: str, journal: Journal) -> None:
    """An all-or-nothing run failed: undo what it committed and start it over when resumed."""
    domain.undo(journal)
    with transaction.atomic():
        _save(run, token, Summary(kind=run.kind, rows=run.rows), rows_done=0, journal=journal)


def _save(
    run: ImportRun,
    token: str,
    summary: Summary,
    *,
    rows_done: int,
    finished: bool = False,
    journal: Journal | None = None,
) -> None:
    """Commit the counters (and an all-or-nothing run's journal) with the rows just
    written, under this worker's claim."""
    result = summary.as_dict()
    fields: dict[str, Any] = {
        "rows_done": rows_done,
        "progress": 100 if finished else min(99, rows_done * 100 // max(1, summary.rows)),
        "created": summary.created,
        "updated": summary.updated,
        "skipped": summary.skipped,
        "errors": result["errors"],
        "duplicates": result["duplicates"],
        "by_kind": result["by_kind"],
        "refused": summary.refused,
        "claimed_at": Now(),  # a committed chunk shows that the worker is alive
    }
    if journal is not None:
        fields["journal"] = [] if finished else journal.entries
    if finished:
        fields.update(status=RunStatus.DONE, finished_at=Now())
    mine = ImportRun.objects.filter(pk=run.pk, claim=token, status=RunStatus.RUNNING)
    if mine.update(**fields) != 1:
        raise ClaimLost  # rolls back the rows written with it


def _fail(run: ImportRun, token: str, reason: str) -> None:
    ImportRun.objects.filter(pk=run.pk, claim=token, status=RunStatus.RUNNING).update(
        status=RunStatus.FAILED, failure=reason[:500], finished_at=Now()
    )


def summary_of(run: ImportRun) -> Summary:
    """The run's result so far, in the shape the pages and the API share."""
    return Summary.from_dict(
        {
            "kind": run.kind,
            "rows": run.rows,
            "created": run.created,
            "updated": run.updated,
            "skipped": run.skipped,
            "errors": run.errors,
            "duplicates": run.duplicates,
            "by_kind": run.by_kind,
            "refused": run.refused,
        }
    )
