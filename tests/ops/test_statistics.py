"""The nightly job that keeps the query planner's statistics (ops.refresh_planner_statistics)."""

from __future__ import annotations

import pytest
from django.db import connection

from luodi.jobs.core import registered
from luodi.ops.tasks import refresh_planner_statistics
from tests.factories import AchievementFactory

pytestmark = pytest.mark.django_db


def _statistics_of(table: str) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if not cursor.fetchone()[0]:  # a new SQLite database has no statistics at all
                return []
            cursor.execute("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = %s", [table])
        else:
            cursor.execute("SELECT attname FROM pg_stats WHERE tablename = %s", [table])
        return list(cursor.fetchall())


def test_the_job_is_nightly() -> None:
    declared = registered()["ops.refresh_planner_statistics"]

    assert declared.daily_at == "03:15"


def test_the_planner_learns_the_achievements_table() -> None:
    AchievementFactory.create_batch(12)
    if connection.vendor == "sqlite":  # PostgreSQL's autovacuum may have analyzed it already
        assert _statistics_of("catalog_achievement") == []

    assert refresh_planner_statistics() == connection.vendor

    found = _statistics_of("catalog_achievement")
    if connection.vendor == "sqlite":
        assert "catalog_achievement_visible" in {idx for idx, _stat in found}
    else:
        assert {"status", "disclosure", "owner_id"} <= {name for (name,) in found}
