"""The expert assessment in matchmaking: a small, explained ranking signal (an unassessed
achievement keeps its score exactly), a filter "assessed only / minimum readiness", and
neither where the user may not see the result (the dossier policy)."""

from __future__ import annotations

import pytest

from luodi.assessments import domain
from luodi.assessments.results import AssessedFilter
from luodi.matchmaking import queries, scoring
from tests.assessments.helpers import GOOD, expert, invite_user, open_for, scored
from tests.conftest import Personas, client_for
from tests.factories import AchievementFactory
from tests.matchmaking.conftest import Eco

pytestmark = pytest.mark.django_db


def _assess(staff, achievement, kinds: list[str], readiness: int = 6):  # type: ignore[no-untyped-def]
    a = open_for(staff, achievement)
    scored(invite_user(staff, a, expert(f"rev{achievement.pk}")), GOOD)
    domain.close(actor=staff, assessment=a)
    return domain.summarise(
        actor=staff,
        assessment=a,
        readiness=readiness,
        strengths="",
        risks="",
        summary="ok",
        suggested_kinds=kinds,
    )


def _deal_flow(user, org, assessed=None):  # type: ignore[no-untyped-def]
    source = queries.load_source(user, "organization", org.pk)
    ml = queries.matches(user, source, "achievement", k=20, assessed=assessed)
    return {s.pk: s for s in ml.items}


def test_signal_is_small_explained_and_leaves_the_unassessed_alone(
    personas: Personas, eco: Eco
) -> None:
    other = AchievementFactory(
        owner=personas.org_a,
        title_zh="KRAS 抑制剂二代",
        summary_zh="口服小分子KRAS抑制剂。",
        kind="drug",
        stage="preclinical",
    )
    before = _deal_flow(personas.staff, eco.onco_co)
    assessment = _assess(personas.staff, eco.achievement, ["company"])
    after = _deal_flow(personas.staff, eco.onco_co)

    assert after[other.pk].score == before[other.pk].score  # unassessed: not penalised at all
    assert not [r for r in after[other.pk].reasons if r.code.startswith("assessment")]
    overall = assessment.overall_permille / 1000
    expected = round(scoring.ASSESSMENT_WEIGHT * (overall - 0.5), 4)
    reasons = {r.code: r for r in after[eco.achievement.pk].reasons}
    assert reasons["assessment"].delta == expected and abs(expected) <= 0.05
    assert reasons["assessment_kind"].delta == scoring.ASSESSMENT_KIND_WEIGHT
    assert "6" in reasons["assessment"].text  # names the readiness (TRL 6)
    gained = after[eco.achievement.pk].score - before[eco.achievement.pk].score
    assert gained == pytest.approx(expected + scoring.ASSESSMENT_KIND_WEIGHT, abs=1e-3)

    page = client_for(personas.staff).get(
        f"/matchmaking/organization/{eco.onco_co.pk}/", {"tab": "achievement"}
    )
    assert b'data-code="assessment"' in page.content
    assert b'data-testid="assessed-filter"' in page.content


def test_filter_keeps_assessed_achievements_of_a_minimum_readiness(
    personas: Personas, eco: Eco
) -> None:
    other = AchievementFactory(owner=personas.org_a, title_zh="KRAS 抑制剂二代", kind="drug")
    _assess(personas.staff, eco.achievement, [], readiness=6)
    assert set(_deal_flow(personas.staff, eco.onco_co)) >= {eco.achievement.pk, other.pk}
    assert set(_deal_flow(personas.staff, eco.onco_co, AssessedFilter())) == {eco.achievement.pk}
    assert set(_deal_flow(personas.staff, eco.onco_co, AssessedFilter(6))) == {eco.achievement.pk}
    assert _deal_flow(personas.staff, eco.onco_co, AssessedFilter(7)) == {}
    page = client_for(personas.staff).get(
        f"/matchmaking/organization/{eco.onco_co.pk}/",
        {"tab": "achievement", "assessed": "on", "min_readiness": "7"},
    )
    assert page.status_code == 200 and b'data-testid="candidate"' not in page.content


def test_hidden_result_neither_explains_nor_filters(
    personas: Personas, eco: Eco, member_of
) -> None:  # type: ignore[no-untyped-def]
    teaser = AchievementFactory(owner=personas.org_a, disclosure="teaser", kind="drug")
    _assess(personas.staff, teaser, ["company"])
    outsider = member_of(eco.onco_co, "onco_member")  # sees the teaser listed, not its dossier
    flow = _deal_flow(outsider, eco.onco_co)
    assert teaser.pk in flow
    assert not [r for r in flow[teaser.pk].reasons if r.code.startswith("assessment")]
    assert teaser.pk not in _deal_flow(outsider, eco.onco_co, AssessedFilter())


def test_partner_kind_suggested_by_the_assessment_is_explained(
    personas: Personas, eco: Eco
) -> None:
    _assess(personas.staff, eco.achievement, ["company"])
    source = queries.load_source(personas.staff, "achievement", eco.achievement.pk)
    companies = queries.matches(personas.staff, source, "company", k=20)
    row = next(s for s in companies.items if s.pk == eco.onco_co.pk)
    assert [r.code for r in row.reasons if r.code.startswith("assessment")] == ["assessment_kind"]
    investors = queries.matches(personas.staff, source, "investor", k=20)
    assert not [r for s in investors.items for r in s.reasons if r.code.startswith("assessment")]
