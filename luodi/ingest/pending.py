"""A parsed upload waiting for its mapping and confirmation: a JSON file under
VAR_DIR/imports/, named by a random token and bound to the user who uploaded it.
Files older than a day are removed whenever a new one is stored.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings

from luodi.ingest.tables import Table

MAX_AGE = 24 * 3600
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

    @property
    def table(self) -> Table:
        return Table(headers=self.headers, rows=self.rows, filename=self.filename)


def _dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _cleanup(folder: Path) -> None:
    limit = time.time() - MAX_AGE
    for old in folder.glob("*.json"):
        try:
            if old.stat().st_mtime < limit:
                old.unlink()
        except OSError:
            continue


def save(*, user_id: int, kind: str, table: Table, mapping: list[str]) -> Pending:
    folder = _dir()
    _cleanup(folder)
    item = Pending(
        token=secrets.token_urlsafe(18),
        user_id=user_id,
        kind=kind,
        filename=table.filename,
        headers=table.headers,
        rows=table.rows,
        mapping=mapping,
    )
    update(item)
    return item


def update(item: Pending) -> None:
    path = _dir() / f"{item.token}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(item), ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)


def load(token: str, user_id: int) -> Pending | None:
    """The pending import, or None when it is unknown, expired or someone else's."""
    if not _TOKEN.match(token):
        return None
    path = _dir() / f"{token}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("user_id") != user_id:
        return None
    data["rows"] = [(line, cells) for line, cells in data["rows"]]
    return Pending(**data)


def discard(token: str) -> None:
    if _TOKEN.match(token):
        (_dir() / f"{token}.json").unlink(missing_ok=True)
