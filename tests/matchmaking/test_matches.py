"""Match lists: four audiences with reasons, carrier fit, feedback that changes rankings."""

from __future__ import annotations

import pytest

from luodi.matchmaking import actions, queries
from luodi.matchmaking.models import MatchStatus
from tests.conftest import Personas, client_for
from tests.factories import AchievementFactory
from tests.matchmaking.conftest import Eco

pytestmark = pytest.mark.django_db


def _ranked(user, kind, pk, tab):  # type: ignore[no-untyped-def]
    source = queries.load_source(user, kind, pk)
    return queries.matches(user, source, tab, k=20)


def _ids(ml) -> list[int]:  # type: ignore[no-untyped-def]
    return [s.pk for s in ml.items]


def test_achievement_matches_four_audiences_with_reasons(personas: Personas, eco: Eco) -> None:
    user = personas.partner_a
    companies = _ranked(user, "achievement", eco.achievement.pk, "company")
    assert _ids(companies)[0] == eco.onco_co.pk
    top = companies.items[0]
    assert top.matched  # matched terms per field
    assert {r.code for r in top.reasons} >= {"fields", "licensing"}
    assert companies.method == "hybrid"
    assert top.similarity is not None

    investors = _ranked(user, "achievement", eco.achievement.pk, "investor")
    assert _ids(investors) == [eco.early_vc.pk, eco.late_fund.pk]
    late = investors.items[1]
    assert any(r.code == "stage" and r.ok is False for r in late.reasons)

    parks = _ranked(user, "achievement", eco.achievement.pk, "park")
    assert _ids(parks) == [eco.lab_park.pk, eco.gmp_park.pk]  # the one that cannot host: shown
    assert not parks.items[0].blocked
    cannot = parks.items[1]
    assert cannot.blocked
    assert any(r.code == "carrier" and r.ok is False for r in cannot.reasons)

    centers = _ranked(user, "achievement", eco.achievement.pk, "center")
    assert _ids(centers) == [eco.west_china.pk, eco.eye_hospital.pk]
    assert centers.items[0].role == "lead"
    assert any(r.code == "specialty" and r.ok for r in centers.items[0].reasons)


def test_owner_is_never_its_own_candidate(personas: Personas, eco: Eco) -> None:
    for tab in ("company", "investor", "park", "center"):
        ml = _ranked(personas.staff, "achievement", eco.achievement.pk, tab)
        assert personas.org_a.pk not in _ids(ml)


def test_decline_moves_the_pair_down_and_teaches_the_counterparty(
    personas: Personas, eco: Eco
) -> None:
    before = _ids(_ranked(personas.partner_a, "achievement", eco.achievement.pk, "investor"))
    assert before[0] == eco.early_vc.pk
    actions.act(
        user=personas.partner_a,
        source_kind="achievement",
        source_id=eco.achievement.pk,
        target_kind="investor",
        target_id=eco.early_vc.pk,
        status=MatchStatus.DECLINED,
        reason="too_early",
        note="wants phase I data",
    )
    after = _ranked(personas.partner_a, "achievement", eco.achievement.pk, "investor")
    assert _ids(after) == [eco.late_fund.pk, eco.early_vc.pk]
    assert after.items[1].status == "declined"

    # Another early-stage item now ranks this investor lower too: it declined "too early".
    other = AchievementFactory(
        owner=personas.org_a, kind="drug", stage="discovery", title_zh="另一个早期抑制剂"
    )
    other.technology_fields.set([eco.small_molecule])
    ml = _ranked(personas.partner_a, "achievement", other.pk, "investor")
    early = next(s for s in ml.items if s.pk == eco.early_vc.pk)
    assert any(r.code == "learned" and r.ok is False for r in early.reasons)
    assert early.status == ""  # a different pair: not itself declined


def test_park_reporting_no_gmp_capacity_stops_gmp_matches(personas: Personas, eco: Eco) -> None:
    biologic = AchievementFactory(
        owner=personas.org_a,
        kind="drug",
        stage="phase2",
        carrier_needs=["gmp"],
        space_needed_m2=3000,
    )
    parks = _ranked(personas.staff, "achievement", biologic.pk, "park")
    assert not next(s for s in parks.items if s.pk == eco.gmp_park.pk).blocked
    actions.act(
        user=personas.staff,
        source_kind="achievement",
        source_id=biologic.pk,
        target_kind="park",
        target_id=eco.gmp_park.pk,
        status=MatchStatus.DECLINED,
        reason="no_capacity",
    )
    another = AchievementFactory(
        owner=personas.org_a,
        kind="drug",
        stage="phase3",
        carrier_needs=["gmp"],
        space_needed_m2=2000,
    )
    parks = _ranked(personas.staff, "achievement", another.pk, "park")
    gmp = next(s for s in parks.items if s.pk == eco.gmp_park.pk)
    assert gmp.blocked
    # Reasons are shown in the active language (zh-hans by default).
    assert any("无可用空间" in str(r.text) for r in gmp.reasons)


