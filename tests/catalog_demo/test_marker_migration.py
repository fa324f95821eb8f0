"""Upgrading a database loaded by an older demo: the text markers leave flagged rows (so the
demo loader finds its records by name again) and never touch a real record."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from luodi.catalog.models import Organization
from tests.factories import AchievementFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("luodi.catalog.migrations.0012_demo_marked_by_flag")


def test_markers_leave_demo_rows_and_real_rows_keep_their_words() -> None:
    demo = OrganizationFactory(
        name_zh="蓉创精准医疗科技有限公司（演示）",
        name_en="Rongchuang Precision Medicine (demo)",
        is_demo=True,
    )
    real = OrganizationFactory(name_zh="演示科技（演示）有限公司", is_demo=False)
    achievement = AchievementFactory(
        owner=demo, summary_zh="一项虚构成果。（演示数据）", summary_en="Fictional. (demo data)"
    )
    achievement.is_demo = True
    achievement.save()

    migration.forwards(apps, None)  # type: ignore[arg-type]

    demo.refresh_from_db()
    achievement.refresh_from_db()
    assert (demo.name_zh, demo.name_en) == (
        "蓉创精准医疗科技有限公司",
        "Rongchuang Precision Medicine",
    )
    assert (achievement.summary_zh, achievement.summary_en) == ("一项虚构成果。", "Fictional.")
    assert Organization.objects.get(pk=real.pk).name_zh == "演示科技（演示）有限公司"
