"""/healthz (readiness: database, cache, storage, this process's search index) and
/healthz/live (liveness, no dependencies)."""

from __future__ import annotations

import pytest
from django.test import Client

from luodi.retrieval import generations
from luodi.retrieval.indexing import rebuild_all
from luodi.retrieval.kinds import KINDS
from tests.factories import AchievementFactory

pytestmark = pytest.mark.usefixtures("fresh_search_index")

# A port where nothing listens: connections are refused at once.
CLOSED = "127.0.0.1:9"


@pytest.mark.django_db(transaction=True)
def test_not_ready_before_the_first_index_build() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["search"] == "failed: LookupError"


@pytest.mark.django_db(transaction=True)
def test_ready_loads_the_search_index_and_passes_every_check() -> None:
    AchievementFactory(title_zh="健康检查支架", title_en="")
    rebuild_all()  # what the worker does first
    generations.forget()  # a process that has not loaded anything yet
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "ready": True,
        "checks": {"database": "ok", "cache": "ok", "storage": "ok", "search": "ok"},
    }
    assert response["Cache-Control"].startswith("max-age=0")
    assert set(generations._loaded) == set(KINDS)


@pytest.mark.django_db(transaction=True)
def test_not_ready_names_the_unreachable_cache_and_liveness_stays_up(settings) -> None:
    rebuild_all()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://{CLOSED}/0",
        }
    }
    response = Client().get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["ready"] is False
    assert body["checks"]["cache"] == "failed: ConnectionError"
    assert {k: v for k, v in body["checks"].items() if k != "cache"} == {
        "database": "ok",
        "storage": "ok",
        "search": "ok",
    }
    live = Client().get("/healthz/live")
    assert (live.status_code, live.json()) == (200, {"live": True})


@pytest.mark.django_db(transaction=True)
def test_not_ready_names_the_unreachable_object_storage(settings) -> None:
    from botocore.config import Config

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "luodi",
                "endpoint_url": f"http://{CLOSED}",
                "access_key": "k",
                "secret_key": "s",
                "region_name": "us-east-1",
                "client_config": Config(retries={"max_attempts": 1}, connect_timeout=1),
            },
        },
    }
    body = Client().get("/healthz").json()
    assert body["ready"] is False
    assert body["checks"]["storage"].startswith("failed: ")
    assert body["checks"]["database"] == "ok"


@pytest.mark.django_db(transaction=True)
def test_not_ready_while_the_search_index_cannot_load(monkeypatch: pytest.MonkeyPatch) -> None:
    from luodi.search import index

    def fails() -> None:
        raise RuntimeError("the index files could not be read")

    rebuild_all()
    monkeypatch.setattr(index, "warm", fails)
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["search"] == "failed: RuntimeError"


@pytest.mark.django_db(transaction=True)
def test_probes_need_no_sign_in_and_are_not_redirected_to_https(settings) -> None:
    rebuild_all()
    settings.SECURE_SSL_REDIRECT = True
    assert Client().get("/healthz").status_code == 200
    assert Client().head("/healthz/live").status_code == 200
    assert Client().get("/catalog/").status_code == 301  # everything else is redirected
