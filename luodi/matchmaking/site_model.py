"""The trial-site ranker as a shared artifact: fitted by a job, only read by requests.

luodi.sites' `SiteRanker` scores clinical centers for a study from the catalog's trial
history. Fitting it reads every trial with sites and takes seconds, so it never happens in a
request (issue #15, "reads never write"):

- `fit_site_ranker` (a job: queued after a trial import commits, and nightly for changes
  that took another path, e.g. the admin or an organization merge) reads the history, fits
  the ranker, saves it with `luodi.sites.store` (arrays and JSON, never pickle: the file may
  sit in a bucket others can write) into the default storage, and inserts
  `RankerGeneration(kind, version + 1)`. One fitter at a time holds the kind's lease; the
  unique (kind, version) pair fences a late one. A history whose digest equals the newest
  generation's is not fitted again.
- `current()` is what a request reads: the newest generation, loaded once per process and
  looked up again at most every `LUODI_INDEX_CHECK_SECONDS` — the same on every machine.
  None before the first fit; the match page then ranks centers without trial history and
  says so (`history_note`).
- `refit_on_commit()` is for code that writes trials (luodi.ingest.ctgov): one fit job,
  queued after the transaction commits, none when it rolls back (a dry-run import).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import threading
import time
import uuid
import zipfile
from dataclasses import asdict, dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from luodi.catalog.models import Trial, TrialSite
from luodi.jobs import job, leases
from luodi.matchmaking.models import RankerGeneration
from luodi.sites import SiteRanker, store
from luodi.sites import Trial as SiteTrial
from luodi.sites.query import catalog_parts

log = logging.getLogger(__name__)
KIND = "site_ranker"
KEEP_OLD = timedelta(minutes=15)  # a reader that just saw a version can still fetch it
_LEASE = f"ranker:{KIND}"


@dataclass(frozen=True)
class Fitted:
    version: int
    path: str
    ranker: SiteRanker
    orgs_of: dict[str, tuple[int, ...]]  # raw TrialSite.location → organization ids


@dataclass
class _Held:
    version: int  # 0: no generation
    path: str
    fitted: Fitted | None  # None also for a generation fitted on no trials
    checked: float  # time.monotonic() of the last look at the database


_held: _Held | None = None
_lock = threading.Lock()


# -- the data a fit reads -----------------------------------------------------------------


def history() -> tuple[list[SiteTrial], dict[str, tuple[int, ...]]]:
    """Every catalog trial with sites as a luodi.sites Trial, and which organizations each
    listed location belongs to; in id order, so equal data gives an equal digest."""
    by_trial: dict[int, list[str]] = {}
    orgs_of: dict[str, set[int]] = {}
    for trial_id, location, org_id in TrialSite.objects.order_by("id").values_list(
        "trial_id", "location", "organization_id"
    ):
        by_trial.setdefault(trial_id, []).append(location)
        orgs_of.setdefault(location, set()).add(org_id)
    trials = [
        SiteTrial(
            nct_id=t.registry_id,
            title=t.title,
            summary=t.summary,
            conditions=catalog_parts(t.conditions),
            interventions=catalog_parts(t.interventions),
            phases=catalog_parts(t.phase),
            # Not display_name: a fit must not depend on the language the job runs in.
            sponsor=(t.sponsor.name_en or t.sponsor.name_zh) if t.sponsor else "",
            locations=tuple(by_trial[t.pk]),
            start_date=t.start_date,
        )
        for t in Trial.objects.filter(Exists(TrialSite.objects.filter(trial=OuterRef("pk"))))
        .select_related("sponsor")
        .order_by("id")
        # Sites committed between the two reads wait for the next fit.
        if t.pk in by_trial
    ]
    return trials, {loc: tuple(sorted(ids)) for loc, ids in sorted(orgs_of.items())}


def digest(trials: list[SiteTrial], orgs_of: dict[str, tuple[int, ...]]) -> str:
    rows = [asdict(t) for t in trials]
    text = json.dumps([rows, orgs_of], default=str, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


# -- fitting (jobs only) ------------------------------------------------------------------


def newest() -> RankerGeneration | None:
    return RankerGeneration.objects.filter(kind=KIND).order_by("-version").first()


def fit_and_publish() -> RankerGeneration | None:
    """Fit on the current history and publish it as the next version; None when the newest
    generation was fitted on the same data. The caller holds the kind's lease."""
    trials, orgs_of = history()
    stamp = digest(trials, orgs_of)
    base = newest()
    if base is not None and base.digest == stamp:
        return None
    version = (base.version if base is not None else 0) + 1
    path = ""
    ranker = None
    if trials:
        ranker = SiteRanker().fit(trials)
        buffer = io.BytesIO()
        store.dump(ranker, buffer, extra={"orgs_of": orgs_of})
        name = f"rankers/{KIND}/{version:08d}-{uuid.uuid4().hex[:12]}.npz"
        path = default_storage.save(name, ContentFile(buffer.getvalue()))
    try:
        with transaction.atomic():
            gen = RankerGeneration.objects.create(
                kind=KIND,
                version=version,
                path=path,
                trials=len(trials),
                sites=len(ranker.site_keys) if ranker is not None else 0,
                digest=stamp,
            )
    except IntegrityError:
        # Another fitter published this version first (our lease ran out mid-fit).
        if path:
            default_storage.delete(path)
        raise
    _cleanup(version)
    return gen


