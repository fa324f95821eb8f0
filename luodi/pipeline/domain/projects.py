"""Writes on projects: create, edit, move between stages, notes, archive."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.catalog.models import Achievement, ClinicalNeed, Organization
from luodi.concurrency import claim
from luodi.pipeline.choices import (
    NEEDS_REASON,
    ProjectStage,
    allowed_targets,
)
from luodi.pipeline.domain.gates import check_gates
from luodi.pipeline.models import Project, ProjectNote, StageTransition
from luodi.pipeline.regulatory import path_for
from luodi.text import join_items

EDITABLE = [
    "title",
    "owner",
    "company",
    "investor",
    "target_park",
    "staff",
    "summary",
    "regulatory_step",
    "device_class",
    "needed_specialty",
]


class IllegalTransition(ValueError):
    """The move is not in the transition table (or lacks its reason)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class GateWarnings(Exception):
    """Prerequisites are missing; the move needs `confirm_warnings=True`."""

    def __init__(self, warnings: list[str]) -> None:
        super().__init__("; ".join(warnings))
        self.warnings = warnings


def stage_label(stage: str) -> str:
    return str(ProjectStage(stage).label) if stage in ProjectStage.values else stage


@transaction.atomic
def create_project(
    *,
    actor: User,
    title: str = "",
    achievement: Achievement | None = None,
    clinical_need: ClinicalNeed | None = None,
    owner: Organization | None = None,
    clinical_centers: Iterable[Organization] = (),
    fields: dict[str, Any] | None = None,
    is_demo: bool = False,
    at: datetime | None = None,
    ip: str | None = None,
) -> Project:
    """A new project in stage "lead", with its first (∅ → lead) history row."""
    if achievement is None and clinical_need is None:
        raise ValueError("A project needs an achievement or a clinical need.")
    subject: Achievement | ClinicalNeed = achievement or clinical_need  # type: ignore[assignment]
    if owner is None:
        owner = achievement.owner if achievement else clinical_need.organization  # type: ignore[union-attr]
    now = at or timezone.now()
    if not title.strip():
        # Parties without an NDA grant see the project: a confidential achievement's title
        # must not become the project's title by default.
        confidential = achievement is not None and achievement.disclosure == "confidential"
        title = (
            _("Confidential project of %(owner)s") % {"owner": owner}
            if confidential
            else subject.title
        )
    project = Project(
        title=(title or "").strip()[:255],
        achievement=achievement,
        clinical_need=clinical_need,
        owner=owner,
        created_by=actor,
        is_demo=is_demo,
        stage=ProjectStage.LEAD,
        stage_entered_at=now,
        created_at=now,
        **(fields or {}),
    )
    if (
        achievement is not None
        and not project.regulatory_step
        and achievement.stage in path_for(achievement.kind)
    ):
        project.regulatory_step = achievement.stage
    project.save()
    project.clinical_centers.set(list(clinical_centers))
    StageTransition.objects.create(
        project=project,
        from_stage="",
        to_stage=ProjectStage.LEAD,
        actor=actor,
        actor_label=actor.get_username(),
        note=_("Project opened."),
        created_at=now,
    )
    audit.record(
        actor=actor,
        verb="project.create",
        target=project,
        changes={"title": project.title, "stage": project.stage},
        ip=ip,
    )
    return project


@transaction.atomic
def update_project(
    *,
    actor: User,
    project: Project,
    values: dict[str, Any],
    clinical_centers: Iterable[Organization] | None = None,
    expected_version: int | None = None,
    ip: str | None = None,
) -> Project:
    """Raises concurrency.Conflict when `expected_version` (the version the editor loaded)
    is not the project's version any more; nothing is saved then."""
    names = [n for n in values if n in EDITABLE]
    claim(project, expected_version)
    before = audit.snapshot(project, names)
    for name in names:
        setattr(project, name, values[name])
    project.save(update_fields=[*names, "updated_at"])
    changes: dict[str, Any] = audit.field_changes(before, project, names)
    if clinical_centers is not None:
        centers = list(clinical_centers)
        project.clinical_centers.set(centers)
        changes["clinical_centers"] = sorted(str(c.pk) for c in centers)
    audit.record(actor=actor, verb="project.update", target=project, changes=changes, ip=ip)
    return project


@transaction.atomic
def move_project(
    *,
    actor: User,
    project: Project,
    to_stage: str,
    note: str = "",
    reason: str = "",
    confirm_warnings: bool = False,
    at: datetime | None = None,
    ip: str | None = None,
) -> StageTransition:
    """Move `project` to `to_stage` if the transition table allows it.

    Raises IllegalTransition for a move outside the table (or a pause/loss without a reason)
    and GateWarnings when prerequisites are missing and `confirm_warnings` is false.
    """
    # Lock the row (PostgreSQL) and re-read the stage: two people moving the same card at
    # once must not both succeed from the same starting stage.
    project = Project.objects.select_for_update().get(pk=project.pk)
    current = project.stage
    if to_stage not in ProjectStage.values:
        raise IllegalTransition(_("Unknown stage: %(stage)s.") % {"stage": to_stage})
    if to_stage == current:
        raise IllegalTransition(
            _('The project is already in "%(stage)s".') % {"stage": stage_label(current)}
        )
    allowed = allowed_targets(current, project.paused_from)
    if to_stage not in allowed:
        raise IllegalTransition(
            _('A project cannot move from "%(from)s" to "%(to)s". Allowed next: %(allowed)s.')
            % {
                "from": stage_label(current),
                "to": stage_label(to_stage),
                "allowed": join_items(stage_label(s) for s in allowed),
            }
        )
    reason = reason.strip()
    if to_stage in NEEDS_REASON and not reason:
        raise IllegalTransition(
            _('Give a reason for moving the project to "%(stage)s".')
            % {"stage": stage_label(to_stage)}
        )
    warnings = check_gates(project, to_stage)
    if warnings and not confirm_warnings:
        raise GateWarnings(warnings)
    now = at or timezone.now()
    row = StageTransition.objects.create(
        project=project,
        from_stage=current,
        to_stage=to_stage,
        actor=actor,
        actor_label=actor.get_username(),
        note=note.strip(),
        reason=reason,
        warnings=warnings,
        created_at=now,
    )
    project.paused_from = current if to_stage == ProjectStage.PAUSED else ""
    project.stage, project.stage_entered_at = to_stage, now
    project.stage_reason = reason if to_stage in NEEDS_REASON else ""
    project.save(
        update_fields=["stage", "stage_entered_at", "stage_reason", "paused_from", "updated_at"]
    )
    audit.record(
        actor=actor,
        verb="project.move",
        target=project,
        changes={"stage": [current, to_stage], "reason": reason, "warnings": warnings},
        ip=ip,
    )
    return row


@transaction.atomic
def add_note(*, actor: User, project: Project, text: str, ip: str | None = None) -> ProjectNote:
    note = ProjectNote.objects.create(project=project, author=actor, text=text.strip())
    audit.record(actor=actor, verb="project.note", target=project, ip=ip)
    return note


@transaction.atomic
def archive_project(*, actor: User, project: Project, ip: str | None = None) -> None:
    project.archived_at = None if project.archived_at else timezone.now()
    project.save(update_fields=["archived_at", "updated_at"])
    audit.record(
        actor=actor,
        verb="project.restore" if project.archived_at is None else "project.archive",
        target=project,
        ip=ip,
    )
