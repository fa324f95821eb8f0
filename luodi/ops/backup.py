"""`luodi backup` and `luodi restore`: the database and every stored file in one .tar.gz.

Members, in this order:

    database.jsonl   every row as Django's JSON Lines serialization (dumpdata) with natural
                     foreign keys, so it loads into SQLite or PostgreSQL whichever made it
    files/<name>     every file of the default storage, read through the storage API, so a
                     local directory and an S3 bucket are backed up alike
    manifest.json    format, app version, applied migrations, rows per model, and the size
                     and sha256 of every other member (last: the checksums of the files are
                     known only once they are written)

Content types and permissions are created by `migrate` on every database, each with its own
ids; the dump carries them first, without ids, so a restore matches them by natural key
(app label, model name) and creates only those missing. Sessions are left out: a restore
signs everybody out.

A restore reads the archive twice: first it checks every checksum against the manifest,
the migration state and that the database is empty, and touches nothing if any is wrong;
then it loads the rows in one transaction and writes the files.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import io
import json
import os
import posixpath
import tarfile
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Model
from django.utils import timezone

FORMAT = 1
DATABASE = "database.jsonl"
MANIFEST = "manifest.json"
FILES = "files/"
# Never dumped by dumpdata: re-created by migrate (matched by natural key, see above) or
# not worth keeping (sessions).
EXCLUDED = ["contenttypes", "auth.permission", "sessions"]
CHUNK = 1 << 20


class BackupError(Exception):
    """An archive that cannot be restored here, with the reason for the operator."""


# -- what is in the database ---------------------------------------------------------------
def data_models() -> list[type[Model]]:
    """The models whose rows a backup holds (dumpdata's choice with EXCLUDED applied)."""
    return [
        model
        for model in apps.get_models()
        if not model._meta.proxy
        and model._meta.app_label not in EXCLUDED
        and model._meta.label_lower not in EXCLUDED
    ]


def applied_migrations(using: str = "default") -> list[str]:
    recorder = MigrationRecorder(connections[using])
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def app_version() -> str:
    try:
        return importlib.metadata.version("luodi")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def stored_files(storage: Storage, path: str = "") -> Iterator[str]:
    """Every file name in `storage`, depth first, sorted."""
    try:
        dirs, files = storage.listdir(path)
    except FileNotFoundError:
        if path:
            raise
        return  # a local storage whose directory nothing has been written to yet
    for name in sorted(files):
        yield posixpath.join(path, name) if path else name
    for name in sorted(dirs):
        yield from stored_files(storage, posixpath.join(path, name) if path else name)


# -- archive members -----------------------------------------------------------------------
class _HashingReader:
    """Reads through `source`, keeping the sha256 and the number of bytes read."""

    def __init__(self, source: IO[bytes]) -> None:
        self.source = source
        self.sha256 = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self.source.read(n)
        self.sha256.update(data)
        self.size += len(data)
        return data


def _add(tar: tarfile.TarFile, name: str, source: IO[bytes], size: int) -> dict[str, Any]:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(time.time())
    info.mode = 0o600
    reader = _HashingReader(source)
    tar.addfile(info, reader)
    return {"bytes": size, "sha256": reader.sha256.hexdigest()}


def _digest(source: IO[bytes]) -> dict[str, Any]:
    reader = _HashingReader(source)
    while reader.read(CHUNK):
        pass
    return {"bytes": reader.size, "sha256": reader.sha256.hexdigest()}


@contextmanager
def _snapshot(using: str) -> Iterator[None]:
    """Read every table as of one moment while the application keeps writing."""
    connection = connections[using]
    if connection.in_atomic_block:  # the caller's transaction already is one
        yield
    elif connection.vendor == "postgresql":
        with transaction.atomic(using=using):
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    elif connection.vendor == "sqlite":
        # atomic() would BEGIN IMMEDIATE (settings.py) and hold every writer off for the
        # whole dump; a deferred read transaction in WAL mode is a snapshot that does not.
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
            try:
                yield
            finally:
                cursor.execute("COMMIT")
    else:
        yield


def _dump_database(out: IO[bytes], using: str) -> dict[str, int]:
    """Write the rows to `out`; return the number of rows per model label."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="\n")
    with _snapshot(using):
        for model in (ContentType, Permission):
            serializers.serialize(
                "jsonl",
                model._base_manager.using(using).order_by("pk"),
                use_natural_foreign_keys=True,
                use_natural_primary_keys=True,
                stream=text,
            )
        call_command(
            "dumpdata",
            format="jsonl",
            exclude=EXCLUDED,
            database=using,
            use_natural_foreign_keys=True,
            use_base_manager=True,  # a default manager that hides rows must not drop them
            stdout=text,
            verbosity=0,
        )
    text.flush()
    text.detach()
    out.seek(0)
    rows: Counter[str] = Counter(json.loads(line)["model"] for line in out)
    kept = {model._meta.label_lower for model in data_models()}
    return {label: n for label, n in sorted(rows.items()) if label in kept}


def write_backup(
    path: Path, *, using: str = "default", storage: Storage | None = None
) -> dict[str, Any]:
    """Write the archive to `path` (via a partial file, readable by its owner only) and
    return its manifest."""
    storage = storage or default_storage
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            with tempfile.TemporaryFile(dir=path.parent) as dump:
                rows = _dump_database(dump, using)
                size = dump.seek(0, os.SEEK_END)
                dump.seek(0)
                database = {**_add(tar, DATABASE, dump, size), "rows": rows}
            files = []
            for name in stored_files(storage):
                try:
                    size = storage.size(name)
                    stored = storage.open(name, "rb")
                except FileNotFoundError:
                    continue  # deleted since it was listed: a consumed import, an old index
                with stored:
                    files.append({"name": name, **_add(tar, FILES + name, stored, size)})
            manifest = {
                "format": FORMAT,
                "created_at": timezone.now().isoformat(),
                "app_version": app_version(),
                "database_vendor": connections[using].vendor,
                "migrations": applied_migrations(using),
                "database": database,
                "files": files,
            }
            encoded = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
            _add(tar, MANIFEST, io.BytesIO(encoded), len(encoded))
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return manifest


# -- restore -------------------------------------------------------------------------------
def read_and_verify(path: Path) -> dict[str, Any]:
    """The manifest, once every member's size and checksum matched it."""
    found: dict[str, dict[str, Any]] = {}
    manifest: dict[str, Any] | None = None
    try:
        with tarfile.open(path, "r|gz") as tar:
            for member in tar:
                source = tar.extractfile(member) if member.isfile() else None
                if source is None:
                    raise BackupError(f"{member.name} is not a regular file")
                if member.name == MANIFEST:
                    manifest = json.loads(source.read())
                else:
                    found[member.name] = _digest(source)
    except (tarfile.TarError, OSError, EOFError, json.JSONDecodeError) as exc:
        raise BackupError(f"{path} is not a readable backup: {exc}") from exc
    if manifest is None or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} has no manifest of format {FORMAT}")
    expected = {DATABASE: manifest["database"]}
    expected |= {FILES + f["name"]: f for f in manifest["files"]}
    if set(found) != set(expected):
        odd = sorted(set(found) ^ set(expected))[:5]
        raise BackupError(f"the archive's members differ from its manifest: {odd}")
    for name, digest in found.items():
        want = expected[name]
        if (digest["bytes"], digest["sha256"]) != (want["bytes"], want["sha256"]):
            raise BackupError(f"{name} is damaged (size or checksum differ from the manifest)")
    for entry in manifest["files"]:
        _check_name(entry["name"])
    return manifest


