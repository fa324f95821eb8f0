"""Files on shared storage: agreement documents, reports and pending imports go to an
S3-compatible bucket (moto's server, tests/storage_fixtures.py) and come back only through
the permission-checked views."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from luodi.accounts.models import Role
from luodi.catalog.models import Organization
from luodi.ingest import pending
from luodi.ingest.models import ImportRun
from luodi.insights import reports
from luodi.insights.models import JobStatus
from luodi.pipeline.domain.agreements import create_agreement
from luodi.pipeline.models import AgreementDocument
from tests.conftest import Personas, client_for
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.ingest.conftest import write_xlsx
from tests.ingest.test_tables import HEADERS, ROWS
from tests.pipeline.factories import make_project
from tests.storage_fixtures import (
    ACCESS_KEY,
    REGION,
    SECRET_KEY,
    S3Bucket,
    s3_default_storage,
    skip_or_fail,
)

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _local_dirs(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Anything written locally would land here, where the tests look for it.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path / "var"


def _local_files(tmp_path: Path) -> list[Path]:
    return [p for p in tmp_path.rglob("*") if p.is_file() and p.suffix != ".xlsx"]


def test_settings_build_the_fixtures_s3_storage_from_the_environment() -> None:
    env = {
        **os.environ,
        "LUODI_SECRET_KEY": "x",
        "LUODI_S3_BUCKET": "shared-bucket",
        "LUODI_S3_ENDPOINT_URL": "http://127.0.0.1:9",
        "LUODI_S3_ACCESS_KEY": ACCESS_KEY,
        "LUODI_S3_SECRET_KEY": SECRET_KEY,
        "LUODI_S3_REGION": REGION,
        "LUODI_S3_PREFIX": "luodi",
    }
    script = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps(settings.STORAGES['default']))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        env={**env, "DJANGO_SETTINGS_MODULE": "luodi.settings"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    assert json.loads(out) == s3_default_storage(
        endpoint="http://127.0.0.1:9", bucket="shared-bucket", prefix="luodi"
    )


def test_missing_s3_server_skips_locally_but_fails_under_ci(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception):
        skip_or_fail("moto is missing")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        skip_or_fail("moto is missing")


def _outsider() -> object:
    """A partner of an organization that is party to nothing here."""
    user = UserFactory(username="outsider", role=Role.PARTNER)
    MembershipFactory(user=user, organization=OrganizationFactory(name_zh="丙机构"))
    return user


def test_agreement_document_is_stored_in_the_bucket_and_downloaded_by_parties_only(
    personas: Personas, s3_storage: S3Bucket, tmp_path: Path
) -> None:
    project = make_project(personas.staff, personas.org_a, company=personas.org_b)
    agreement = create_agreement(
        actor=personas.staff,
        project=project,
        values={"kind": "intention", "title": "合作意向书"},
        parties=[personas.org_a, personas.org_b],
    )
    client_for(personas.staff).post(
        f"/projects/agreements/{agreement.pk}/documents/",
        {"doc_type": "contract", "file": SimpleUploadedFile("意向书.pdf", PDF)},
    )
    doc = AgreementDocument.objects.get()

    response = client_for(personas.partner_b).get(f"/projects/documents/{doc.pk}/")
    denied = client_for(_outsider()).get(f"/projects/documents/{doc.pk}/")  # type: ignore[arg-type]

    assert s3_storage.keys() == [f"luodi/{doc.file.name}"]
    assert s3_storage.read(f"luodi/{doc.file.name}") == PDF
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Length"] == str(len(PDF))
    assert b"".join(response.streaming_content) == PDF
    assert denied.status_code == 404
    assert _local_files(tmp_path) == []


@pytest.mark.skipif(not reports.CJK_FONT.exists(), reason=f"{reports.CJK_FONT} missing")
def test_report_is_built_into_the_bucket_and_downloaded_by_its_requester_only(
    personas: Personas, s3_storage: S3Bucket, tmp_path: Path
) -> None:
    job = reports.request_report(
        actor=personas.partner_a, start=date(2026, 1, 1), end=date(2026, 1, 31)
    )
    job.refresh_from_db()
    stored = s3_storage.read(f"luodi/{job.pdf.name}")

    page = client_for(personas.partner_a).get(f"/insights/reports/{job.pk}/pdf/")
    api = client_for(personas.partner_a).get(f"/api/insights/reports/{job.pk}/file/xlsx")
    other = client_for(personas.partner_b).get(f"/insights/reports/{job.pk}/pdf/")
    other_api = client_for(personas.partner_b).get(f"/api/insights/reports/{job.pk}/file/pdf")

    assert job.status == JobStatus.DONE
    assert s3_storage.keys() == sorted([f"luodi/{job.pdf.name}", f"luodi/{job.xlsx.name}"])
    assert stored.startswith(b"%PDF")
    assert page.status_code == 200 and b"".join(page.streaming_content) == stored
    assert b"".join(api.streaming_content) == s3_storage.read(f"luodi/{job.xlsx.name}")
    assert (other.status_code, other_api.status_code) == (404, 404)
    assert _local_files(tmp_path) == []


def _upload(client, tmp_path: Path, rows: list[list[object]]) -> str:  # type: ignore[no-untyped-def]
    data = write_xlsx(tmp_path / "机构.xlsx", rows).read_bytes()
    response = client.post(
        "/import/", {"kind": "organizations", "file": SimpleUploadedFile("机构.xlsx", data)}
    )
    assert response.status_code == 302
    return str(response["Location"])


def test_pending_import_round_trip_through_the_bucket(
    personas: Personas, s3_storage: S3Bucket, tmp_path: Path
) -> None:
    client = client_for(personas.staff)
    url = _upload(client, tmp_path, [HEADERS, *ROWS])
    token = url.rstrip("/").rsplit("/", 1)[-1]
    key = f"luodi/imports/pending/{token}.json"
    stored = json.loads(s3_storage.read(key))

    other = client_for(personas.partner_b).get(url)
    report = client.post(url, {f"col_{i}": k for i, k in enumerate(stored["mapping"])})
    after_mapping = s3_storage.keys()
    done = client.post(f"{url}run/", {"mode": "good"})

    assert (stored["user_id"], len(stored["rows"])) == (personas.staff.pk, len(ROWS))
    assert other.status_code == 404
    assert report.status_code == 200 and 'data-testid="bad-rows"' in report.content.decode()
    assert after_mapping == [key]  # the mapping replaced the file, no second copy
    assert 'data-testid="result"' in done.content.decode()
    assert Organization.objects.count() == 5
    assert s3_storage.keys() == []  # imported: the pending file is gone
    assert _local_files(tmp_path) == []


def test_expired_pending_imports_are_refused_and_cleaned_from_the_bucket(
    personas: Personas, s3_storage: S3Bucket, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_for(personas.staff)
    _upload(client, tmp_path, [HEADERS, *ROWS])
    _upload(client, tmp_path, [HEADERS, *ROWS])
    kept = pending.cleanup()  # both are fresh
    removed = pending.cleanup(max_age=-60)  # both are "older" than a minute in the future
    left_by_cleanup = s3_storage.keys()
    third = _upload(client, tmp_path, [HEADERS, *ROWS])
    monkeypatch.setattr(pending, "MAX_AGE", -1)  # now even a new upload is too old

    response = client.get(third)

    assert (kept, removed, left_by_cleanup) == (0, 2, [])
    assert response.status_code == 404
    assert s3_storage.keys() == []  # refused and removed when it was read


def test_large_import_runs_as_a_job_from_the_bucket(
    personas: Personas, s3_storage: S3Bucket, tmp_path: Path, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.LUODI_IMPORT_INLINE_ROWS = 2
    client = client_for(personas.staff)
    url = _upload(client, tmp_path, [HEADERS, *ROWS])
    client.post(url, {f"col_{i}": k for i, k in enumerate(["name_zh", "name_en", "kind"])})

    response = client.post(f"{url}run/", {"mode": "good"})
    run = ImportRun.objects.get()

    assert response["Location"] == f"/import/runs/{run.pk}/"
    assert (run.status, run.created, [e["line"] for e in run.errors]) == ("done", 3, [4, 6])
    assert s3_storage.keys() == []
