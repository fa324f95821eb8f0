"""Keeping the match indexes current: a queue of changed records in the database, drained by
jobs, at most one writer per index.

- `enqueue(kind, pk)` writes a `RefreshRequest` row and queues `matchmaking.sync_index` in
  the caller's transaction (both rows commit or neither does), so no committed change can
  lose its index update. `enqueue(FULL)` asks for a rebuild of every kind.
- `sync_index(kind)` takes the kind's writer lease (luodi.jobs.leases: at most one writer
  per index across machines), claims the kind's waiting rows, applies them and publishes a
  new generation (`generations.publish`, fenced by version), renews the lease between
  batches and looks again after releasing it, so rows that arrived meanwhile are not left
  behind. A job that finds the lease taken looks again when the lease could have run out
  — the holder may have died, and then its rows are taken over (claims by a holder that
  lost its lease do not count).
- `sweep_indexes` (every 5 minutes) is the safety net: it queues a sync for kinds with rows
  that waited too long and a build for kinds never built; `reconcile_indexes` (nightly)
  rebuilds everything from the database.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from luodi.jobs import job, leases
from luodi.matchmaking import adapters, generations
from luodi.matchmaking.engine import MatchEngine, get_engine
from luodi.matchmaking.models import RefreshRequest

log = logging.getLogger(__name__)
FULL = "*"  # enqueue(FULL) rebuilds every kind
EVERYTHING = 0  # a row with object_id 0 asks for a rebuild of its kind
BATCH = 1000


def _lease_seconds() -> float:
    return float(settings.LUODI_INDEX_LEASE_SECONDS)


def _lease_name(kind: str) -> str:
    return f"index:{kind}"


def request(kind: str, object_id: int = EVERYTHING) -> list[str]:
    """Record that `object_id` of `kind` must be re-read into its index (every kind's full
    rebuild for FULL); returns the kinds concerned. A row still waiting for the same record
    is not duplicated; a row already being worked on is, so an edit made during an update
    is not missed."""
    kinds = list(adapters.INDEX_KINDS) if kind == FULL else [kind]
    for each in kinds:
        pk = EVERYTHING if kind == FULL else object_id
        if not RefreshRequest.objects.filter(
            kind=each, object_id=pk, claim="", done_at__isnull=True
        ).exists():
            RefreshRequest.objects.create(kind=each, object_id=pk)
    return kinds


def enqueue(kind: str, object_id: int = EVERYTHING) -> None:
    """`request` plus the job that applies it, both in the caller's transaction."""
    for each in request(kind, object_id):
        sync_index.enqueue(each)


