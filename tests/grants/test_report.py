"""report.grants_in: the exact interface of the annual report — lines by decision day, or
creation day while undecided, within [start, end]; labels, shares, notice."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from luodi.grants import domain
from luodi.grants.choices import GrantKind, GrantStatus
from luodi.grants.models import Grant
from luodi.grants.report import GrantLine, grants_in
from tests.conftest import Personas
from tests.factories import AchievementFactory
from tests.grants.helpers import TODAY, make_grant, team

pytestmark = pytest.mark.django_db


def test_lines_in_the_period(personas: Personas) -> None:
    achievement = AchievementFactory(owner=personas.org_a, title_zh="赋权成果甲")
    decided = make_grant(
        personas.staff,
        personas.org_a,
        achievement,
        decided_on=date(2026, 2, 20),
        valuation_report_on=date(2026, 2, 1),
        notice_starts_on=date(2026, 3, 1),
        notice_ends_on=date(2026, 3, 15),
    )
    domain.start_notice(actor=personas.staff, grant=decided)
    make_grant(personas.staff, personas.org_a, decided_on=date(2025, 12, 31))
    undecided = make_grant(
        personas.staff,
        personas.org_a,
        decided_on=None,
        decision_body="",
        kind="use_right",
        team_share_bp=10_000,
        term_years=10,
        use_starts_on=TODAY,
        valuation_fen=None,
        members=team(personas.org_a, 10_000),
    )
    lines = grants_in(personas.staff, personas.org_a, date(2026, 1, 1), TODAY)
    assert lines[0] == GrantLine(
        achievement="赋权成果甲",
        kind=str(GrantKind.OWNERSHIP.label),
        team_share="70%",
        valuation_fen=3_200_000_00,
        decided_on=date(2026, 2, 20),
        notice="2026-03-01 – 2026-03-15",
        status=str(GrantStatus.ON_NOTICE.label),
    )
    notice = f"{TODAY - timedelta(days=20):%Y-%m-%d} – {TODAY - timedelta(days=6):%Y-%m-%d}"
    assert lines[1] == GrantLine(
        achievement=undecided.achievement.title,
        kind=str(GrantKind.USE_RIGHT.label),
        team_share="100%",
        valuation_fen=None,
        decided_on=None,
        notice=notice,
        status=str(GrantStatus.DRAFT.label),
    )
    assert len(lines) == 2  # the one decided in 2025 is outside the period
    assert Grant.objects.get(pk=undecided.pk).decided_on is None
    # Created today, undecided: outside a period that ended yesterday.
    before = grants_in(personas.staff, personas.org_a, date(2026, 1, 1), TODAY - timedelta(days=1))
    assert [line.decided_on for line in before] == [date(2026, 2, 20)]
    assert grants_in(personas.staff, personas.org_a, TODAY, TODAY - timedelta(days=1)) == []
