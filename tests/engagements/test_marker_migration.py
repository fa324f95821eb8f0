"""Upgrading a database loaded by an older demo: the text markers leave flagged visits and the
rows that belong to them, so `luodi demo` finds its visit by its exact title; a real visit
keeps every word."""

from __future__ import annotations

import importlib
from datetime import date

import pytest
from django.apps import apps

from luodi.engagements.models import Visit, VisitStop
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("luodi.engagements.migrations.0007_demo_marked_by_flag")


def test_markers_leave_demo_visits_and_their_stops_only() -> None:
    organizer = OrganizationFactory()
    demo = Visit.objects.create(
        title_zh="陪同企业董事长考察成都医学城等园区（演示）",
        title_en="Taking a chairman to inspect parks (demo)",
        purpose="按企业需求起草行程（演示数据）",
        date=date(2026, 5, 1),
        organizer=organizer,
        is_demo=True,
    )
    stop = VisitStop.objects.create(visit=demo, place="会展中心", minutes="座谈。（演示数据）")
    real = Visit.objects.create(
        title_zh="（演示）设备采购考察", date=date(2026, 5, 2), organizer=organizer
    )
    real_stop = VisitStop.objects.create(visit=real, minutes="演示（演示数据）样机")

    migration.forwards(apps, None)  # type: ignore[arg-type]

    demo.refresh_from_db()
    stop.refresh_from_db()
    assert (demo.title_zh, demo.title_en, demo.purpose) == (
        "陪同企业董事长考察成都医学城等园区",
        "Taking a chairman to inspect parks",
        "按企业需求起草行程",
    )
    assert stop.minutes == "座谈。"
    assert Visit.objects.get(pk=real.pk).title_zh == "（演示）设备采购考察"
    assert VisitStop.objects.get(pk=real_stop.pk).minutes == "演示（演示数据）样机"
