"""The demo carries landed projects through milestones with lags, figures, commitments and
subsidies, with one stalled project: the after-landing pages show real content."""

from __future__ import annotations

import io

import pytest

from luodi import demo
from luodi.aftercare.models import FigureReport, Milestone, Subsidy
from luodi.aftercare.stalls import CAPITAL, OVERDUE, stalled
from luodi.pipeline.models import Project

pytestmark = pytest.mark.django_db


def test_demo_follows_landed_projects_with_one_stalled() -> None:
    demo.load(io.StringIO())
    demo.load(io.StringIO())  # idempotent

    landed = Project.objects.filter(is_demo=True, landing__isnull=False)
    assert landed.count() >= 5
    assert not landed.filter(milestones__isnull=True).exists()
    lags = [m.lag_days for m in Milestone.objects.all() if m.lag_days is not None]
    assert any(lag > 0 for lag in lags) and any(lag == 0 for lag in lags)
    assert FigureReport.objects.filter(output_wan__gt=0).exists()
    assert Subsidy.objects.filter(status="paid").exists()
    found = stalled(Project.objects.all())
    assert any({OVERDUE, CAPITAL} <= set(s.codes) for s in found.values())
    assert len(found) < landed.count()  # most are on track
