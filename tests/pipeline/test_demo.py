from __future__ import annotations

import io

import pytest

from luodi.pipeline import demo
from luodi.pipeline.choices import ProjectStage
from luodi.pipeline.models import LandingRecord, Project
from luodi.pipeline.validators import is_valid_uscc
from tests.conftest import Personas
from tests.factories import AchievementFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def test_demo_creates_nothing_without_achievements(personas: Personas) -> None:
    demo.load(io.StringIO())
    assert Project.objects.count() == 0


def test_demo_projects_in_every_stage_and_idempotent(personas: Personas) -> None:
    for _ in range(3):
        AchievementFactory(is_demo=True)
    OrganizationFactory(kind="park")
    OrganizationFactory(kind="hospital")

    demo.load(io.StringIO())
    demo.load(io.StringIO())

    stages = set(Project.objects.values_list("stage", flat=True))
    assert stages == set(ProjectStage.values)
    assert Project.objects.count() == len(demo.PLANS)
    assert not Project.objects.filter(is_demo=False).exists()
    assert all(
        is_valid_uscc(c) for c in LandingRecord.objects.values_list("credit_code", flat=True)
    )
    landed = Project.objects.filter(stage="landed").order_by("pk").first()
    assert landed is not None
    assert [t.to_stage for t in landed.transitions.all()] == [
        "lead",
        "assessment",
        "matchmaking",
        "negotiation",
        "agreement_signed",
        "landed",
    ]
    assert landed.days_in_stage == 90
