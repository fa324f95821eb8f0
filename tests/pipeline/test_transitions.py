from __future__ import annotations

import pytest
from django.db import IntegrityError

from luodi.accounts.models import AuditEntry
from luodi.catalog.models import ClinicalCenterProfile
from luodi.pipeline.choices import TRANSITIONS, ProjectStage, allowed_targets
from luodi.pipeline.domain.projects import GateWarnings, IllegalTransition, move_project
from luodi.pipeline.models import StageTransition
from tests.conftest import Personas
from tests.factories import OrganizationFactory, TermFactory
from tests.pipeline.factories import make_project

pytestmark = pytest.mark.django_db


def test_transition_table_covers_every_stage() -> None:
    assert set(TRANSITIONS) == set(ProjectStage.values)
    for targets in TRANSITIONS.values():
        assert set(targets) <= set(ProjectStage.values)


def test_move_lead_to_assessment_records_history_and_audit(personas: Personas) -> None:
    project = make_project(personas.staff, personas.org_a)

    move_project(actor=personas.staff, project=project, to_stage="assessment", note="first look")

    project.refresh_from_db()
    assert project.stage == "assessment"
    rows = list(project.transitions.values_list("from_stage", "to_stage", "actor_label", "note"))
    assert rows == [
        ("", "lead", "staff_user", "项目已创建。"),
        ("lead", "assessment", "staff_user", "first look"),
    ]
    assert AuditEntry.objects.filter(verb="project.move", target_id=str(project.pk)).count() == 1


def test_illegal_jump_is_refused_with_a_clear_message(personas: Personas) -> None:
    project = make_project(personas.staff, personas.org_a)

    with pytest.raises(IllegalTransition) as exc:
        move_project(actor=personas.staff, project=project, to_stage="landed")

    assert "Lead" in exc.value.message or "线索" in exc.value.message
    project.refresh_from_db()
    assert project.stage == "lead"
    assert project.transitions.count() == 1


def test_move_to_same_or_unknown_stage_is_refused(personas: Personas) -> None:
    project = make_project(personas.staff, personas.org_a)
    for target in ("lead", "nowhere"):
        with pytest.raises(IllegalTransition):
            move_project(actor=personas.staff, project=project, to_stage=target)


def test_pause_and_lost_need_a_reason(personas: Personas) -> None:
    project = make_project(personas.staff, personas.org_a, stage_path=("assessment",))
    with pytest.raises(IllegalTransition):
        move_project(actor=personas.staff, project=project, to_stage="paused", reason="  ")

    move_project(actor=personas.staff, project=project, to_stage="paused", reason="funding")

    project.refresh_from_db()
    assert (project.stage, project.paused_from, project.stage_reason) == (
        "paused",
        "assessment",
        "funding",
    )


def test_paused_project_resumes_only_where_it_stopped(personas: Personas) -> None:
    project = make_project(
        personas.staff, personas.org_a, stage_path=("assessment", "matchmaking", "paused")
    )
    assert allowed_targets(project.stage, project.paused_from) == ("matchmaking", "lost")
    with pytest.raises(IllegalTransition):
        move_project(actor=personas.staff, project=project, to_stage="negotiation")

    move_project(actor=personas.staff, project=project, to_stage="matchmaking")

    project.refresh_from_db()
    assert (project.stage, project.paused_from) == ("matchmaking", "")


def test_lost_project_can_only_reopen_as_lead(personas: Personas) -> None:
    project = make_project(personas.staff, personas.org_a, stage_path=("lost",))
    assert allowed_targets(project.stage) == ("lead",)
    with pytest.raises(IllegalTransition):
        move_project(actor=personas.staff, project=project, to_stage="assessment")


def test_gate_warns_about_missing_signed_agreement_until_confirmed(personas: Personas) -> None:
    project = make_project(
        personas.staff, personas.org_a, stage_path=("assessment", "matchmaking", "negotiation")
    )

    with pytest.raises(GateWarnings) as exc:
        move_project(actor=personas.staff, project=project, to_stage="agreement_signed")
    assert len(exc.value.warnings) == 1
    project.refresh_from_db()
    assert project.stage == "negotiation"

    row = move_project(
        actor=personas.staff, project=project, to_stage="agreement_signed", confirm_warnings=True
    )
    assert row.warnings == exc.value.warnings


def test_in_trials_gate_checks_center_filed_for_the_needed_specialty(
    personas: Personas,
) -> None:
    cardiology = TermFactory(scheme="specialty", code="CARD")
    oncology = TermFactory(scheme="specialty", code="ONC")
    hospital = OrganizationFactory(kind="hospital")
    ClinicalCenterProfile.objects.create(organization=hospital).specialties.set([oncology])
    project = make_project(
        personas.staff,
        personas.org_a,
        needed_specialty=cardiology,
        regulatory_step="phase1",
        stage_path=("assessment", "matchmaking", "negotiation", "agreement_signed", "landed"),
    )
    project.clinical_centers.set([hospital])

    with pytest.raises(GateWarnings) as exc:
        move_project(actor=personas.staff, project=project, to_stage="in_trials")
    assert len(exc.value.warnings) == 1
    assert str(cardiology) in exc.value.warnings[0]

    hospital.clinical_center.specialties.add(cardiology)
    move_project(actor=personas.staff, project=project, to_stage="in_trials")
    project.refresh_from_db()
    assert project.stage == "in_trials"


def test_in_trials_gate_warns_when_drug_has_no_ind(personas: Personas) -> None:
    project = make_project(
        personas.staff,
        personas.org_a,
        regulatory_step="preclinical",
        stage_path=("assessment", "matchmaking", "negotiation", "agreement_signed", "landed"),
    )
    with pytest.raises(GateWarnings) as exc:
        move_project(actor=personas.staff, project=project, to_stage="in_trials")
    assert any("IND" in w for w in exc.value.warnings)


def test_stage_history_rows_cannot_be_changed_or_deleted(personas: Personas) -> None:
    project = make_project(personas.staff, personas.org_a, stage_path=("assessment",))
    row = project.transitions.last()
    assert row is not None

    row.note = "rewritten"
    with pytest.raises(TypeError):
        row.save()
    with pytest.raises(TypeError):
        row.delete()
    with pytest.raises(TypeError):
        StageTransition.objects.filter(pk=row.pk).update(note="rewritten")
    with pytest.raises(TypeError):
        StageTransition.objects.filter(pk=row.pk).delete()
    with pytest.raises((IntegrityError, Exception)):
        project.delete()  # PROTECT: history keeps the project

    assert StageTransition.objects.get(pk=row.pk).note == ""
    assert project.transitions.count() == 2


def test_time_in_stage_is_counted_from_the_last_move(personas: Personas) -> None:
    from datetime import timedelta

    from django.utils import timezone

    project = make_project(personas.staff, personas.org_a)
    move_project(
        actor=personas.staff,
        project=project,
        to_stage="assessment",
        at=timezone.now() - timedelta(days=9),
    )
    project.refresh_from_db()
    assert project.days_in_stage == 9
