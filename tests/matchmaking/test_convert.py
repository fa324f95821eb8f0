"""A converted match opens a project with both sides in their roles, and the match links to
it (field test #18, item 2: the project had no park, company or owner, and no link)."""

from __future__ import annotations

import pytest

from luodi.matchmaking import actions
from luodi.matchmaking.models import MatchRecord, MatchStatus
from luodi.retrieval import indexing
from tests.conftest import Personas, client_for
from tests.matchmaking.conftest import Eco

pytestmark = [pytest.mark.django_db]


def _walk(user: object, record: MatchRecord, *statuses: str) -> MatchRecord:
    for status in statuses:
        record = actions.change_record(user=user, record_id=record.pk, status=status)
    return record


def test_a_park_match_converted_by_staff_opens_the_park_project(
    personas: Personas, eco: Eco
) -> None:
    indexing.rebuild_all()
    rec = actions.act(
        user=personas.staff,
        source_kind="achievement",
        source_id=eco.achievement.pk,
        target_kind="park",
        target_id=eco.lab_park.pk,
        status=MatchStatus.INTRODUCED,
    )

    rec = _walk(personas.staff, rec, MatchStatus.IN_DISCUSSION, MatchStatus.CONVERTED)

    project = rec.project
    assert project is not None
    assert (project.owner, project.target_park, project.staff) == (
        eco.achievement.owner,
        eco.lab_park,
        personas.staff,
    )
    inbox = client_for(personas.staff).get("/matchmaking/").content.decode()
    assert f'href="/projects/{project.pk}/" data-testid="match-project"' in inbox


def test_an_investor_sourced_match_puts_the_investor_in_its_role(
    personas: Personas, eco: Eco
) -> None:
    indexing.rebuild_all()
    rec = actions.act(
        user=personas.staff,
        source_kind="organization",
        source_id=eco.early_vc.pk,
        target_kind="achievement",
        target_id=eco.achievement.pk,
        status=MatchStatus.INTRODUCED,
    )

    rec = _walk(personas.staff, rec, MatchStatus.IN_DISCUSSION, MatchStatus.CONVERTED)

    assert rec.project is not None
    assert (rec.project.investor, rec.project.owner) == (eco.early_vc, eco.achievement.owner)
