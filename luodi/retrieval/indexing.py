"""Keeping every index current: a queue of changed records in the database, drained by
jobs, at most one writer per index.

- `request(kind, pk)` writes an `IndexRequest` row (object_id 0: rebuild the kind; FULL:
  every kind). Signal receivers write it in the changing transaction and queue the job
  after commit (`request_on_commit`, once per kind and transaction); bulk writes, which
  fire no signals (imports, merges, queryset updates), call `enqueue` / `enqueue_many`.
- `sync_index(kind)` takes the kind's writer lease (luodi.jobs.leases: one writer per index
  across machines), claims the kind's waiting rows in id order, re-reads those records and
  publishes the result, renews the lease between batches and looks again after releasing
  it, so rows that arrived meanwhile are not left behind. A job that finds the lease taken
  looks again when the lease could have run out: the holder may have died, and its rows
  are then taken over.
- Periodic: `sweep_indexes` (every 5 minutes) queues a sync for rows that waited too long
  and a build for kinds never built, and re-reads achievements whose access grant or NDA
  invitation just expired (time passing changes who may see them, with no write to
  notice); `reconcile_indexes` (nightly) compares every index with the database and
  repairs the differences.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from luodi.catalog import rules as catalog_rules
from luodi.jobs import job, leases
from luodi.retrieval import generations
from luodi.retrieval.engine import Engine, get_engine
from luodi.retrieval.kinds import KINDS
from luodi.retrieval.models import IndexRequest

log = logging.getLogger(__name__)
FULL = "*"  # request(FULL) rebuilds every kind
EVERYTHING = 0  # a row with object_id 0 asks for a rebuild of its kind
BATCH = 1000
SWEEP_EVERY = timedelta(minutes=5)


def _lease_seconds() -> float:
    return float(settings.LUODI_INDEX_LEASE_SECONDS)


def _lease_name(kind: str) -> str:
    return f"index:{kind}"


def request(kind: str, object_id: int = EVERYTHING) -> list[str]:
    """Record that `object_id` of `kind` must be re-read (every kind's rebuild for FULL);
    returns the kinds concerned. A row still waiting for the same record is not
    duplicated; a row already being worked on is, so an edit made during an update is
    not missed."""
    kinds = list(KINDS) if kind == FULL else [kind]
    for each in kinds:
        pk = EVERYTHING if kind == FULL else object_id
        if not IndexRequest.objects.filter(
            kind=each, object_id=pk, claim="", done_at__isnull=True
        ).exists():
            IndexRequest.objects.create(kind=each, object_id=pk)
    return kinds


def enqueue(kind: str, object_id: int = EVERYTHING) -> None:
    """`request` plus the job that applies it, both in the caller's transaction."""
    for each in request(kind, object_id):
        sync_index.enqueue(each)


def enqueue_many(kind: str, pks: Iterable[int]) -> int:
    """For bulk writes (imports, merges): one row per record, one job for the kind."""
    rows = [IndexRequest(kind=kind, object_id=int(pk)) for pk in set(pks)]
    if not rows:
        return 0
    IndexRequest.objects.bulk_create(rows, batch_size=1000)
    sync_index.enqueue(kind)
    return len(rows)


class _SyncAfterCommit:
    """An on-commit callback that queues one kind's sync; one per kind per transaction."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __call__(self) -> None:
        sync_index.enqueue(self.kind)


def request_on_commit(kind: str, object_id: int = EVERYTHING) -> None:
    """For signal receivers, which run in the middle of a write: the row is written in the
    transaction (so a crash cannot lose it: the sweep finds it), the job is queued after the
    commit, when the record is complete, once per kind however many records changed."""
    connection = transaction.get_connection()
    waiting = {
        callback.kind
        for _sids, callback, _robust in connection.run_on_commit
        if isinstance(callback, _SyncAfterCommit)
    }
    if kind == FULL and waiting >= set(KINDS) and _full_waiting():
        return  # a rebuild of everything is already asked for in this transaction
    for each in request(kind, object_id):
        if each not in waiting:
            transaction.on_commit(_SyncAfterCommit(each))
            waiting.add(each)


def request_many_on_commit(kind: str, pks: Iterable[int]) -> None:
    """`request_on_commit` for many records of one kind (an import's chunk, an
    organization's people): two queries in all, not two per record."""
    wanted = sorted({int(pk) for pk in pks})
    if not wanted:
        return
    for start in range(0, len(wanted), BATCH):  # SQLite caps the parameters of one query
        part = wanted[start : start + BATCH]
        waiting = set(
            IndexRequest.objects.filter(
                kind=kind, object_id__in=part, claim="", done_at__isnull=True
            ).values_list("object_id", flat=True)
        )
        IndexRequest.objects.bulk_create(
            [IndexRequest(kind=kind, object_id=pk) for pk in part if pk not in waiting]
        )
    connection = transaction.get_connection()
    if not any(
        isinstance(callback, _SyncAfterCommit) and callback.kind == kind
        for _sids, callback, _robust in connection.run_on_commit
    ):
        transaction.on_commit(_SyncAfterCommit(kind))


def _full_waiting() -> bool:
    return IndexRequest.objects.filter(
        object_id=EVERYTHING, claim="", done_at__isnull=True
    ).count() >= len(KINDS)


def _claim(kind: str, batch: int) -> tuple[str, list[IndexRequest]]:
    """The kind's waiting rows (up to `batch`), marked with a fresh claim token. Only the
    lease holder calls this, so rows claimed by an earlier holder that died are taken too."""
    token = uuid.uuid4().hex
    ids = list(
        IndexRequest.objects.filter(kind=kind, done_at__isnull=True)
        .order_by("id")
        .values_list("id", flat=True)[:batch]
    )
    if not ids:
        return token, []
    IndexRequest.objects.filter(id__in=ids, done_at__isnull=True).update(
        claim=token, claimed_at=timezone.now()
    )
    return token, list(IndexRequest.objects.filter(claim=token, done_at__isnull=True))


def drain(kind: str, engine: Engine | None = None, batch: int = BATCH) -> int | None:
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
                if EVERYTHING in pks and generations.newest(kind) is None:
                    # First build: words now, vectors in a job queued behind the other
                    # kinds' first builds, so every index serves within seconds.
                    touched += engine.rebuild(kind, dense=False)
                    if engine.needs_vectors(kind):
                        add_vectors.enqueue(kind)
                elif EVERYTHING in pks:
                    touched += engine.rebuild(kind)
                else:
                    touched += engine.apply(kind, pks)
                    if engine.needs_vectors(kind):
                        add_vectors.enqueue(kind)
                IndexRequest.objects.filter(claim=claim).update(done_at=timezone.now())
                if not leases.renew(name, token, _lease_seconds()):
                    # Our lease ran out mid-way: what we published was fenced by version,
                    # the rest is for the new holder.
                    log.warning("lost the %s lease; leaving the rest to its new holder", kind)
                    return touched
        finally:
            leases.release(name, token)
        # A row may have been committed after our last claim but while we held the lease;
        # its own job found the lease taken, so look once more before leaving.
        if not IndexRequest.objects.filter(kind=kind, done_at__isnull=True).exists():
            return touched


@job(retries=5, backoff=30)
def sync_index(kind: str) -> int:
    """Bring one index up to date with its queue (see the module docstring)."""
    if kind not in KINDS:
        raise ValueError(f"unknown index kind {kind!r}")
    touched = drain(kind)
    if touched is None:
        # Someone else is writing; they look again before they leave. If they died, their
        # lease runs out and this later look takes over.
        wait = leases.seconds_left(_lease_name(kind)) + 1
        sync_index.enqueue(kind, delay=wait)
        return 0
    return touched


@job(retries=5, backoff=60)
def add_vectors(kind: str) -> int:
    """Rebuild a words-only index with its passage vectors (after a first build)."""
    engine = get_engine()
    if not engine.needs_vectors(kind):
        return 0
    token = leases.acquire(_lease_name(kind), _lease_seconds())
    if token is None:  # a writer is at work; look again when its lease could be over
        add_vectors.enqueue(kind, delay=leases.seconds_left(_lease_name(kind)) + 1)
        return 0
    try:
        return engine.rebuild(kind) if engine.needs_vectors(kind) else 0
    finally:
        leases.release(_lease_name(kind), token)


@job(retries=2, backoff=60, every_minutes=5)
def sweep_indexes() -> list[str]:
    """Queue work that has no job in hand: kinds never built, rows that waited longer than
    a sync should take (their job was lost, or a holder died), and achievements whose
    access ran out since the last sweep."""
    now = timezone.now()
    expired = catalog_rules.access_expiring(now - SWEEP_EVERY - timedelta(minutes=1), now)
    if expired:
        request_many("achievement", expired)
    queued: list[str] = []
    late = now - timedelta(minutes=2)
    waiting = dict(
        IndexRequest.objects.filter(done_at__isnull=True)
        .values_list("kind")
        .annotate(oldest=Min("requested_at"))
        .values_list("kind", "oldest")
    )
    engine = get_engine()
    for kind in KINDS:
        if generations.newest(kind) is None and kind not in waiting:
            enqueue(kind, EVERYTHING)
            queued.append(kind)
        elif engine.needs_vectors(kind):
            add_vectors.enqueue(kind)
            queued.append(kind)
        elif kind in waiting and (waiting[kind] < late or (kind == "achievement" and expired)):
            sync_index.enqueue(kind)
            queued.append(kind)
    # Finished rows are only history.
    IndexRequest.objects.filter(done_at__lt=now - timedelta(days=7)).delete()
    return queued


def request_many(kind: str, pks: Iterable[int]) -> None:
    IndexRequest.objects.bulk_create(
        [IndexRequest(kind=kind, object_id=int(pk)) for pk in set(pks)], batch_size=1000
    )


@job(retries=2, backoff=300, daily_at="03:30")
def reconcile_indexes() -> dict[str, int]:
    """Nightly: compare every index with the database and queue what differs (records
    missing, changed, or gone), whatever path a change took. Returns rows queued."""
    engine = get_engine()
    queued: dict[str, int] = {}
    for kind in KINDS:
        stale = engine.differences(kind)
        if stale is None:  # never built: build it
            enqueue(kind, EVERYTHING)
            queued[kind] = -1
        elif stale:
            queued[kind] = enqueue_many(kind, stale)
    if queued:
        log.info("reconciliation queued %s", queued)
    return queued


def rebuild_all(engine: Engine | None = None, kinds: Iterable[str] | None = None) -> dict[str, int]:
    """Rebuild and publish indexes now, in this process (tests, `refresh_matches --full`);
    their queued rows are marked done."""
    engine = engine or get_engine()
    out: dict[str, int] = {}
    for kind in kinds or KINDS:
        token = leases.acquire(_lease_name(kind), _lease_seconds())
        if token is None:
            raise RuntimeError(f"the {kind} index is being written by another process")
        try:
            IndexRequest.objects.filter(kind=kind, done_at__isnull=True).update(
                done_at=timezone.now()
            )
            out[kind] = engine.rebuild(kind)
        finally:
            leases.release(_lease_name(kind), token)
    return out
