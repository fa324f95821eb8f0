"""Upgrading a database loaded by an older demo: the text markers leave the landing records of
flagged projects; a real project's landing keeps every word."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from luodi.pipeline.models import LandingRecord, Project
from tests.factories import AchievementFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("luodi.pipeline.migrations.0008_demo_landing_markers")


def _project(is_demo: bool) -> Project:
    owner = OrganizationFactory()
    achievement = AchievementFactory(owner=owner)
    return Project.objects.create(
        title="项目", achievement=achievement, owner=owner, is_demo=is_demo
    )


def test_markers_leave_demo_landings_only() -> None:
    demo = LandingRecord.objects.create(
        project=_project(True),
        entity_name="成都康源生物科技有限公司（演示）",
        notes="演示数据",
    )
    real = LandingRecord.objects.create(
        project=_project(False),
        entity_name="演示（演示）科技有限公司",
        notes="演示数据",
    )

    migration.forwards(apps, None)  # type: ignore[arg-type]

    demo.refresh_from_db()
    assert (demo.entity_name, demo.notes) == ("成都康源生物科技有限公司", "")
    real.refresh_from_db()
    assert (real.entity_name, real.notes) == ("演示（演示）科技有限公司", "演示数据")
