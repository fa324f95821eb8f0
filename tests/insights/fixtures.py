"""A hand-built portfolio whose funnel and times are known by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from luodi.catalog.models import Organization
from luodi.pipeline.models import LandingRecord, Project, StageTransition
from tests.factories import AchievementFactory, OrganizationFactory

DAY0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
PATH = ["lead", "assessment", "matchmaking", "negotiation", "agreement_signed", "landed"]


def project_with_history(
    owner: Organization, moves: list[tuple[str, int]], **fields: Any
) -> Project:
    """A project whose stage history is `moves`: (stage, day after DAY0)."""
    achievement = fields.pop("achievement", None) or AchievementFactory(owner=owner)
    project = Project.objects.create(
        title=fields.pop("title", f"Project {achievement.pk}"),
        achievement=achievement,
        owner=owner,
        stage=moves[-1][0],
        created_at=DAY0,
        stage_entered_at=DAY0 + timedelta(days=moves[-1][1]),
        **fields,
    )
    previous = ""
    for stage, day in moves:
        StageTransition.objects.create(
            project=project,
            from_stage=previous,
            to_stage=stage,
            created_at=DAY0 + timedelta(days=day),
        )
        previous = stage
    return project


def portfolio(owner: Organization) -> dict[str, Project]:
    """P1 lands on day 50, P2 on day 100 (then produces), P5 on day 130; P3 is lost after
    matchmaking; P4 stays a lead.

    funnel: lead 5, assessment 4, matchmaking 4, negotiation 3, agreement 3, landed 3
    time to landing: [50, 100, 130] → median 100, p90 124 (linear interpolation)
    days in lead: P1 10, P2 20, P3 10, P5 4 → median 10
    """
    park = OrganizationFactory(kind="park", name_zh="测试园区", name_en="Test Park")
    p1 = project_with_history(owner, list(zip(PATH, [0, 10, 20, 30, 40, 50], strict=True)))
    p2 = project_with_history(
        owner, [*zip(PATH, [0, 20, 40, 60, 80, 100], strict=True), ("in_production", 120)]
    )
    p3 = project_with_history(
        owner, [("lead", 0), ("assessment", 10), ("matchmaking", 30), ("lost", 40)]
    )
    p4 = project_with_history(owner, [("lead", 0)])
    p5 = project_with_history(owner, list(zip(PATH, [0, 4, 20, 50, 60, 130], strict=True)))
    for p, inv in ((p1, 1000), (p2, 500), (p5, 250)):
        LandingRecord.objects.create(
            project=p,
            entity_name=f"Entity {p.pk}",
            park=park,
            investment_wan=inv,
            area_m2=100,
            jobs_planned=10,
        )
    return {"p1": p1, "p2": p2, "p3": p3, "p4": p4, "p5": p5, "park": park}  # type: ignore[dict-item]