def test_carrier_needs_are_derived_from_type_and_stage(personas: Personas, eco: Eco) -> None:
    device = AchievementFactory(
        owner=personas.org_a, kind="device", stage="prototype", carrier_needs=[]
    )
    parks = _ranked(personas.staff, "achievement", device.pk, "park")
    lab = next(s for s in parks.items if s.pk == eco.lab_park.pk)
    texts = " ".join(r.text for r in lab.reasons)
    assert "Cleanroom" in texts or "洁净" in texts  # wet lab + cleanroom for a prototype
    assert lab.blocked  # the lab park has no cleanroom


def test_park_attracts_achievements_and_companies(personas: Personas, eco: Eco) -> None:
    ach = _ranked(personas.staff, "organization", eco.lab_park.pk, "achievement")
    assert _ids(ach) == [eco.achievement.pk]
    assert any(r.code == "carrier" and r.ok for r in ach.items[0].reasons)
    comp = _ranked(personas.staff, "organization", eco.lab_park.pk, "company")
    assert _ids(comp)[0] == eco.onco_co.pk


def test_need_finds_achievements_companies_and_teams(personas: Personas, eco: Eco) -> None:
    source = queries.load_source(personas.staff, "need", eco.need.pk)
    assert source.tabs == ("achievement", "company", "team")
    assert _ids(queries.matches(personas.staff, source, "achievement"))[0] == eco.achievement.pk
    teams = queries.matches(personas.staff, source, "team")
    assert personas.org_a.pk in _ids(teams)


def test_clinical_reasons_name_specialties_in_the_users_language(
    personas: Personas, eco: Eco
) -> None:
    """#18 item 10: the clinical tab said "oncology、thoracic_surgery" in the Chinese UI."""
    from django.utils import translation

    for lang, label, code in (("zh-hans", "肿瘤科", "oncology"), ("en", "Oncology", "oncology")):
        with translation.override(lang):
            centers = _ranked(personas.staff, "achievement", eco.achievement.pk, "center")
            text = " ".join(r.text for r in centers.items[0].reasons if r.code == "specialty")
        assert label in text, (lang, text)
        if lang == "zh-hans":
            assert code not in text


def test_explanations_leave_out_words_that_explain_nothing() -> None:
    """#18 item 10: "incl" and "relates" were shown as the words a match shares."""
    shown = queries.display_terms({"summary": ["incl", "relates", "PD-1", "Including", "肿瘤"]})

    assert shown == {"summary": ["PD-1", "肿瘤"]}


def test_no_word_is_hidden_as_a_demo_marker() -> None:
    """#23: "数据"/"data" were hidden with the demo markers, so a real clinical data platform
    never showed its matched word. Demo records are now flagged, not marked in their text:
    "演示" and "demo" are words like any other."""
    shown = queries.display_terms(
        {"title": ["临床", "数据", "平台", "演示"], "summary": ["data", "demo"]}
    )

    assert shown == {"title": ["临床", "数据", "平台", "演示"], "summary": ["data", "demo"]}


def test_similarity_is_shown_as_a_rank_among_the_candidates(personas: Personas, eco: Eco) -> None:
    """#18 item 10: every park showed a cosine of 0.85-0.88, which tells nobody anything."""
    parks = _ranked(personas.staff, "achievement", eco.achievement.pk, "park").items
    ranked = sorted(
        (s for s in parks if s.similarity is not None), key=lambda s: -(s.similarity or 0)
    )

    assert ranked, "the test encoder gives every candidate a similarity"
    assert [(s.similarity_rank, s.similarity_of) for s in ranked] == [
        (i, len(ranked)) for i in range(1, len(ranked) + 1)
    ]
    page = client_for(personas.staff).get(
        f"/matchmaking/achievement/{eco.achievement.pk}/?tab=park", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert f"closest in meaning: 1 of {len(ranked)}" in page.content.decode()


def test_profiles_read_term_ids_from_the_link_tables_as_the_managers_order_them(
    personas: Personas, eco: Eco, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    from luodi.catalog.models import Achievement, Term
    from luodi.matchmaking import adapters

    late = Term.objects.create(scheme="area", code="ZZ9", label_en="Zeta area", label_zh="末位")
    early = Term.objects.create(scheme="area", code="A00", label_en="Alpha area", label_zh="首位")
    other = AchievementFactory(title_zh="另一项成果", title_en="Another achievement")
    other.therapeutic_areas.set([late, early])  # linked out of the terms' order
    terms = adapters.Terms.cached()
    rows = Achievement.objects.filter(pk__in=[eco.achievement.pk, other.pk]).order_by("pk")
    with django_assert_num_queries(3):  # the rows, then one query per link table
        fast = adapters.with_term_ids(adapters.achievements_for_matching(rows))
        fast_profiles = [adapters.achievement_profile(a, terms, dossier=True) for a in fast]
    slow_profiles = [adapters.achievement_profile(a, terms, dossier=True) for a in rows]
    assert fast_profiles == slow_profiles
    assert adapters.term_ids(fast[1], "therapeutic_areas") == [early.pk, late.pk]
    assert adapters.term_ids(fast[0], "therapeutic_areas")  # the eco's achievement has areas
