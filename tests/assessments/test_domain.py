"""Assessment writes: conflicts of interest, the NDA, scales, rounds, closing, summarising,
mails."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from luodi.assessments import domain, results, rules
from luodi.assessments.choices import ReviewerState, Status
from luodi.assessments.models import Assessment, Score
from luodi.catalog.rules import achievements_visible_to
from luodi.disclosure.models import AccessGrant
from tests.assessments.helpers import (
    GOOD,
    WEAK,
    expert,
    invite_external,
    invite_user,
    open_for,
    scored,
)
from tests.conftest import Personas
from tests.factories import AchievementFactory

pytestmark = pytest.mark.django_db


def test_a_declared_conflict_ends_the_reviewers_part(personas: Personas) -> None:
    a = open_for(personas.staff, AchievementFactory(owner=personas.org_a))
    inv = invite_user(personas.staff, a, expert("rev1"))
    domain.declare(actor=inv.user, invitation=inv, conflict=True, note="曾合作")
    assert inv.state == ReviewerState.CONFLICT and not inv.cleared
    with pytest.raises(ValidationError) as exc:
        domain.submit_scores(actor=inv.user, invitation=inv, values=GOOD)
    assert "__all__" in exc.value.message_dict
    assert not Score.objects.exists()
    with pytest.raises(ValidationError):  # once only
        domain.declare(actor=inv.user, invitation=inv, conflict=False)


def test_a_conflict_needs_a_word_and_nothing_is_saved_without(personas: Personas) -> None:
    a = open_for(personas.staff, AchievementFactory(owner=personas.org_a))
    inv = invite_user(personas.staff, a, expert("rev1"))
    with pytest.raises(ValidationError) as exc:
        domain.declare(actor=inv.user, invitation=inv, conflict=True, note=" ")
    assert list(exc.value.message_dict) == ["conflict_note"]
    inv.refresh_from_db()
    assert inv.declared_at is None


def test_confidential_needs_the_nda_and_an_internal_reviewer_gets_a_grant(
    personas: Personas,
) -> None:
    secret = AchievementFactory(owner=personas.org_a, disclosure="confidential")
    a = open_for(personas.staff, secret)
    reviewer = expert("rev1")
    inv = invite_user(personas.staff, a, reviewer)
    with pytest.raises(ValidationError) as exc:
        domain.declare(actor=reviewer, invitation=inv, conflict=False, accept_nda=False)
    assert list(exc.value.message_dict) == ["accept_nda"]
    assert not AccessGrant.objects.exists()
    domain.declare(actor=reviewer, invitation=inv, conflict=False, accept_nda=True)
    grant = AccessGrant.objects.get()
    assert (grant.user, grant.achievement, grant.nda_version) == (
        reviewer,
        secret,
        domain.NDA_VERSION,
    )
    assert grant.expires_at.date() == a.deadline + timedelta(days=domain.GRANT_GRACE_DAYS)
    # closing ends the grant
    scored_inv = domain.submit_scores(actor=reviewer, invitation=inv, values=GOOD)
    assert scored_inv.submitted_at is not None
    domain.close(actor=personas.staff, assessment=a)
    grant.refresh_from_db()
    assert grant.revoked_at is not None


def test_scores_out_of_scale_are_refused_by_field(personas: Personas) -> None:
    a = open_for(personas.staff, AchievementFactory(owner=personas.org_a))
    inv = invite_user(personas.staff, a, expert("rev1"))
    domain.declare(actor=inv.user, invitation=inv, conflict=False)
    with pytest.raises(ValidationError) as exc:
        domain.submit_scores(
            actor=inv.user, invitation=inv, values={**GOOD, "trl": 10, "novelty": None}
        )
    assert set(exc.value.message_dict) == {"score_trl", "score_novelty"}
    assert not Score.objects.exists()


def test_an_owner_member_cannot_review_and_duplicates_are_refused(personas: Personas) -> None:
    a = open_for(personas.staff, AchievementFactory(owner=personas.org_a))
    with pytest.raises(ValidationError) as exc:
        invite_user(personas.staff, a, personas.partner_a)
    assert list(exc.value.message_dict) == ["user"]
    invite_external(personas.staff, a, "x@example.org")
    with pytest.raises(ValidationError):
        invite_external(personas.staff, a, "X@example.org")


def test_one_round_at_a_time_and_reassessment_keeps_history(personas: Personas) -> None:
    achievement = AchievementFactory(owner=personas.org_a)
    first = open_for(personas.staff, achievement)
    with pytest.raises(ValidationError):
        open_for(personas.staff, achievement)
    scored(invite_user(personas.staff, first, expert("rev1")), GOOD)
    domain.close(actor=personas.staff, assessment=first)
    domain.summarise(
        actor=personas.staff,
        assessment=first,
        readiness=6,
        strengths="s",
        risks="r",
        summary="ok",
        suggested_kinds=["company"],
    )
    second = domain.reassess(
        actor=personas.staff, previous=first, deadline=timezone.localdate() + timedelta(days=9)
    )
    assert (second.round, second.status, second.criteria) == (2, Status.OPEN, first.criteria)
    assert list(Assessment.objects.filter(achievement=achievement).values_list("round", flat=True))
    # the latest summarised round is still the first until the second is summarised
    assert results.latest_results([achievement.pk])[achievement.pk].round == 1


def test_summary_keeps_the_weighted_overall(personas: Personas) -> None:
    achievement = AchievementFactory(owner=personas.org_a)
    a = open_for(personas.staff, achievement)
    with pytest.raises(ValidationError):  # open: close first
        domain.summarise(
            actor=personas.staff,
            assessment=a,
            readiness=5,
            strengths="",
            risks="",
            summary="x",
            suggested_kinds=[],
        )
    scored(invite_user(personas.staff, a, expert("rev1")), GOOD)
    scored(invite_user(personas.staff, a, expert("rev2")), WEAK)
    conflicted = invite_user(personas.staff, a, expert("rev3"))
    domain.declare(actor=conflicted.user, invitation=conflicted, conflict=True, note="亲属")
    domain.close(actor=personas.staff, assessment=a)
    domain.summarise(
        actor=personas.staff,
        assessment=a,
        readiness=5,
        strengths="",
        risks="",
        summary="x",
        suggested_kinds=["company", "investor"],
    )
    # by hand, default weights 25/20/20/15/10/10 and scales 1–9, 1–5:
    # trl mean 5 → 0.5; novelty 3 → 0.5; advancement 3 → 0.5; market 3 → 0.5; ip 3 → 0.5;
    # team 3.5 → 0.625 → overall (0.5×90 + 0.625×10)/100 = 0.5125
    a.refresh_from_db()
    assert a.overall_permille == 512 or a.overall_permille == 513
    result = results.latest_results([achievement.pk])[achievement.pk]
    assert result.overall == pytest.approx(a.overall_permille / 1000)
    assert result.suggested_kinds == ("company", "investor") and result.readiness == 5


def test_summary_with_a_stale_version_is_refused(personas: Personas) -> None:
    from luodi.concurrency import Conflict

    a = open_for(personas.staff, AchievementFactory(owner=personas.org_a))
    scored(invite_user(personas.staff, a, expert("rev1")), GOOD)
    domain.close(actor=personas.staff, assessment=a)
    with pytest.raises(Conflict):
        domain.summarise(
            actor=personas.staff,
            assessment=a,
            readiness=5,
            strengths="",
            risks="",
            summary="x",
            suggested_kinds=[],
            expected_version=1,
        )
    assert Assessment.objects.get(pk=a.pk).status == Status.CLOSED


def test_invitation_and_closed_mails_go_through_the_job_system(personas: Personas) -> None:
    a = open_for(personas.staff, AchievementFactory(owner=personas.org_a, title_zh="秘密标题"))
    inv = domain.invite(
        actor=personas.staff, assessment=a, name="外部专家", email="ext@example.org"
    )
    sent = [m for m in mail.outbox if m.to == ["ext@example.org"]]
    assert len(sent) == 1
    assert f"/assessments/{a.pk}/review/?token=" in sent[0].body
    assert "秘密标题" not in sent[0].body  # mails never name the achievement
    scored(inv, GOOD)
    mail.outbox.clear()
    domain.close(actor=personas.staff, assessment=a)
    assert [m.to for m in mail.outbox if m.to == ["ext@example.org"]] == [["ext@example.org"]]


def test_reminders_are_sent_once_before_the_deadline(personas: Personas) -> None:
    from luodi.assessments import mail as assessment_mail

    a = open_for(personas.staff, AchievementFactory(owner=personas.org_a), days=1)
    invite_external(personas.staff, a, "late@example.org")
    done = invite_external(personas.staff, a, "done@example.org")
    scored(done, GOOD)
    mail.outbox.clear()
    assert assessment_mail.send_reminders() == 1
    assert [m.to for m in mail.outbox] == [["late@example.org"]]
    assert assessment_mail.send_reminders() == 0  # claimed


def test_revoked_reviewer_does_not_count_and_visible_nowhere(personas: Personas) -> None:
    a = open_for(personas.staff, AchievementFactory(owner=personas.org_a, disclosure="teaser"))
    reviewer = expert("rev1")
    inv = scored(invite_user(personas.staff, a, reviewer), GOOD)
    domain.revoke(actor=personas.staff, invitation=inv)
    assert results.aggregate_for(a).overall is None
    assert not rules.assessments_visible_to(reviewer).exists()
    assert achievements_visible_to(reviewer).filter(pk=a.achievement_id).exists()  # a teaser
    assert not reviewer.has_perm("catalog.view_dossier", a.achievement)
