"""The multi-node leg (`make test-multinode`, its own CI leg): see cluster.py."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from tests.multinode.cluster import (
    Cluster,
    flush_redis,
    fresh_database,
    s3_server,
    services_missing,
    wait_for,
)

BUCKET = "luodi-multinode"


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    missing = services_missing()
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"multi-node tests cannot run under CI: {missing}")
        pytest.skip(f"multi-node tests skipped: {missing}")
    base: Path = tmp_path_factory.mktemp("multinode")
    with s3_server() as s3_url:
        boto3.client(
            "s3",
            endpoint_url=s3_url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            region_name="us-east-1",
        ).create_bucket(Bucket=BUCKET)
        flush_redis()
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/root"),
            "LUODI_SECRET_KEY": secrets.token_urlsafe(40),  # one key, shared by all machines
            "LUODI_HTTPS": "false",
            "DATABASE_URL": fresh_database(),
            "LUODI_REDIS_URL": "redis://127.0.0.1:6379/7",
            "LUODI_S3_BUCKET": BUCKET,
            "LUODI_S3_ENDPOINT_URL": s3_url,
            "LUODI_S3_ACCESS_KEY": "testing",
            "LUODI_S3_SECRET_KEY": "testing",
            "LUODI_S3_REGION": "us-east-1",
            "LUODI_MATCH_ENCODER": "hashing",
            "LUODI_WORKERS": "1",
            "LUODI_JOB_WORKERS": "1",
            # Short enough that a killed worker's job comes back within the test.
            "LUODI_JOB_TIMEOUT": "15",
            "LUODI_JOB_LEASE": "20",
            "LUODI_INDEX_LEASE_SECONDS": "6",
            "LUODI_JOB_POLL_SECONDS": "0.2",
            "LUODI_INDEX_CHECK_SECONDS": "0.5",
            "LUODI_LOG_LEVEL": "INFO",
            # The staff session below signs in with the password alone (no phone here).
            "LUODI_STAFF_2FA": "false",
        }
        c = Cluster(base=base, env=env)
        try:
            c.luodi("migrate", "--noinput", "-v0")
            c.luodi("demo")
            c.token = c.shell(
                "import json; from luodi.accounts import domain; "
                "from luodi.accounts.models import User; "
                "t, raw = domain.create_api_token(actor=User.objects.get(username='staff'), "
                "name='multinode', scope='write', ip=None); print(json.dumps(raw))"
            )
            # Workers first: an app is ready (/healthz) once every index has been built.
            c.start_worker("w1")
            c.start_worker("w2")
            wait_for("the demo's index build", c.jobs_idle, timeout=240, every=0.5)
            c.start_app("a")
            c.start_app("b")
            yield c
        finally:
            for proc in list(c.procs.values()):
                proc.stop()