class _SyncAfterCommit:
    """An on-commit callback that queues one kind's sync; one per kind per transaction."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __call__(self) -> None:
        sync_index.enqueue(self.kind)


def request_on_commit(kind: str, object_id: int) -> None:
    """For signal receivers, which run in the middle of a write: the row is written in the
    transaction (so a crash cannot lose it: the sweep finds it), the job is queued after the
    commit, when the record is complete, once per kind however many records changed."""
    connection = transaction.get_connection()
    waiting = {
        callback.kind
        for _sids, callback, _robust in connection.run_on_commit
        if isinstance(callback, _SyncAfterCommit)
    }
    for each in request(kind, object_id):
        if each not in waiting:
            transaction.on_commit(_SyncAfterCommit(each))


def _claim(kind: str, batch: int) -> tuple[str, list[RefreshRequest]]:
    """All waiting rows of `kind` (up to `batch`), marked with a fresh claim token. Only the
    lease holder calls this, so rows claimed by an earlier holder that died are taken too."""
    token = uuid.uuid4().hex
    ids = list(
        RefreshRequest.objects.filter(kind=kind, done_at__isnull=True)
        .order_by("id")
        .values_list("id", flat=True)[:batch]
    )
    if not ids:
        return token, []
    RefreshRequest.objects.filter(id__in=ids, done_at__isnull=True).update(
        claim=token, claimed_at=timezone.now()
    )
    return token, list(RefreshRequest.objects.filter(claim=token, done_at__isnull=True))


def drain(kind: str, engine: MatchEngine | None = None, batch: int = BATCH) -> int | None:
    """Apply every waiting row of `kind`; documents touched, or None when another writer
    holds the kind's lease."""
    engine = engine or get_engine()
    name = _lease_name(kind)
    touched = 0
    while True:
        token = leases.acquire(name, _lease_seconds())
        if token is None:
            return None if touched == 0 else touched
        try:
            while True:
                claim, rows = _claim(kind, batch)
                if not rows:
                    break
                pks = {r.object_id for r in rows}
                if EVERYTHING in pks:
                    touched += engine.rebuild(kind)
                else:
                    touched += engine.apply(kind, pks)
                RefreshRequest.objects.filter(claim=claim).update(done_at=timezone.now())
                if not leases.renew(name, token, _lease_seconds()):
                    # Our lease ran out mid-way: what we published was fenced by version,
                    # the rest is for the new holder.
                    log.warning("lost the %s lease; leaving the rest to its new holder", kind)
                    return touched
        finally:
            leases.release(name, token)
        # A row may have been committed after our last claim but while we held the lease;
        # its own job found the lease taken, so look once more before leaving.
        if not RefreshRequest.objects.filter(kind=kind, done_at__isnull=True).exists():
            return touched


@job(retries=5, backoff=30)
def sync_index(kind: str) -> int:
    """Bring one index up to date with its queue (see the module docstring)."""
    if kind not in adapters.INDEX_KINDS:
        raise ValueError(f"unknown index kind {kind!r}")
    touched = drain(kind)
    if touched is None:
        # Someone else is writing; they look again before they leave. If they died, their
        # lease runs out and this later look takes over.
        wait = leases.seconds_left(_lease_name(kind)) + 1
        sync_index.enqueue(kind, delay=wait)
        return 0
    return touched


@job(retries=2, backoff=60, every_minutes=5)
def sweep_indexes() -> list[str]:
    """Queue work that has no job in hand: kinds never built, and rows that waited longer
    than a sync should take (their job was lost, or a holder died)."""
    queued: list[str] = []
    late = timezone.now() - timedelta(minutes=2)
    waiting = dict(
        RefreshRequest.objects.filter(done_at__isnull=True)
        .values_list("kind")
        .annotate(oldest=Min("requested_at"))
        .values_list("kind", "oldest")
    )
    for kind in adapters.INDEX_KINDS:
        if generations.newest(kind) is None and kind not in waiting:
            enqueue(kind, EVERYTHING)
            queued.append(kind)
        elif kind in waiting and waiting[kind] < late:
            sync_index.enqueue(kind)
            queued.append(kind)
    # Finished rows are only history.
    RefreshRequest.objects.filter(done_at__lt=timezone.now() - timedelta(days=7)).delete()
    return queued


@job(retries=2, backoff=300, daily_at="03:30")
def reconcile_indexes() -> None:
    """Nightly: rebuild every index from the database, whatever path a change took."""
    enqueue(FULL)


def rebuild_all(engine: MatchEngine | None = None) -> dict[str, int]:
    """Rebuild and publish every index now, in this process (tests, `refresh_matches
    --full`); queued rows are marked done."""
    engine = engine or get_engine()
    out: dict[str, int] = {}
    for kind in adapters.INDEX_KINDS:
        token = leases.acquire(_lease_name(kind), _lease_seconds())
        if token is None:
            raise RuntimeError(f"the {kind} index is being written by another process")
        try:
            RefreshRequest.objects.filter(kind=kind, done_at__isnull=True).update(
                done_at=timezone.now()
            )
            out[kind] = engine.rebuild(kind)
        finally:
            leases.release(_lease_name(kind), token)
    return out
