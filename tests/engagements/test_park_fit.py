"""One park-fit scorer: a visit's "Add best-fitting parks" picks parks in the order of the
matchmaking park tab for the same achievement (or company) and the same user, over the parks
the matchmaking rules let that user see."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import expect

from luodi.catalog.models import Organization
from luodi.engagements import park_fit
from luodi.engagements.domain import visits as domain
from luodi.engagements.models import Visit, VisitStop
from luodi.matchmaking import actions, queries
from luodi.matchmaking.scoring import Reason, Scored
from tests.browser_fixtures import sign_in
from tests.catalog_api.factories import ParkProfileFactory
from tests.conftest import Personas, client_for
from tests.engagements.factories import StopFactory, VisitFactory
from tests.factories import PASSWORD, AchievementFactory, CarrierFactory, OrganizationFactory

# Matchmaking's settings for its ecosystem fixture `eco` (conftest.py): a per-test VAR_DIR
# and the hashing encoder, autouse in this module.
from tests.matchmaking.conftest import Eco, _matchmaking_settings  # noqa: F401

pytestmark = pytest.mark.django_db


def _park(name: str, focus: list[Any], carrier: str, free_m2: int, **org: Any) -> Organization:
    park = OrganizationFactory(kind="park", name_zh=name, status="published", **org)
    ParkProfileFactory(organization=park, industry_focus=focus)
    CarrierFactory(
        park=park,
        carrier_type=carrier,
        area_total_m2=free_m2 * 2,
        area_available_m2=free_m2,
        ready_date=date(2025, 1, 1),
    )
    return park


@pytest.fixture
def parks(eco: Eco, personas: Personas) -> dict[str, Organization]:
    """Beside eco's lab park (fits best) and GMP park (cannot host the wet lab): three more
    that can host, one waiting for review (a great fit nobody may be matched with yet) and
    one that declined this achievement."""
    out = {
        "onco": _park("肿瘤园", [eco.oncology], "wet_lab", 400),
        "plain": _park("综合园", [], "p2_lab", 500),
        "devices": _park("器械园", [eco.devices], "wet_lab", 1000),
        "pending": _park("待审园", [eco.oncology, eco.small_molecule], "wet_lab", 5000),
        "declined": _park("谢绝园", [eco.oncology, eco.small_molecule], "wet_lab", 900),
    }
    Organization.objects.filter(pk=out["pending"].pk).update(status="pending")
    actions.act(
        user=personas.partner_a,
        source_kind="achievement",
        source_id=eco.achievement.pk,
        target_kind="park",
        target_id=out["declined"].pk,
        status="declined",
        reason="terms",
    )
    return out


def _visit(personas: Personas, **kw: Any) -> Visit:
    return VisitFactory(organizer=personas.org_a, start_time=time(8, 30), **kw)


def _tab(user: Any, source: queries.Source) -> list[Scored]:
    return queries.matches(user, source, "park", k=20).items


def _worth_a_stop(rows: list[Scored]) -> list[int]:
    return [s.pk for s in rows if not s.blocked and s.status != "declined"]


@pytest.mark.parametrize("who", ["partner_a", "staff"])
def test_draft_from_fit_picks_parks_in_park_tab_order(
    who: str, personas: Personas, eco: Eco, parks: dict[str, Organization]
) -> None:
    user = getattr(personas, who)
    visit = _visit(personas, achievement=eco.achievement)
    tab = _tab(user, queries.load_source(user, "achievement", eco.achievement.pk))
    listed = {s.pk: s for s in tab}

    stops = domain.draft_from_fit(actor=user, visit=visit, limit=3)

    passing = _worth_a_stop(tab)
    assert len(passing) == 4  # so taking three of them is a real choice
    assert [s.organization_id for s in stops] == passing[:3]
    assert passing[0] == eco.lab_park.pk  # shares both fields and is indexed: text counts
    assert listed[eco.gmp_park.pk].blocked and listed[parks["declined"].pk].status == "declined"
    assert parks["pending"].pk not in listed
    first = stops[0].fit_summary.splitlines()[0]
    assert first == f"匹配得分 {listed[passing[0]].score:.2f}"


def test_draft_from_fit_skips_parks_already_on_the_route(
    personas: Personas, eco: Eco, parks: dict[str, Organization]
) -> None:
    visit = _visit(personas, achievement=eco.achievement)
    StopFactory(visit=visit, organization=eco.lab_park)
    StopFactory(visit=visit, organization=None, latitude=30.6, longitude=104.0)
    passing = _worth_a_stop(
        _tab(personas.staff, queries.load_source(personas.staff, "achievement", eco.achievement.pk))
    )

    stops = domain.draft_from_fit(actor=personas.staff, visit=visit, limit=2)

    assert [s.organization_id for s in stops] == passing[1:3]
    assert VisitStop.objects.filter(visit=visit).count() == 4


def test_company_visit_ranks_parks_for_the_company_the_same_way(
    personas: Personas, eco: Eco, parks: dict[str, Organization]
) -> None:
    visit = _visit(personas, company=eco.onco_co)
    source = park_fit.company_source(personas.partner_a, eco.onco_co.pk)
    tab = _tab(personas.partner_a, source)

    stops = domain.draft_from_fit(actor=personas.partner_a, visit=visit, limit=3)

    assert [s.organization_id for s in stops] == _worth_a_stop(tab)[:3]
    order = [s.pk for s in tab]
    # The company works in oncology and small molecules: parks in both fields come first.
    assert order.index(eco.lab_park.pk) < order.index(parks["plain"].pk)
    assert order.index(parks["onco"].pk) < order.index(parks["devices"].pk)


def test_invisible_achievement_drafts_nothing_and_says_why(
    personas: Personas, eco: Eco, parks: dict[str, Organization]
) -> None:
    secret = AchievementFactory(owner=personas.org_b, disclosure="confidential")
    visit = _visit(personas, achievement=secret)

    page = client_for(personas.partner_a).post(
        f"/engagements/visits/{visit.pk}/draft-from-fit/", follow=True
    )

    assert "你无权查看本次考察的企业或科技成果" in page.content.decode()
    assert visit.stops.count() == 0


def test_fit_summary_lists_the_park_tab_reasons_then_incentives() -> None:
    park = OrganizationFactory(kind="park", name_zh="补贴园")
    ParkProfileFactory(organization=park, rent_subsidy_pct=50, subsidy_years=3, max_grant_wan=800)
    park = Organization.objects.select_related("park").get(pk=park.pk)
    scored = Scored("park", park.pk, "补贴园", relevance=0.8)
    scored.reasons = [
        Reason("fields", "Shared fields: Neoplasms", True, 0.08),
        Reason("carrier", "No space requirement given", None),
        Reason("learned", "Declined these deal terms before", False, -0.1),
    ]
    scored.finish()

    with translation.override("en"):
        text = park_fit.ParkFit(park, scored).summary()

    assert text.splitlines() == [
        "match score 0.38",
        "+ Text relevance 0.80",
        "+ Shared fields: Neoplasms (+0.08)",
        "· No space requirement given",
        "− Declined these deal terms before (-0.10)",
        "· rent subsidy 50% for 3 years",
        "· grants up to 800 × 10k CNY",
    ]


def test_browser_draft_adds_the_first_parks_of_the_park_tab(
    page: Any, personas: Personas, eco: Eco, parks: dict[str, Organization]
) -> None:
    visit = _visit(personas, achievement=eco.achievement)
    sign_in(page, "partner_a", PASSWORD)
    page.goto(f"/matchmaking/achievement/{eco.achievement.pk}/?tab=park")
    worth = page.locator(
        "[data-testid=panel-park] [data-testid=candidate]:not(.blocked):not(.declined)"
    )
    expect(worth).to_have_count(4)
    top = [worth.nth(i).get_attribute("data-pk") for i in range(3)]

    page.goto(f"/engagements/visits/{visit.pk}/")
    page.click("[data-testid=draft-fit]")

    rows = page.locator("[data-testid=stop-row]")
    expect(rows).to_have_count(3)
    drafted = visit.stops.values_list("organization_id", flat=True)
    assert sorted(str(pk) for pk in drafted) == sorted(top)
    rows.first.locator("details summary").click()
    expect(rows.first.locator("pre.fit")).to_contain_text("匹配得分")