def _cleanup(newest_version: int) -> None:
    """Delete generations two versions and KEEP_OLD behind (file first, then row)."""
    old = RankerGeneration.objects.filter(
        kind=KIND, version__lt=newest_version - 1, created_at__lt=timezone.now() - KEEP_OLD
    )
    for gen in old:
        if gen.path:
            try:
                default_storage.delete(gen.path)
            except OSError:
                log.warning("could not delete %s from storage", gen.path, exc_info=True)
                continue
        gen.delete()


@job(retries=3, backoff=60, daily_at="03:45")
def fit_site_ranker() -> int:
    """Fit and publish the trial-site ranker (queued after trial imports; nightly). Returns
    the published version, 0 when nothing changed or another fitter is at work."""
    seconds = float(settings.LUODI_INDEX_LEASE_SECONDS)
    token = leases.acquire(_LEASE, seconds)
    if token is None:
        # Someone is fitting, maybe on data read before our change committed: look again
        # when their lease could have run out (the digest makes a needless look cheap).
        fit_site_ranker.enqueue(delay=leases.seconds_left(_LEASE) + 1)
        return 0
    try:
        gen = fit_and_publish()
    finally:
        leases.release(_LEASE, token)
    return gen.version if gen is not None else 0


class _QueueFit:
    """The on-commit callback of `refit_on_commit` (a class, so it can be recognised)."""

    def __call__(self) -> None:
        fit_site_ranker.enqueue()


def refit_on_commit() -> None:
    """Trials or their sites changed in the current transaction: queue one fit after it
    commits (however often this is called in it), none if it rolls back."""
    connection = transaction.get_connection()
    if not any(isinstance(cb, _QueueFit) for _sids, cb, _robust in connection.run_on_commit):
        transaction.on_commit(_QueueFit())


# -- reading (requests) -------------------------------------------------------------------


def _load(gen: RankerGeneration) -> Fitted | None:
    if not gen.path:
        return None
    with default_storage.open(gen.path, "rb") as fh:
        data = fh.read()
    ranker, extra = store.load(io.BytesIO(data))
    orgs_of = {loc: tuple(ids) for loc, ids in extra["orgs_of"].items()}
    return Fitted(gen.version, gen.path, ranker, orgs_of)


def current() -> Fitted | None:
    """The fitted ranker this process serves, or None (never fitted, or fitted on no
    trials, or unreadable: logged). Never fits, never queues."""
    global _held
    now = time.monotonic()
    with _lock:
        held = _held
    if held is not None and now - held.checked < float(settings.LUODI_INDEX_CHECK_SECONDS):
        return held.fitted
    # Unless a newer generation loads, keep serving what this process has (a storage
    # outage should not turn trial history off).
    version, path, fitted = (held.version, held.path, held.fitted) if held else (0, "", None)
    for _attempt in range(3):
        gen = newest()
        if gen is None:
            version, path, fitted = 0, "", None
        elif (gen.version, gen.path) != (version, path):
            try:
                fitted = _load(gen)
            except FileNotFoundError:
                continue  # cleaned up since its row was read: a newer one exists
            except (ValueError, KeyError, zipfile.BadZipFile):
                # Damaged, or written in a format this code cannot read (a deploy in
                # progress): the next fit replaces it; until then, no trial history.
                log.exception("%s v%s is unreadable", KIND, gen.version)
                fitted = None
            except OSError:
                log.warning("%s v%s could not be read", KIND, gen.version, exc_info=True)
                break
            version, path = gen.version, gen.path
        break
    with _lock:
        _held = _Held(version, path, fitted, now)
    return fitted


def forget() -> None:
    """Drop this process's loaded ranker (tests switching databases)."""
    global _held
    with _lock:
        _held = None


def history_note() -> str:
    """What the clinical-center tab says while it ranks without trial history although
    the catalog has some (empty otherwise)."""
    if current() is not None or not TrialSite.objects.exists():
        return ""
    return _(
        "Trial history is not used yet: the site ranker has not been fitted on the current "
        "trials, so clinical centers are ranked without it."
    )
