"""Trial → clinical sites (through luodi.sites' SiteRanker), open calls, what was learned."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from luodi.catalog.choices import Disclosure
from luodi.catalog.models import Achievement
from luodi.matchmaking import actions, feedback, queries
from luodi.matchmaking.models import OpenCall
from tests.catalog_api.factories import TrialFactory, TrialSiteFactory
from tests.conftest import Personas, client_for
from tests.matchmaking.conftest import Eco

pytestmark = [pytest.mark.django_db]


def _history(eco: Eco) -> None:
    for n in range(4):
        t = TrialFactory(
            title=f"KRAS inhibitor in non-small cell lung cancer, study {n}",
            conditions="Non-small Cell Lung Cancer",
            phase="PHASE1",
            start_date=date(2024, 1, 1 + n),
        )
        TrialSiteFactory(
            trial=t,
            organization=eco.west_china,
            location="West China Hospital, Chengdu, Sichuan, China",
        )
    t = TrialFactory(
        title="Anti-VEGF for macular degeneration",
        conditions="AMD",
        phase="PHASE3",
        start_date=date(2024, 2, 1),
    )
    TrialSiteFactory(
        trial=t, organization=eco.eye_hospital, location="Eye Hospital, Beijing, China"
    )


def test_trial_ranks_sites_with_history_lead_and_specialty(personas: Personas, eco: Eco) -> None:
    _history(eco)
    new = TrialFactory(
        title="A phase 1 study of a KRAS G12C inhibitor in lung cancer",
        conditions="Lung Cancer",
        phase="PHASE1",
    )
    source = queries.load_source(personas.staff, "trial", new.pk)
    ml = queries.matches(personas.staff, source, "center")
    assert [s.pk for s in ml.items] == [eco.west_china.pk, eco.eye_hospital.pk]
    lead = ml.items[0]
    assert lead.role == "lead"
    assert {r.code for r in lead.reasons} >= {"history", "phase1", "capacity", "region"}
    assert any(r.code == "phase1" and r.ok is False for r in ml.items[1].reasons)


def test_achievement_near_clinic_uses_the_same_site_history(personas: Personas, eco: Eco) -> None:
    _history(eco)
    source = queries.load_source(personas.partner_a, "achievement", eco.achievement.pk)
    west = queries.matches(personas.partner_a, source, "center").items[0]
    assert west.pk == eco.west_china.pk
    assert any(r.code == "history" for r in west.reasons)


def test_open_call_notifies_matched_parties(personas: Personas, eco: Eco, member_of: Any) -> None:
    clinician = member_of(eco.west_china, "clinician")
    n = actions.publish_open_call(user=clinician, need_id=eco.need.pk)
    call = OpenCall.objects.get(need=eco.need)
    notified = set(call.notified.values_list("pk", flat=True))
    assert n == len(notified)
    assert eco.onco_co.pk in notified  # a matched company
    assert personas.org_a.pk in notified  # the owner of the matched achievement
    assert eco.west_china.pk not in notified  # not the need's own hospital
    buyer = member_of(eco.onco_co, "buyer")
    inbox = client_for(buyer).get("/matchmaking/")
    assert "肺癌早筛" in inbox.content.decode()
    with pytest.raises(PermissionDenied):
        actions.publish_open_call(user=buyer, need_id=eco.need.pk)


def _park_declines(personas: Personas, eco: Eco, reason: str) -> None:
    """The GMP park declines the demo achievement (relayed by its owner), with `reason`."""
    actions.act(
        user=personas.partner_a,
        source_kind="achievement",
        source_id=eco.achievement.pk,
        target_kind="park",
        target_id=eco.gmp_park.pk,
        status="declined",
        reason=reason,
    )


def test_what_was_learned_is_described(personas: Personas, eco: Eco, member_of: Any) -> None:
    park = member_of(eco.gmp_park, "gmp_park_user")
    _park_declines(personas, eco, "no_capacity")
    rules = feedback.learned_for([eco.gmp_park.pk])[eco.gmp_park.pk]
    assert rules.full_carriers == {"wet_lab"}
    page = client_for(park).get(f"/matchmaking/learned/{eco.gmp_park.pk}/")
    assert page.status_code == 200
    assert page.context["lines"] == feedback.describe(rules)
    assert len(page.context["lines"]) == 1
    assert (
        client_for(personas.partner_b).get(f"/matchmaking/learned/{eco.gmp_park.pk}/").status_code
        == 403
    )


def test_what_was_learned_lists_the_answers_naming_only_what_the_viewer_may_see(
    personas: Personas, eco: Eco, member_of: Any
) -> None:
    """The park's declines are memory for its future rankings and listed on its page; once
    the achievement is confidential the park's members no longer see its title there, in
    the page or the API, while staff still do."""
    park = member_of(eco.gmp_park, "gmp_park_user")
    _park_declines(personas, eco, "too_early")
    title = eco.achievement.title_zh
    url = f"/matchmaking/learned/{eco.gmp_park.pk}/"
    page = client_for(park).get(url).content.decode()
    assert 'data-testid="answered"' in page and title in page and "过早" in page

    Achievement.objects.filter(pk=eco.achievement.pk).update(disclosure=Disclosure.CONFIDENTIAL)
    page = client_for(park).get(url).content.decode()
    assert title not in page and "您无权查看的成果" in page
    body = client_for(park).get(f"/api/matchmaking/learned/{eco.gmp_park.pk}").json()
    assert body["answered"] == [
        {
            "achievement_id": None,
            "title": "",
            "accepted": False,
            "status": "declined",
            "reason": "too_early",
            "at": body["answered"][0]["at"],
        }
    ]
    staff = client_for(personas.staff).get(f"/api/matchmaking/learned/{eco.gmp_park.pk}").json()
    assert staff["answered"][0]["achievement_id"] == eco.achievement.pk
    assert client_for(personas.viewer).get(url).status_code in (403, 404)
