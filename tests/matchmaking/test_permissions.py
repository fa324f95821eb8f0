"""No match list, explanation, report or API response reveals a confidential achievement (or
any withheld dossier) to a party without a live grant; expired grants stop working."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from luodi.matchmaking import actions, engine, queries, reports
from luodi.matchmaking.models import MatchStatus
from luodi.retrieval import indexing
from tests.catalog_api.factories import AccessGrantFactory
from tests.conftest import Personas, client_for
from tests.factories import AchievementFactory
from tests.matchmaking.conftest import SECRET, Eco

pytestmark = [pytest.mark.django_db]

DOSSIER = "DOSSIER-合成路线-泄漏检查"


@pytest.fixture
def secret(personas: Personas, eco: Eco) -> Any:
    a = AchievementFactory(
        owner=personas.org_a,
        title_zh=f"{SECRET} KRAS 抑制剂",
        title_en=f"{SECRET} inhibitor",
        summary_zh=f"{SECRET} 小分子 肺癌",
        disclosure="confidential",
        dossier_zh=DOSSIER,
        dossier_en=DOSSIER,
        kind="drug",
        stage="preclinical",
        carrier_needs=["wet_lab"],
        space_needed_m2=100,
    )
    a.therapeutic_areas.set([eco.oncology])
    a.technology_fields.set([eco.small_molecule])
    indexing.rebuild_all()
    return a


@pytest.fixture
def park_user(eco: Eco, member_of: Any) -> Any:
    return member_of(eco.lab_park, "park_user")


def _everything(user: Any, eco: Eco) -> str:
    """Every match list this user can ask for, as text (labels, reasons, matched terms)."""
    out = []
    for kind, pk in (
        ("organization", eco.lab_park.pk),
        ("organization", eco.early_vc.pk),
        ("organization", eco.onco_co.pk),
        ("need", eco.need.pk),
    ):
        source = queries.load_source(user, kind, pk)
        for tab in source.tabs:
            ml = queries.matches(user, source, tab, k=100)
            out.append(repr(ml.items))
    return "\n".join(out)


def _api(user: Any, path: str) -> Any:
    return client_for(user).get(f"/api/matchmaking{path}")


def _text(resp: Any) -> str:
    """The JSON body as text with non-ASCII characters unescaped (the API escapes them)."""
    return json.dumps(resp.json(), ensure_ascii=False)


def test_confidential_is_invisible_in_every_list_and_api(
    park_user: Any, eco: Eco, secret: Any
) -> None:
    assert SECRET not in _everything(park_user, eco)
    for path in (
        f"/matches/organization/{eco.lab_park.pk}?tab=achievement",
        f"/matches/need/{eco.need.pk}?tab=achievement",
        f"/matches/achievement/{secret.pk}?tab=company",
    ):
        resp = _api(park_user, path)
        assert SECRET not in _text(resp)
    assert _api(park_user, f"/matches/achievement/{secret.pk}?tab=park").status_code == 404
    page = client_for(park_user).get(f"/matchmaking/achievement/{secret.pk}/")
    assert page.status_code == 404


def test_the_query_itself_cannot_pull_it_out(park_user: Any, eco: Eco, secret: Any) -> None:
    # The secret string as the query: the index holds the document, but allowed ids come
    # from the visible queryset before ranking.
    visible = [a.pk for a in queries.candidate_achievements(park_user)]
    result = engine.get_engine().text_scores("achievement", SECRET, visible, None)
    assert secret.pk not in result.matches
    assert engine.get_engine().matched_terms("achievement", SECRET, visible).get(secret.pk) is None


def test_live_grant_shows_it_without_the_dossier_and_expiry_hides_it(
    park_user: Any, eco: Eco, secret: Any
) -> None:
    grant = AccessGrantFactory(achievement=secret, organization=eco.lab_park)
    text = _everything(park_user, eco)
    assert SECRET in text
    assert DOSSIER not in text
    api = _api(park_user, f"/matches/organization/{eco.lab_park.pk}?tab=achievement")
    assert SECRET in _text(api)
    assert DOSSIER not in _text(api)

    grant.expires_at = timezone.now() - timedelta(minutes=1)
    grant.save(update_fields=["expires_at"])
    assert SECRET not in _everything(park_user, eco)
    assert SECRET not in _text(
        _api(park_user, f"/matches/organization/{eco.lab_park.pk}?tab=achievement")
    )


def test_records_of_a_confidential_pair_stay_hidden_from_the_counterparty(
    personas: Personas, park_user: Any, eco: Eco, secret: Any
) -> None:
    actions.act(
        user=personas.partner_a,
        source_kind="achievement",
        source_id=secret.pk,
        target_kind="park",
        target_id=eco.lab_park.pk,
        status=MatchStatus.SHORTLISTED,
    )
    assert _api(park_user, "/records").json() == []
    inbox = client_for(park_user).get("/matchmaking/").content.decode()
    assert SECRET not in inbox
    owner_view = _api(personas.partner_a, "/records").json()
    assert [r["achievement_id"] for r in owner_view] == [secret.pk]
    learned = client_for(park_user).get(f"/matchmaking/learned/{eco.lab_park.pk}/")
    assert SECRET not in learned.content.decode()


def test_outsider_cannot_act_or_request_on_it(park_user: Any, eco: Eco, secret: Any) -> None:
    with pytest.raises(queries.Achievement.DoesNotExist):
        actions.act(
            user=park_user,
            source_kind="organization",
            source_id=eco.lab_park.pk,
            target_kind="achievement",
            target_id=secret.pk,
            status="shortlisted",
        )
    resp = client_for(park_user).post(
        "/api/matchmaking/access-requests",
        {"achievement_id": secret.pk, "accept_nda": True},
        content_type="application/json",
    )
    assert resp.status_code == 404
    assert SECRET not in _text(resp)


def test_staff_report_lists_without_dossiers(personas: Personas, eco: Eco, secret: Any) -> None:
    resp = client_for(personas.staff).get(f"/matchmaking/reports/{eco.lab_park.pk}/")
    assert resp.status_code == 200, resp.content[:3000]
    wb = load_workbook(io.BytesIO(resp.content))
    cells = json.dumps(
        [[c for c in row] for ws in wb for row in ws.iter_rows(values_only=True)],
        ensure_ascii=False,
        default=str,
    )
    assert SECRET in cells  # staff see everything …
    assert DOSSIER not in cells  # … but a report never carries a dossier
    assert (
        client_for(personas.partner_b).get(f"/matchmaking/reports/{eco.lab_park.pk}/").status_code
        == 403
    )


def test_partner_report_would_not_list_it(park_user: Any, eco: Eco, secret: Any) -> None:
    wb, _name = reports.workbook(user=park_user, org_id=eco.lab_park.pk)
    cells = repr([list(ws.iter_rows(values_only=True)) for ws in wb])
    assert SECRET not in cells


def test_teaser_is_matchable_but_its_dossier_never_shows(
    personas: Personas, park_user: Any, eco: Eco
) -> None:
    teaser = AchievementFactory(
        owner=personas.org_a,
        title_zh="预告 KRAS 抑制剂",
        disclosure="teaser",
        dossier_zh=DOSSIER,
        kind="drug",
    )
    teaser.technology_fields.set([eco.small_molecule])
    indexing.rebuild_all()
    text = _everything(park_user, eco)
    assert "预告 KRAS 抑制剂" in text
    assert DOSSIER not in text


def test_a_teasers_withheld_requirements_never_show_in_reasons(
    personas: Personas, park_user: Any, eco: Eco
) -> None:
    """The owner's carrier requirement is a dossier field: the detail page withholds it from
    a teaser's viewers, so the park tab must not explain a fit (or a misfit) with it."""
    teaser = AchievementFactory(
        owner=personas.org_a,
        title_zh="预告 病毒载体",
        disclosure="teaser",
        kind="drug",
        stage="preclinical",
        carrier_needs=["p3_lab"],
        space_needed_m2=777,
    )
    indexing.rebuild_all()

    def park_reasons(user: Any) -> str:
        source = queries.load_source(user, "achievement", teaser.pk)
        ml = queries.matches(user, source, "park")
        return " ".join(r.text for s in ml.items for r in s.reasons)

    owner_view = park_reasons(personas.partner_a)
    outsider_view = park_reasons(park_user)

    assert "P3" in owner_view or "777" in owner_view  # the owner sees its own requirement
    assert "P3" not in outsider_view and "777" not in outsider_view
    assert "湿实验室" in outsider_view or "Wet lab" in outsider_view  # implied by type+stage


def test_a_park_sees_only_its_own_fit_on_a_park_tab(
    personas: Personas, park_user: Any, eco: Eco
) -> None:
    """Parks compete for projects: another park's fit, and where this one ranks, are staff's
    and that park's business only."""
    source = queries.load_source(park_user, "achievement", eco.achievement.pk)
    seen = queries.matches(park_user, source, "park")
    staff_source = queries.load_source(personas.staff, "achievement", eco.achievement.pk)
    everything = queries.matches(personas.staff, staff_source, "park")

    assert [s.pk for s in seen.items] == [eco.lab_park.pk] and seen.total == 1
    assert {eco.lab_park.pk, eco.gmp_park.pk} <= {s.pk for s in everything.items}
    api = client_for(park_user).get(
        f"/api/matchmaking/matches/achievement/{eco.achievement.pk}", {"tab": "park"}
    )
    assert [i["id"] for i in api.json()["items"]] == [eco.lab_park.pk]
