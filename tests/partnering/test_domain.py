"""Partnering writes: booking when both accept in a free slot, the refusals, outcomes."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from luodi.catalog.choices import ReviewStatus
from luodi.matchmaking.models import MatchRecord, MatchStatus
from luodi.partnering import domain, outcomes
from luodi.partnering.choices import MeetingState, Origin
from luodi.partnering.models import Meeting, SlotClaim
from luodi.partnering.profile import prefill
from luodi.pipeline.models import Project
from tests.conftest import Personas
from tests.factories import AchievementFactory
from tests.partnering.helpers import setup

pytestmark = pytest.mark.django_db


def test_session_slots_follow_the_windows(personas: Personas) -> None:
    s = setup(personas)
    assert [timezone.localtime(t).strftime("%H:%M") for t in s.slots] == ["14:00", "14:20", "14:40"]
    assert sorted(domain.free_slots(s.a)) == s.slots


def test_meeting_is_booked_when_both_accept(personas: Personas) -> None:
    s = setup(personas)
    m = domain.propose(actor=personas.staff, a=s.a, b=s.b, origin=Origin.ENGINE)
    assert (m.state, m.starts_at) == (MeetingState.PROPOSED, s.slots[0])

    m = domain.accept(actor=personas.partner_a, meeting=m, side=s.a)
    assert (m.state, m.table) == (MeetingState.PENDING, None)
    m = domain.accept(actor=personas.partner_b, meeting=m, side=s.b)

    assert (m.state, m.table) == (MeetingState.BOOKED, 1)
    claims = set(SlotClaim.objects.values_list("participant_id", "starts_at"))
    assert claims == {(s.a.pk, s.slots[0]), (s.b.pk, s.slots[0])}
    assert domain.free_slots(s.a) == s.slots[1:]


def test_accepting_a_slot_no_longer_free_is_refused_and_changes_nothing(
    personas: Personas,
) -> None:
    s = setup(personas)
    m = domain.propose(actor=personas.partner_a, a=s.a, b=s.b)  # a has accepted
    domain.schedule(actor=personas.staff, a=s.b, b=s.c, starts_at=s.slots[0])

    with pytest.raises(ValidationError) as exc:
        domain.accept(actor=personas.partner_b, meeting=m, side=s.b)

    assert "starts_at" in exc.value.message_dict
    m.refresh_from_db()
    assert (m.state, m.b_accepted, m.table, m.version) == (MeetingState.PENDING, False, None, 1)
    assert SlotClaim.objects.filter(meeting=m).count() == 0


def test_a_counter_proposal_withdraws_the_other_acceptance(personas: Personas) -> None:
    s = setup(personas)
    m = domain.propose(actor=personas.partner_a, a=s.a, b=s.b)
    m = domain.accept(actor=personas.partner_b, meeting=m, side=s.b, starts_at=s.slots[1])
    assert (m.state, m.a_accepted, m.b_accepted) == (MeetingState.PENDING, False, True)
    m = domain.accept(actor=personas.partner_a, meeting=m, side=s.a)
    assert (m.state, m.starts_at) == (MeetingState.BOOKED, s.slots[1])


def test_tables_run_out(personas: Personas) -> None:
    s = setup(personas)
    s.session.tables = 1
    s.session.save(update_fields=["tables"])
    domain.schedule(actor=personas.staff, a=s.a, b=s.b, starts_at=s.slots[0])
    d = domain.join(actor=s.organiser, session=s.session, organization=s.event.organizer)
    with pytest.raises(ValidationError, match="starts_at"):
        domain.schedule(actor=personas.staff, a=s.c, b=d, starts_at=s.slots[0])
    assert Meeting.objects.filter(state=MeetingState.BOOKED).count() == 1


def test_the_database_refuses_a_double_booking(personas: Personas) -> None:
    s = setup(personas)
    m = domain.schedule(actor=personas.staff, a=s.a, b=s.b, starts_at=s.slots[0])
    other = Meeting.objects.create(
        session=s.session, a=s.a, b=s.c, origin=Origin.PARTICIPANT, starts_at=s.slots[0]
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        SlotClaim.objects.create(participant=s.a, starts_at=s.slots[0], meeting=other)
    other.state, other.table = MeetingState.BOOKED, m.table
    with pytest.raises(IntegrityError), transaction.atomic():
        other.save(update_fields=["state", "table"])


def test_a_second_meeting_between_the_same_pair_is_refused(personas: Personas) -> None:
    s = setup(personas)
    domain.propose(actor=personas.partner_a, a=s.a, b=s.b)
    with pytest.raises(ValidationError):
        domain.propose(actor=personas.partner_b, a=s.b, b=s.a)


def test_cancelling_frees_the_slots(personas: Personas) -> None:
    s = setup(personas)
    m = domain.schedule(actor=personas.staff, a=s.a, b=s.b)
    m = domain.decline(actor=personas.partner_a, meeting=m)
    assert m.state == MeetingState.CANCELLED
    assert domain.free_slots(s.a) == s.slots
    again = domain.schedule(actor=personas.staff, a=s.a, b=s.c, starts_at=s.slots[0])
    assert again.state == MeetingState.BOOKED


def test_stale_version_is_a_conflict(personas: Personas) -> None:
    s = setup(personas)
    m = domain.propose(actor=personas.partner_a, a=s.a, b=s.b)
    with pytest.raises(domain.Conflict):
        domain.accept(actor=personas.partner_b, meeting=m, side=s.b, expected_version=7)


def test_unavailable_slot_cannot_be_booked(personas: Personas) -> None:
    s = setup(personas)
    domain.set_availability(actor=personas.partner_b, participant=s.b, free=s.slots[1:])
    m = domain.propose(actor=personas.partner_a, a=s.a, b=s.b)
    assert m.starts_at == s.slots[1]  # the first common free slot
    with pytest.raises(ValidationError):
        domain.propose(
            actor=personas.partner_a,
            a=s.a,
            b=s.c,
            starts_at=s.slots[0] + (s.slots[1] - s.slots[0]) / 2,
        )


def test_outcome_no_show_and_follow_ups(personas: Personas) -> None:
    s = setup(personas, days=-1)  # yesterday: the meetings are over
    achievement = AchievementFactory(owner=personas.org_a, status=ReviewStatus.PUBLISHED)
    held = domain.schedule(actor=personas.staff, a=s.a, b=s.b)
    missed = domain.schedule(actor=personas.staff, a=s.a, b=s.c)

    missed = domain.record_outcome(
        actor=personas.partner_a, meeting=missed, held=False, no_show_of=s.c
    )
    assert (missed.state, missed.no_show_of_id) == (MeetingState.NO_SHOW, s.c.pk)

    with pytest.raises(ValidationError):
        outcomes.to_match_record(actor=personas.staff, meeting=held, achievement=achievement)
    domain.record_outcome(
        actor=personas.partner_b, meeting=held, held=True, outcome="follow_up", note="再谈授权"
    )
    rec = outcomes.to_match_record(actor=personas.staff, meeting=held, achievement=achievement)
    assert (rec.status, rec.counterparty_id, rec.achievement_id) == (
        MatchStatus.IN_DISCUSSION,
        personas.org_b.pk,
        achievement.pk,
    )
    project = outcomes.to_project(actor=personas.staff, meeting=held, achievement=achievement)
    assert isinstance(project, Project) and project.achievement_id == achievement.pk
    held.refresh_from_db()
    assert (held.match_record_id, held.project_id) == (rec.pk, project.pk)
    assert MatchRecord.objects.count() == 1


def test_follow_up_needs_an_achievement_of_a_side(personas: Personas) -> None:
    s = setup(personas, days=-1)
    held = domain.schedule(actor=personas.staff, a=s.a, b=s.b)
    domain.record_outcome(actor=personas.staff, meeting=held, held=True)
    stranger = AchievementFactory(owner=s.event.organizer)
    with pytest.raises(ValidationError):
        outcomes.to_project(actor=personas.staff, meeting=held, achievement=stranger)


def test_prefill_reads_published_public_achievements_only(personas: Personas) -> None:
    AchievementFactory(
        owner=personas.org_a, title_zh="公开成果", status=ReviewStatus.PUBLISHED, needs=["licensee"]
    )
    AchievementFactory(
        owner=personas.org_a,
        title_zh="保密成果",
        status=ReviewStatus.PUBLISHED,
        disclosure="confidential",
    )
    filled = prefill(personas.org_a)
    assert "公开成果" in filled.offer and "保密成果" not in filled.offer
    assert filled.seek != ""


def test_engine_proposes_explained_meetings(personas: Personas) -> None:
    s = setup(personas)
    s.a.seek, s.b.offer = "寻找 imaging 合作", "我们提供 imaging 设备与服务"
    s.a.save(update_fields=["seek"])
    s.b.save(update_fields=["offer"])
    made = outcomes.propose_from_engine(actor=personas.staff, session=s.session)
    pairs = {frozenset((m.a_id, m.b_id)) for m in made}
    assert frozenset((s.a.pk, s.b.pk)) in pairs
    m = next(m for m in made if {m.a_id, m.b_id} == {s.a.pk, s.b.pk})
    assert m.origin == Origin.ENGINE and m.state == MeetingState.PROPOSED
    assert any("imaging" in r["text"] for r in m.reasons)