def _check_name(name: str) -> None:
    if not name or name.startswith("/") or posixpath.normpath(name) != name:
        raise BackupError(f"refusing the file name {name!r}")
    if ".." in name.split("/"):
        raise BackupError(f"refusing the file name {name!r}")


def nonempty_models(using: str = "default") -> list[str]:
    return [
        model._meta.label_lower
        for model in data_models()
        if model._base_manager.using(using).exists()
    ]


def restore_backup(
    path: Path, *, force: bool = False, using: str = "default", storage: Storage | None = None
) -> dict[str, Any]:
    """Replace the database's rows and write the files from the archive at `path`.
    Raises BackupError, having changed nothing, when the archive is damaged, was made at
    another migration state, or the database holds rows and `force` is false."""
    storage = storage or default_storage
    manifest = read_and_verify(path)
    here = applied_migrations(using)
    if here != manifest["migrations"]:
        missing = sorted(set(manifest["migrations"]) - set(here))
        extra = sorted(set(here) - set(manifest["migrations"]))
        raise BackupError(
            f"the backup was made at another migration state (Luodi "
            f"{manifest['app_version']}): not applied here {missing[:5]}, applied here only "
            f"{extra[:5]}. Restore with the version that made it, then upgrade."
        )
    occupied = nonempty_models(using)
    if occupied and not force:
        raise BackupError(
            f"the database is not empty ({', '.join(occupied[:5])}…); "
            "--force deletes its rows first"
        )
    with tarfile.open(path, "r:gz") as tar:
        for member in tar:
            source = tar.extractfile(member)
            assert source is not None  # read_and_verify saw regular files only
            if member.name == DATABASE:
                _load_database(source, manifest["database"]["rows"], bool(occupied), using)
            elif member.name.startswith(FILES):
                _write_file(storage, member.name.removeprefix(FILES), source, member.size)
    return manifest


def _load_database(source: IO[bytes], rows: dict[str, int], flush: bool, using: str) -> None:
    with tempfile.NamedTemporaryFile(suffix=".jsonl") as fixture:
        while chunk := source.read(CHUNK):
            fixture.write(chunk)
        fixture.flush()
        # One transaction: a failure anywhere leaves the database as it was.
        with transaction.atomic(using=using):
            if flush:
                call_command("flush", interactive=False, database=using, verbosity=0)
            call_command("loaddata", fixture.name, database=using, verbosity=0)
            _reset_sequences(using)
            loaded = {
                label: apps.get_model(label)._base_manager.using(using).count() for label in rows
            }
            if loaded != rows:
                wrong = {k: (rows[k], loaded[k]) for k in rows if rows[k] != loaded[k]}
                raise BackupError(f"rows loaded differ from the manifest: {wrong}")


def _reset_sequences(using: str) -> None:
    """Point PostgreSQL's id sequences past the restored ids (loaddata does this for the
    models it loaded rows into; this covers every model, whatever loaddata decides)."""
    connection = connections[using]
    statements = connection.ops.sequence_reset_sql(no_style(), data_models())
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _write_file(storage: Storage, name: str, source: IO[bytes], size: int) -> None:
    # Storages pick another name rather than overwrite; the restored rows name this one.
    if storage.exists(name):
        storage.delete(name)
    content = File(source, name=name)
    content.size = size
    saved = storage.save(name, content)
    if saved != name:
        raise BackupError(f"the storage saved {name} as {saved}")
