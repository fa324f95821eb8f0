"""`luodi backup` / `luodi restore`: rows and stored files survive a wipe, on the local
filesystem and on S3, and a restore that would lose data refuses before touching anything."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from luodi.accounts.models import AuditEntry, Membership, User
from luodi.catalog.models import Organization
from luodi.ops.backup import stored_files
from luodi.pipeline.domain.agreements import create_agreement, upload_document
from luodi.pipeline.models import Agreement, AgreementDocument
from tests.conftest import Personas
from tests.pipeline.factories import make_project

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n" + bytes(range(256)) * 40


@pytest.fixture
def local_media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def s3_bucket(settings) -> Iterator[str]:
    """The default storage on an S3 bucket (moto's in-process S3)."""
    import boto3
    from moto import mock_aws

    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="luodi-backup-test")
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": "luodi-backup-test",
                    "region_name": "us-east-1",
                    "access_key": "test",
                    "secret_key": "test",
                    "default_acl": None,
                    "file_overwrite": False,
                },
            },
        }
        yield "luodi-backup-test"


def _agreement_with_document(personas: Personas) -> AgreementDocument:
    project = make_project(personas.staff, personas.org_a, company=personas.org_b)
    agreement = create_agreement(
        actor=personas.staff,
        project=project,
        values={"kind": "intention", "title": "合作意向书"},
        parties=[personas.org_a, personas.org_b],
    )
    return upload_document(
        actor=personas.staff,
        agreement=agreement,
        upload=SimpleUploadedFile("意向书.pdf", PDF),
        doc_type="contract",
    )


def _wipe() -> None:
    call_command("flush", interactive=False, verbosity=0)
    for name in list(stored_files(default_storage)):
        default_storage.delete(name)


def _round_trip(personas: Personas, tmp_path: Path) -> None:
    doc = _agreement_with_document(personas)
    audit_entries = AuditEntry.objects.count()
    partner_password = User.objects.get(username="partner_a").password
    archive = tmp_path / "luodi.tar.gz"
    call_command("backup", str(archive), verbosity=0)

    _wipe()
    assert (Agreement.objects.count(), list(stored_files(default_storage))) == (0, [])

    call_command("restore", str(archive), verbosity=0)
    restored = AgreementDocument.objects.select_related("agreement").get(pk=doc.pk)
    assert restored.agreement.title == "合作意向书"
    assert set(restored.agreement.parties.values_list("name_en", flat=True)) == {"Org A", "Org B"}
    assert restored.file.name == doc.file.name
    with restored.file.open("rb") as stored:
        assert stored.read() == PDF
    assert User.objects.get(username="partner_a").password == partner_password
    assert Membership.objects.get(user__username="partner_a").organization.name_en == "Org A"
    assert AuditEntry.objects.count() == audit_entries
    # Ids continue after the restored ones (PostgreSQL: the sequences were reset).
    newest = Organization.objects.order_by("-pk").first()
    assert newest is not None
    assert Organization.objects.create(name_zh="新机构", name_en="New").pk > newest.pk


def test_round_trip_on_the_local_filesystem(
    personas: Personas, tmp_path: Path, local_media: Path
) -> None:
    _round_trip(personas, tmp_path)


def test_round_trip_on_s3(personas: Personas, tmp_path: Path, s3_bucket: str) -> None:
    _round_trip(personas, tmp_path)


def test_manifest_lists_migrations_rows_and_file_checksums(
    personas: Personas, tmp_path: Path, local_media: Path
) -> None:
    doc = _agreement_with_document(personas)
    archive = tmp_path / "luodi.tar.gz"
    call_command("backup", str(archive), verbosity=0)
    assert archive.stat().st_mode & 0o777 == 0o600
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    stored = sorted(stored_files(default_storage))  # the document, and index generations
    assert names == ["database.jsonl", *(f"files/{name}" for name in stored), "manifest.json"]
    assert {
        "name": doc.file.name,
        "bytes": len(PDF),
        "sha256": hashlib.sha256(PDF).hexdigest(),
    } in (manifest["files"])
    assert manifest["database"]["rows"]["pipeline.agreementdocument"] == 1
    assert manifest["database"]["rows"]["accounts.user"] == User.objects.count()
    assert "pipeline.0001_initial" in manifest["migrations"]


def test_restore_refuses_a_database_with_rows_unless_forced(
    personas: Personas, tmp_path: Path, local_media: Path
) -> None:
    archive = tmp_path / "luodi.tar.gz"
    call_command("backup", str(archive), verbosity=0)
    Organization.objects.filter(name_en="Org A").update(name_en="Renamed after the backup")

    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive), verbosity=0)
    assert Organization.objects.filter(name_en="Renamed after the backup").exists()

    call_command("restore", str(archive), force=True, verbosity=0)
    assert set(Organization.objects.values_list("name_en", flat=True)) == {"Org A", "Org B"}


def _rewrite(archive: Path, out: Path, *, member: str, change: bytes) -> None:
    """A copy of `archive` with `member`'s content replaced (the manifest left as it was,
    unless `member` is the manifest)."""
    with tarfile.open(archive) as src, tarfile.open(out, "w:gz") as dst:
        for info in src.getmembers():
            data = src.extractfile(info).read()  # type: ignore[union-attr]
            if info.name == member:
                data, info.size = change, len(change)
            dst.addfile(info, io.BytesIO(data))


def test_restore_refuses_a_damaged_archive_or_another_migration_state(
    personas: Personas, tmp_path: Path, local_media: Path
) -> None:
    doc = _agreement_with_document(personas)
    archive = tmp_path / "luodi.tar.gz"
    call_command("backup", str(archive), verbosity=0)
    _wipe()

    damaged = tmp_path / "damaged.tar.gz"
    _rewrite(archive, damaged, member=f"files/{doc.file.name}", change=PDF[:-1] + b"!")
    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", str(damaged), verbosity=0)

    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    manifest["migrations"].append("pipeline.9999_from_the_future")
    newer = tmp_path / "newer.tar.gz"
    _rewrite(archive, newer, member="manifest.json", change=json.dumps(manifest).encode())
    with pytest.raises(CommandError, match="9999_from_the_future"):
        call_command("restore", str(newer), verbosity=0)

    # Nothing was written by either attempt.
    assert (User.objects.count(), list(stored_files(default_storage))) == (0, [])
    shutil.rmtree(local_media, ignore_errors=True)
