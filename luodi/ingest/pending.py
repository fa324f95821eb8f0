"""A parsed upload waiting for its mapping and confirmation: a JSON file in the default
storage (the local filesystem, or the S3 bucket every machine shares), named
`imports/pending/<token>.json` by a random token and bound to the user who uploaded it.

A pending import older than a day is refused when loaded and removed by the daily
`ingest.cleanup_pending` job. Nothing here assumes a local path: the upload may be mapped
on one machine, confirmed on a second and imported by a worker on a third.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from luodi.ingest.tables import Table

log = logging.getLogger(__name__)

MAX_AGE = 24 * 3600
FOLDER = "imports/pending"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@dataclass
class Pending:
    token: str
    user_id: int
    kind: str
    filename: str
    headers: list[str]
    rows: list[tuple[int, list[str]]]
    mapping: list[str] = field(default_factory=list)
    created: float = 0.0  # epoch seconds of the upload; the age limit counts from here

    @property
    def table(self) -> Table:
        return Table(headers=self.headers, rows=self.rows, filename=self.filename)


def _name(token: str) -> str:
    return f"{FOLDER}/{token}.json"


def save(*, user_id: int, kind: str, table: Table, mapping: list[str]) -> Pending:
    item = Pending(
        token=secrets.token_urlsafe(18),
        user_id=user_id,
        kind=kind,
        filename=table.filename,
        headers=table.headers,
        rows=table.rows,
        mapping=mapping,
        created=time.time(),
    )
    update(item)
    return item


def update(item: Pending) -> None:
    """Store the item under its token's name, replacing the previous version.

    Storages never overwrite on `save` (they pick another name instead), so the old
    version is deleted first; a read between the two steps sees no pending import, which
    only the same user's own concurrent request could meet."""
    name = _name(item.token)
    data = json.dumps(asdict(item), ensure_ascii=False).encode("utf-8")
    default_storage.delete(name)
    stored = default_storage.save(name, ContentFile(data))
    if stored != name:  # a concurrent update won the name; ours would never be read
        default_storage.delete(stored)


def load(token: str, user_id: int) -> Pending | None:
    """The pending import, or None when it is unknown, expired or someone else's."""
    if not _TOKEN.match(token):
        return None
    try:
        with default_storage.open(_name(token), "rb") as handle:
            data = json.loads(handle.read().decode("utf-8"))
    except (OSError, ValueError):
        # Missing or unreadable; storages raise FileNotFoundError (an OSError) for both
        # a local file and an S3 object that is not there.
        return None
    if data.get("user_id") != user_id:
        return None
    if time.time() - float(data.get("created", 0)) > MAX_AGE:
        discard(token)
        return None
    data["rows"] = [(line, cells) for line, cells in data["rows"]]
    return Pending(**data)


def discard(token: str) -> None:
    if _TOKEN.match(token):
        default_storage.delete(_name(token))


def cleanup(max_age: float = MAX_AGE) -> int:
    """Delete pending imports last written more than `max_age` seconds ago; how many."""
    try:
        _folders, files = default_storage.listdir(FOLDER)
    except FileNotFoundError:  # the local folder does not exist before the first upload
        return 0
    limit = timezone.now() - timedelta(seconds=max_age)
    removed = 0
    for filename in files:
        name = f"{FOLDER}/{filename}"
        try:
            if default_storage.get_modified_time(name) < limit:
                default_storage.delete(name)
                removed += 1
        except OSError:  # removed meanwhile by another machine's cleanup
            continue
    if removed:
        log.info("removed %s expired pending imports", removed)
    return removed
