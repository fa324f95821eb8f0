"""Matchmaking learns from accepted and declined matches through luodi.matching.outcomes:
an achievement close to one an organization accepted rises for it, and says why."""

from __future__ import annotations

from typing import Any

import pytest

from luodi.matchmaking import actions, queries
from luodi.retrieval import indexing
from tests.conftest import Personas
from tests.factories import AchievementFactory
from tests.matchmaking import conftest as mm
from tests.matchmaking.conftest import Eco

pytestmark = [pytest.mark.django_db]
# The matchmaking tests' ecosystem and settings (hashing encoder, per-test indexes).
eco = mm.eco
_matchmaking_settings = mm._matchmaking_settings


def _sibling(eco: Eco) -> Any:
    """A second KRAS achievement worded like the first (the hashing encoder's vectors of
    the two are close)."""
    a = eco.achievement
    b = AchievementFactory(
        owner=a.owner,
        title_zh=a.title_zh,
        title_en=a.title_en + " II",
        summary_zh=a.summary_zh,
        summary_en=a.summary_en,
        kind=a.kind,
        stage=a.stage,
    )
    b.therapeutic_areas.set([eco.oncology])
    b.technology_fields.set([eco.small_molecule])
    indexing.rebuild_all()
    return b


def _answer(personas: Personas, eco: Eco, org: Any, tab: str, status: str, **kw: Any) -> None:
    actions.act(
        user=personas.partner_a,
        source_kind="achievement",
        source_id=eco.achievement.pk,
        target_kind=tab,
        target_id=org.pk,
        status=status,
        **kw,
    )


def _row(personas: Personas, kind: str, pk: int, tab: str, target: int) -> Any:
    source = queries.load_source(personas.staff, kind, pk)
    return next(
        s for s in queries.matches(personas.staff, source, tab, k=50).items if s.pk == target
    )


def test_accepted_achievement_lifts_a_similar_one_and_says_so(personas: Personas, eco: Eco) -> None:
    twin = _sibling(eco)
    before = _row(personas, "organization", eco.onco_co.pk, "achievement", twin.pk)
    assert not any(r.code == "similar" for r in before.reasons)

    _answer(personas, eco, eco.onco_co, "company", "shortlisted")

    # The company's deal flow: the similar achievement gains, naming the accepted one.
    after = _row(personas, "organization", eco.onco_co.pk, "achievement", twin.pk)
    similar = [r for r in after.reasons if r.code == "similar"]
    assert len(similar) == 1 and similar[0].ok is True and similar[0].delta > 0
    assert eco.achievement.title in similar[0].text
    assert after.score > before.score
    # The same memory from the other direction: the company, in the twin's company tab.
    org = _row(personas, "achievement", twin.pk, "company", eco.onco_co.pk)
    assert any(r.code == "similar" and r.ok for r in org.reasons)


def test_declined_achievement_lowers_a_similar_one(personas: Personas, eco: Eco) -> None:
    twin = _sibling(eco)
    before = _row(personas, "achievement", twin.pk, "investor", eco.early_vc.pk)

    _answer(personas, eco, eco.early_vc, "investor", "declined", reason="wrong_field")

    after = _row(personas, "achievement", twin.pk, "investor", eco.early_vc.pk)
    similar = [r for r in after.reasons if r.code == "similar"]
    assert len(similar) == 1 and similar[0].ok is False and similar[0].delta < 0
    assert after.score < before.score
