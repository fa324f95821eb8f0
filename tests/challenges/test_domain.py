"""Challenge and proposal writes: checks by field, status and stage transitions with their
history, deadlines, invitations, scores, versions and the award that opens a pipeline
project with its draft agreement."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from luodi.accounts.models import AuditEntry
from luodi.catalog.choices import OrganizationKind
from luodi.challenges import domain, proposals, tokens
from luodi.challenges.choices import ChallengeStatus, Stage, Visibility
from luodi.challenges.models import Challenge, Proposal, StageMove
from luodi.concurrency import Conflict
from luodi.pipeline.choices import AgreementKind, AgreementStatus, ProjectStage
from luodi.pipeline.models import Agreement, Project
from tests.challenges.helpers import (
    anonymous_proposal,
    challenge_values,
    make_challenge,
    org_proposal,
    proposal_values,
)
from tests.conftest import Personas
from tests.factories import AchievementFactory, ClinicalNeedFactory

pytestmark = pytest.mark.django_db


def test_save_challenge_refuses_missing_title_problem_and_inverted_budget(
    personas: Personas,
) -> None:
    values = challenge_values(
        personas.org_a,
        title_zh="",
        title_en="",
        problem_zh="",
        budget_min_fen=500,
        budget_max_fen=100,
    )
    with pytest.raises(ValidationError) as err:
        domain.save_challenge(actor=personas.partner_a, challenge=None, values=values)
    assert set(err.value.message_dict) == {"title_zh", "problem_zh", "budget_max_fen"}
    assert Challenge.objects.count() == 0


def test_challenge_status_moves_follow_the_table(personas: Personas) -> None:
    challenge = make_challenge(personas.partner_a, personas.org_a, open_it=False)
    assert challenge.status == ChallengeStatus.DRAFT
    domain.set_status(actor=personas.partner_a, challenge=challenge, status=ChallengeStatus.OPEN)
    assert challenge.opened_at is not None
    with pytest.raises(ValidationError):
        domain.set_status(
            actor=personas.partner_a, challenge=challenge, status=ChallengeStatus.AWARDED
        )
    domain.set_status(actor=personas.partner_a, challenge=challenge, status=ChallengeStatus.CLOSED)
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.CLOSED
    verbs = list(
        AuditEntry.objects.filter(verb__startswith="challenge.")
        .order_by("pk")
        .values_list("verb", flat=True)
    )
    assert verbs == ["challenge.create", "challenge.open", "challenge.closed"]


def test_opening_needs_a_deadline_not_past(personas: Personas) -> None:
    challenge = make_challenge(
        personas.partner_a,
        personas.org_a,
        open_it=False,
        deadline=timezone.localdate() - timedelta(days=1),
    )
    with pytest.raises(ValidationError) as err:
        domain.set_status(
            actor=personas.partner_a, challenge=challenge, status=ChallengeStatus.OPEN
        )
    assert "deadline" in err.value.message_dict
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.DRAFT


def test_stale_version_is_a_conflict_and_writes_nothing(personas: Personas) -> None:
    challenge = make_challenge(personas.partner_a, personas.org_a)
    loaded = challenge.version
    domain.save_challenge(
        actor=personas.partner_a,
        challenge=challenge,
        values={"timeline": "一年"},
        expected_version=loaded,
    )
    with pytest.raises(Conflict):
        domain.save_challenge(
            actor=personas.partner_a,
            challenge=Challenge.objects.get(pk=challenge.pk),
            values={"timeline": "两年"},
            expected_version=loaded,
        )
    assert Challenge.objects.get(pk=challenge.pk).timeline == "一年"


def test_anonymous_proposal_is_stored_with_history_and_confirmation(
    personas: Personas, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    challenge = make_challenge(personas.partner_a, personas.org_a)
    with django_capture_on_commit_callbacks(execute=True):
        proposal = proposals.submit(
            challenge=challenge,
            values=proposal_values(),
            actor=None,
            private_link=lambda p: f"https://luodi.example/challenges/p/{tokens.make(p.pk)}/",
        )
    assert proposal.stage == Stage.SCREEN and proposal.organization is None
    assert [(m.from_stage, m.to_stage) for m in proposal.moves.all()] == [("", "screen")]
    # The applicant's confirmation; partner_a (the poster's member) hears of it too.
    assert sorted(m.to for m in mail.outbox) == [["partner_a@example.org"], ["wang@example.org"]]
    assert tokens.make(proposal.pk) in mail.outbox[0].body


def test_proposal_after_the_deadline_is_refused(personas: Personas) -> None:
    challenge = make_challenge(personas.partner_a, personas.org_a)
    later = challenge.deadline + timedelta(days=1)
    with pytest.raises(ValidationError) as err:
        anonymous_proposal(challenge, today=later)
    # The message names the deadline day (in the active language).
    assert challenge.deadline.isoformat() in " ".join(err.value.messages)
    assert Proposal.objects.count() == 0


def test_proposal_missing_fields_is_refused_by_field(personas: Personas) -> None:
    challenge = make_challenge(personas.partner_a, personas.org_a)
    values = proposal_values(
        applicant_email="not-an-address", summary="", plan="  ", readiness=None
    )
    with pytest.raises(ValidationError) as err:
        proposals.submit(challenge=challenge, values=values, actor=None)
    assert set(err.value.message_dict) == {"applicant_email", "summary", "plan", "readiness"}
    assert Proposal.objects.count() == 0 and StageMove.objects.count() == 0


def test_invited_challenge_takes_proposals_only_from_invitees(personas: Personas) -> None:
    challenge = make_challenge(personas.partner_a, personas.org_a, visibility=Visibility.INVITED)
    with pytest.raises(ValidationError):
        anonymous_proposal(challenge)
    with pytest.raises(ValidationError) as err:
        org_proposal(challenge, personas.partner_b, personas.org_b)
    assert "organization" in err.value.message_dict
    domain.invite(actor=personas.partner_a, challenge=challenge, organizations=[personas.org_b])
    proposal = org_proposal(challenge, personas.partner_b, personas.org_b)
    assert proposal.organization == personas.org_b


def test_invite_refuses_the_poster_and_skips_those_invited(personas: Personas) -> None:
    challenge = make_challenge(personas.partner_a, personas.org_a)
    with pytest.raises(ValidationError):
        domain.invite(actor=personas.partner_a, challenge=challenge, organizations=[personas.org_a])
    first = domain.invite(
        actor=personas.partner_a, challenge=challenge, organizations=[personas.org_b]
    )
    again = domain.invite(
        actor=personas.partner_a, challenge=challenge, organizations=[personas.org_b]
    )
    assert (len(first), again) == (1, [])


def test_stage_moves_are_checked_recorded_and_versioned(personas: Personas) -> None:
    challenge = make_challenge(personas.partner_a, personas.org_a)
    proposal = anonymous_proposal(challenge)
    with pytest.raises(ValidationError):
        proposals.move(actor=personas.partner_a, proposal=proposal, to=Stage.FINALIST)
    with pytest.raises(ValidationError) as err:
        proposals.move(actor=personas.partner_a, proposal=proposal, to=Stage.DECLINED)
    assert "note" in err.value.message_dict
    loaded = Proposal.objects.get(pk=proposal.pk).version
    proposals.move(
        actor=personas.partner_a, proposal=proposal, to=Stage.ASSESS, expected_version=loaded
    )
    with pytest.raises(Conflict):
        proposals.move(
            actor=personas.staff, proposal=proposal, to=Stage.FINALIST, expected_version=loaded
        )
    proposal.refresh_from_db()
    assert proposal.stage == Stage.ASSESS
    moves = [(m.from_stage, m.to_stage, m.actor_label) for m in proposal.moves.all()]
    assert moves == [("", "screen", "wang@example.org"), ("screen", "assess", "partner_a")]


def test_score_replaces_the_reviewers_score_at_a_stage(personas: Personas) -> None:
    challenge = make_challenge(personas.partner_a, personas.org_a)
    proposal = anonymous_proposal(challenge)
    proposals.score(actor=personas.partner_a, proposal=proposal, value=2)
    proposals.score(actor=personas.partner_a, proposal=proposal, value=5, comment="好")
    with pytest.raises(ValidationError):
        proposals.score(actor=personas.partner_a, proposal=proposal, value=6)
    assert list(proposal.scores.values_list("stage", "score", "comment")) == [("screen", 5, "好")]


def _to_finalist(proposal: Proposal, actor) -> None:  # type: ignore[no-untyped-def]
    for stage in (Stage.ASSESS, Stage.FINALIST):
        proposals.move(actor=actor, proposal=proposal, to=stage)


def test_award_opens_a_project_and_a_draft_agreement(personas: Personas) -> None:
    personas.org_a.kind = OrganizationKind.PARK
    personas.org_a.save()
    challenge = make_challenge(personas.partner_a, personas.org_a)
    achievement = AchievementFactory(owner=personas.org_b)
    proposal = proposals.submit(
        challenge=challenge,
        values=proposal_values(),
        actor=personas.partner_b,
        organization=personas.org_b,
        achievements=[achievement],
    )
    _to_finalist(proposal, personas.partner_a)
    with pytest.raises(ValidationError):
        proposals.award(actor=personas.partner_a, proposal=anonymous_proposal(challenge))
    proposals.award(actor=personas.partner_a, proposal=proposal)
    proposal.refresh_from_db()
    challenge.refresh_from_db()
    project = Project.objects.get()
    assert proposal.stage == Stage.AWARDED and proposal.project == project
    assert (project.owner, project.target_park, project.achievement) == (
        personas.org_b,
        personas.org_a,
        achievement,
    )
    assert project.stage == ProjectStage.LEAD
    agreement = Agreement.objects.get()
    assert (agreement.project, agreement.kind, agreement.status) == (
        project,
        AgreementKind.DEVELOPMENT,
        AgreementStatus.DRAFT,
    )
    assert set(agreement.parties.all()) == {personas.org_a, personas.org_b}
    assert challenge.status == ChallengeStatus.AWARDED


def test_award_of_an_anonymous_proposal_needs_its_organization(personas: Personas) -> None:
    need = ClinicalNeedFactory(organization=personas.org_a)
    challenge = make_challenge(personas.partner_a, personas.org_a, need=need)
    proposal = anonymous_proposal(challenge)
    _to_finalist(proposal, personas.partner_a)
    with pytest.raises(ValidationError) as err:
        proposals.award(actor=personas.partner_a, proposal=proposal)
    assert set(err.value.message_dict) == {"organization"}
    assert Project.objects.count() == 0 and Agreement.objects.count() == 0
    proposals.award(actor=personas.staff, proposal=proposal, organization=personas.org_b)
    project = Project.objects.get()
    assert (project.owner, project.clinical_need, project.company) == (
        personas.org_b,
        need,
        personas.org_a,
    )
    assert project.staff == personas.staff


def test_withdraw_before_award_only(personas: Personas) -> None:
    challenge = make_challenge(personas.partner_a, personas.org_a)
    proposal = anonymous_proposal(challenge)
    proposals.withdraw(actor=None, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.stage == Stage.WITHDRAWN
    with pytest.raises(ValidationError):
        proposals.withdraw(actor=None, proposal=proposal)


def test_tokens_round_trip_and_refuse_forgeries() -> None:
    token = tokens.make(42)
    assert tokens.read(token) == 42
    assert tokens.read(token[:-2] + "xx") is None
    assert tokens.read("42") is None
