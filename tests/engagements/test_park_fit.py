from __future__ import annotations

import pytest

from luodi.engagements import park_fit
from luodi.engagements.park_fit import CarrierFacts, Need, ParkFacts, rank_parks, score_park
from tests.factories import AchievementFactory, CarrierFactory, OrganizationFactory, TermFactory


def _park(
    pk: int,
    focus: dict[int, str],
    carriers: tuple[CarrierFacts, ...] = (),
    subsidy: int | None = None,
    grant: int | None = None,
) -> ParkFacts:
    return ParkFacts(
        org_id=pk,
        name=f"P{pk}",
        latitude=None,
        longitude=None,
        focus=focus,
        carriers=carriers,
        rent_subsidy_pct=subsidy,
        max_grant_wan=grant,
    )


def test_score_park_explains_its_parts() -> None:
    need = Need(terms={1: "oncology", 2: "antibody"}, carrier_types=("gmp",), space_m2=500)
    park = _park(7, {1: "oncology"}, (CarrierFacts("B3", "gmp", "GMP", 800),), 50, 2500)
    fit = score_park(need, park)
    assert fit.parts == {"focus": 0.5, "carriers": 1.0, "incentives": 0.5}
    assert fit.score == pytest.approx(0.5 * 0.5 + 0.35 + 0.15 * 0.5)
    assert fit.matched_terms == ["oncology"]
    assert [c.name for c in fit.carriers] == ["B3"]
    assert "B3" in fit.summary()


def test_too_small_carrier_counts_as_missing() -> None:
    need = Need(terms={}, carrier_types=("gmp",), space_m2=1000, type_labels={"gmp": "GMP"})
    fit = score_park(need, _park(1, {}, (CarrierFacts("B3", "gmp", "GMP", 800),)))
    assert fit.parts["carriers"] == 0.0
    assert fit.missing_types == ["GMP"]


def test_rank_parks_orders_by_score() -> None:
    need = Need(terms={1: "x"})
    parks = [_park(1, {}), _park(2, {1: "x"}), _park(3, {1: "x"}, subsidy=60)]
    assert [f.park.org_id for f in rank_parks(need, parks, limit=2)] == [3, 2]


@pytest.mark.django_db
def test_adapters_read_catalog_rows() -> None:
    area = TermFactory()
    park = OrganizationFactory(kind="park")
    park.focus_areas.add(area)
    CarrierFactory(park=park, carrier_type="wet_lab", area_available_m2=300)
    achievement = AchievementFactory(carrier_needs=["wet_lab"], space_needed_m2=200)
    achievement.therapeutic_areas.add(area)
    need = park_fit.need_for(achievement=achievement)
    facts = park_fit.park_facts([park])
    fit = score_park(need, facts[0])
    assert fit.parts["focus"] == 1.0
    assert fit.parts["carriers"] == 1.0
