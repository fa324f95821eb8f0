from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate


def create_cache_table(using: str = "default", verbosity: int = 1, **kwargs: Any) -> None:
    """`createcachetable` after every migrate: the shared cache (rate limits) is a table in
    the database unless LUODI_REDIS_URL is set, and it must exist before the first request
    without anybody remembering an extra command. Existing tables are left alone; a Redis
    cache needs no table and the command then does nothing."""
    # One level quieter than migrate: "already exists" on every run is noise.
    call_command("createcachetable", database=using, verbosity=max(0, verbosity - 1))


class OpsConfig(AppConfig):
    name = "luodi.ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from luodi.ops import checks  # noqa: F401 - registers the system checks

        post_migrate.connect(create_cache_table, sender=self, dispatch_uid="luodi-cache-table")
