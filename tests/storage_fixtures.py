"""A real S3-compatible server for the tests: moto's server mode (from PyPI, a dev
dependency) on a free 127.0.0.1 port, one per test session, and a fresh bucket per test.

`s3_storage` points the default storage at that bucket with the options settings.py builds
from LUODI_S3_* (tests/storage/test_s3.py checks that the two agree), so documents, reports
and pending imports go over HTTP to a bucket exactly as they would in production.

moto is always installed with the dev extras, so these tests never skip under CI=true: a
missing moto fails them there instead of hiding the S3 path.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

ACCESS_KEY = "luodi-test"
SECRET_KEY = "luodi-test-secret"
REGION = "us-east-1"
PREFIX = "luodi"


def skip_or_fail(reason: str) -> None:
    """Skip on a developer's machine; fail under CI=true, where nothing may skip silently."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: this test must run, not skip)")
    pytest.skip(reason)


def s3_default_storage(*, endpoint: str, bucket: str, prefix: str = PREFIX) -> dict[str, Any]:
    """The STORAGES["default"] entry that settings.py builds for these LUODI_S3_* values."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint,
            "access_key": ACCESS_KEY,
            "secret_key": SECRET_KEY,
            "region_name": REGION,
            "location": prefix,
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
            "max_memory_size": 4 * 1024 * 1024,
        },
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as exc:
        skip_or_fail(f"moto[server] is not installed ({exc}); run `make` to install dev deps")
    # The server logs every request through werkzeug; the tests need only failures.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@dataclass
class S3Bucket:
    client: Any  # boto3's S3 client, to look at the bucket behind the storage's back
    name: str
    prefix: str

    def keys(self) -> list[str]:
        listing = self.client.list_objects_v2(Bucket=self.name)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def read(self, key: str) -> bytes:
        return bytes(self.client.get_object(Bucket=self.name, Key=key)["Body"].read())


@pytest.fixture
def s3_storage(s3_endpoint: str, settings: Any) -> S3Bucket:
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name=REGION,
    )
    bucket = f"luodi-test-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    # Django resets its storages when STORAGES changes (and again when the test ends).
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_default_storage(endpoint=s3_endpoint, bucket=bucket),
    }
    return S3Bucket(client=client, name=bucket, prefix=PREFIX)
