"""The product asks the site ranker through the call `luodi eval sites` measures, with what
it knows about the study (sponsor, conditions, phase, interventions, countries)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from luodi.sites.ctgov_csv import Trial, read_trials
from luodi.sites.query import study
from luodi.sites.ranker import FEATURES, SiteRanker

from .conftest import MGH, MGH_VARIANT

queries = pytest.importorskip("luodi.matchmaking.queries")


def _org(name_en: str, province: str = "四川省") -> SimpleNamespace:
    return SimpleNamespace(name_en=name_en, name_zh="", province=province)


def _catalog_trial() -> Any:
    return SimpleNamespace(
        pk=7,
        title="Remdesivir in hospitalised COVID-19",
        summary="A randomised trial.",
        conditions="COVID-19; Pneumonia",
        interventions="DRUG: Remdesivir",
        phase="PHASE2|PHASE3",
        sponsor_id=3,
        sponsor=_org("Massachusetts General Hospital"),
    )


def _achievement_source() -> Any:
    areas = SimpleNamespace(all=lambda: [SimpleNamespace(label_en="COVID-19", label_zh="")])
    a = SimpleNamespace(pk=9, owner=_org("Massachusetts General Hospital"), therapeutic_areas=areas)
    item = SimpleNamespace(title="Oral antiviral X", summary="A small molecule.", stage="phase2")
    return queries.Source("achievement", a, ("center",), item=item)


def test_catalog_trial_query_carries_what_the_catalog_knows() -> None:
    q = queries.site_query(queries.Source("trial", _catalog_trial(), ("center",)))
    assert q == study(
        "trial-7",
        title="Remdesivir in hospitalised COVID-19",
        summary="A randomised trial.",
        conditions=("COVID-19", "Pneumonia"),
        interventions=("DRUG: Remdesivir",),
        phases=("PHASE2", "PHASE3"),
        sponsor="Massachusetts General Hospital",
    )
    assert q.locations == ()


def test_achievement_plans_a_trial_with_its_owner_as_sponsor() -> None:
    q = queries.site_query(_achievement_source())
    assert q is not None
    assert q.sponsor == "Massachusetts General Hospital"
    assert q.conditions == ("COVID-19",) and q.interventions == ("Oral antiviral X",)
    assert q.phases == ("PHASE2",) and q.countries == ("China",)
    assert q.locations == ()


def test_site_history_ranks_through_the_evaluated_call(
    history_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ranker = SiteRanker().fit(read_trials(history_csv))
    asked: list[Trial] = []
    rank = ranker.rank

    def spy(trial: Trial, k: int | None = 50) -> Any:
        asked.append(trial)
        return rank(trial, k)

    monkeypatch.setattr(ranker, "rank", spy)
    fitted = SimpleNamespace(ranker=ranker, orgs_of={MGH: (101,), MGH_VARIANT: (101,)})
    monkeypatch.setattr(queries.site_model, "current", lambda: fitted)

    for source in (queries.Source("trial", _catalog_trial(), ("center",)), _achievement_source()):
        scores = queries.site_history(source)
        assert asked[-1] == queries.site_query(source)
        # The sponsor ran its trials at MGH: the heaviest signals reach the product.
        assert scores[101] == pytest.approx(1.0)
        feats = ranker.features(asked[-1])
        assert feats[FEATURES.index("sponsor")].max() > 0
