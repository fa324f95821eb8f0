"""Pipeline test data, built through the domain so rows look like real ones."""

from __future__ import annotations

from typing import Any

from luodi.accounts.models import User
from luodi.catalog.models import Organization
from luodi.pipeline.domain.projects import create_project, move_project
from luodi.pipeline.models import Project
from tests.factories import AchievementFactory


def make_project(
    actor: User, owner: Organization, *, stage_path: tuple[str, ...] = (), **fields: Any
) -> Project:
    achievement = AchievementFactory(owner=owner)
    title = fields.pop("title", "")
    project = create_project(actor=actor, achievement=achievement, title=title, fields=fields)
    for stage in stage_path:
        move_project(
            actor=actor,
            project=project,
            to_stage=stage,
            confirm_warnings=True,
            reason="test" if stage in ("paused", "lost") else "",
        )
    project.refresh_from_db()
    return project
