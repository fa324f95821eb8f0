"""The retrieval layer switched to Milvus for one test: its own collection prefix, dropped
after the test (the database rows roll back; the server's collections would not)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from luodi.retrieval import milvus_store


@contextmanager
def on_milvus(settings: Any, uri: str) -> Iterator[str]:
    prefix = f"t{uuid.uuid4().hex[:10]}"
    settings.LUODI_RETRIEVAL_BACKEND = "milvus"
    settings.LUODI_MILVUS_URI = uri
    settings.LUODI_MILVUS_PREFIX = prefix
    milvus_store.forget()
    try:
        yield prefix
    finally:
        milvus_store.forget()
        from pymilvus import MilvusClient

        client = MilvusClient(uri=uri)
        for name in client.list_collections():
            if name.startswith(prefix):
                client.drop_collection(name)
        client.close()
