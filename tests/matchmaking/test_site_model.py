"""The trial-site ranker as a job-fitted, stored, versioned artifact (site_model.py): requests
only read it, trial imports and the nightly job fit it, and a page without one says so."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError
from django.utils import translation
from django_q.models import Schedule
from playwright.sync_api import expect

from luodi.ingest import domain as ingest
from luodi.jobs import leases
from luodi.jobs.core import registered
from luodi.matchmaking import queries, site_model
from luodi.matchmaking.models import RankerGeneration
from luodi.sites import SiteRanker, Trial, store
from tests.browser_fixtures import sign_in
from tests.catalog_api.factories import TrialFactory, TrialSiteFactory
from tests.conftest import Personas, client_for
from tests.factories import PASSWORD
from tests.matchmaking.conftest import Eco

pytestmark = [pytest.mark.django_db]

NOTE_ZH = "尚未使用试验历史"
NOTE_EN = "Trial history is not used yet"


@pytest.fixture(autouse=True)
def _fresh_process() -> Any:
    site_model.forget()
    yield
    site_model.forget()


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
    t = TrialFactory(title="Anti-VEGF for macular degeneration", phase="PHASE3")
    TrialSiteFactory(trial=t, organization=eco.eye_hospital, location="Eye Hospital, Beijing")


def _centers_page(user: Any, trial_pk: int) -> str:
    page = client_for(user).get(f"/matchmaking/trial/{trial_pk}/?tab=center")
    assert page.status_code == 200
    return page.content.decode()


def test_page_without_fitted_ranker_fits_nothing_and_says_so(personas: Personas, eco: Eco) -> None:
    _history(eco)
    new = TrialFactory(title="A phase 1 study of a KRAS G12C inhibitor in lung cancer")

    html = _centers_page(personas.staff, new.pk)

    assert NOTE_ZH in html
    assert RankerGeneration.objects.count() == 0  # the request neither fitted nor queued
    assert Schedule.objects.count() == 0
    source = queries.load_source(personas.staff, "trial", new.pk)
    with translation.override("en"):
        ml = queries.matches(personas.staff, source, "center")
        assert NOTE_EN in ml.note
        assert not any("site ranker" in r.text for s in ml.items for r in s.reasons)


def test_fitted_ranker_is_stored_versioned_and_used(personas: Personas, eco: Eco) -> None:
    _history(eco)
    new = TrialFactory(title="A phase 1 study of a KRAS G12C inhibitor in lung cancer")

    assert site_model.fit_site_ranker() == 1

    gen = RankerGeneration.objects.get()
    assert (gen.kind, gen.version, gen.trials, gen.sites) == ("site_ranker", 1, 5, 2)
    assert default_storage.exists(gen.path)
    html = _centers_page(personas.staff, new.pk)
    assert NOTE_ZH not in html
    source = queries.load_source(personas.staff, "trial", new.pk)
    with translation.override("en"):
        ml = queries.matches(personas.staff, source, "center")
    assert ml.items[0].pk == eco.west_china.pk
    history = [r for r in ml.items[0].reasons if r.code == "history"]
    assert [(r.text, r.delta) for r in history] == [
        ("Trial history close to this study (site ranker)", 0.2)
    ]
    assert NOTE_EN not in ml.note


def test_fit_is_skipped_until_the_trials_change(eco: Eco) -> None:
    _history(eco)
    assert site_model.fit_site_ranker() == 1
    assert site_model.fit_site_ranker() == 0
    TrialSiteFactory(
        trial=TrialFactory(title="Lung cancer screening"),
        organization=eco.eye_hospital,
        location="Eye Hospital, Beijing",
    )
    assert site_model.fit_site_ranker() == 2
    assert list(RankerGeneration.objects.values_list("version", flat=True)) == [2, 1]


def test_a_process_sees_a_new_version_within_the_check_interval(eco: Eco, settings: Any) -> None:
    _history(eco)
    site_model.fit_site_ranker()
    settings.LUODI_INDEX_CHECK_SECONDS = 3600
    first = site_model.current()
    assert first is not None and first.version == 1
    TrialSiteFactory(trial=TrialFactory(), organization=eco.west_china, location="WCH, Chengdu")
    site_model.fit_site_ranker()
    assert site_model.current() is first  # not looked up again within the interval
    settings.LUODI_INDEX_CHECK_SECONDS = 0
    again = site_model.current()
    assert again is not None and again.version == 2
    assert "WCH, Chengdu" in again.orgs_of


def test_trial_import_queues_a_fit_after_commit_and_a_dry_run_none(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    csv = (
        "NCT Number,Study Title,Study Status,Sponsor,Funder Type,Start Date,Phases,Locations\n"
        "NCT01000001,KRAS study,RECRUITING,Acme Pharma Inc.,INDUSTRY,2024-05,PHASE1,"
        '"West China Hospital, Chengdu, Sichuan, China"\n'
    )
    with django_capture_on_commit_callbacks(execute=True) as dry:
        ingest.import_ctgov(actor=personas.staff, text=csv, dry_run=True)
    assert dry == []
    with django_capture_on_commit_callbacks(execute=True) as real:
        ingest.import_ctgov(actor=personas.staff, text=csv)
    # One fit, beside the index jobs for the imported trials and organizations.
    assert [type(c).__name__ for c in real].count("_QueueFit") == 1
    gen = RankerGeneration.objects.get()
    assert (gen.version, gen.trials) == (1, 1)


def test_fit_waits_while_another_fitter_holds_the_lease(eco: Eco) -> None:
    _history(eco)
    token = leases.acquire("ranker:site_ranker", 600)
    assert token is not None

    assert site_model.fit_site_ranker() == 0

    assert RankerGeneration.objects.count() == 0
    assert Schedule.objects.filter(name__startswith="matchmaking.fit_site_ranker").count() == 1


def test_late_fitter_loses_the_version_fence_and_removes_its_file(
    eco: Eco, monkeypatch: pytest.MonkeyPatch
) -> None:
    _history(eco)
    RankerGeneration.objects.create(kind="site_ranker", version=1, path="", digest="other")
    # As if the other fitter published after this one had read the newest version.
    monkeypatch.setattr(site_model, "newest", lambda: None)

    with pytest.raises(IntegrityError):
        site_model.fit_and_publish()

    assert default_storage.listdir("rankers/site_ranker")[1] == []
    assert RankerGeneration.objects.get().digest == "other"


@pytest.mark.parametrize("content", [b"not a ranker", b"PK\x03\x04 a truncated zip"])
def test_unreadable_artifact_serves_no_history_and_the_note(eco: Eco, content: bytes) -> None:
    _history(eco)
    path = default_storage.save("rankers/site_ranker/broken.npz", ContentFile(content))
    RankerGeneration.objects.create(kind="site_ranker", version=1, path=path, digest="x")

    assert site_model.current() is None
    with translation.override("en"):
        assert site_model.history_note().startswith(NOTE_EN)


def test_nightly_schedule_is_declared() -> None:
    assert registered()["matchmaking.fit_site_ranker"].daily_at == "03:45"


def test_stored_ranker_ranks_exactly_like_the_fitted_one() -> None:
    history = [
        Trial(
            nct_id=f"NCT0000000{n}",
            title=title,
            conditions=(cond,),
            interventions=("Drug: X",),
            phases=("PHASE2",),
            sponsor=sponsor,
            locations=locations,
            start_date=date(2020, 1 + n, 1),
        )
        for n, (title, cond, sponsor, locations) in enumerate(
            [
                ("Remdesivir in COVID-19", "COVID-19", "Gilead", ("MGH, Boston, MA, USA",)),
                ("KRAS in lung cancer", "NSCLC", "Amgen", ("CHU Lille, Lille, France",)),
                (
                    "KRAS in colon cancer",
                    "CRC",
                    "Amgen",
                    ("CHU Lille, Lille, France", "MGH, Boston, MA, USA"),
                ),
            ]
        )
    ]
    fitted = SiteRanker().fit(history)
    buffer = io.BytesIO()
    store.dump(fitted, buffer, extra={"orgs_of": {"CHU Lille, Lille, France": [3]}})
    loaded, extra = store.load(io.BytesIO(buffer.getvalue()))

    queries_ = [
        Trial(nct_id="Q1", title="KRAS G12C lung", sponsor="Amgen"),
        Trial(nct_id="Q2", title="COVID-19 antiviral in Boston", phases=("PHASE3",)),
    ]
    for q in queries_:
        assert loaded.rank(q, k=None) == fitted.rank(q, k=None)
    key = fitted.rank(queries_[0], k=1)[0][0]
    assert loaded.entries(key) == fitted.entries(key)
    assert loaded.site_of("CHU Lille, Lille, France") == fitted.site_of("CHU Lille, Lille, France")
    assert extra == {"orgs_of": {"CHU Lille, Lille, France": [3]}}


def test_store_refuses_another_format(monkeypatch: pytest.MonkeyPatch) -> None:
    buffer = io.BytesIO()
    store.dump(SiteRanker().fit([Trial(nct_id="N1", title="t", locations=("A, B, C",))]), buffer)
    monkeypatch.setattr(store, "FORMAT", store.FORMAT + 1)

    with pytest.raises(ValueError, match="format"):
        store.load(io.BytesIO(buffer.getvalue()))


def test_browser_centers_tab_says_so_until_the_job_has_fitted(
    page: Any, personas: Personas, eco: Eco
) -> None:
    _history(eco)
    new = TrialFactory(title="A phase 1 study of a KRAS G12C inhibitor in lung cancer")
    sign_in(page, "staff_user", PASSWORD)

    page.goto(f"/matchmaking/trial/{new.pk}/?tab=center")
    note = page.locator("[data-testid=panel-center] [data-testid=method-note]")
    expect(note).to_contain_text(NOTE_ZH)
    assert RankerGeneration.objects.count() == 0

    site_model.fit_site_ranker()
    page.reload()

    expect(
        page.locator("[data-testid=panel-center] [data-testid=candidate]").first
    ).to_contain_text("华西医院")
    expect(page.locator(f"[data-testid=panel-center] :text('{NOTE_ZH}')")).to_have_count(0)
    expect(page.locator("[data-testid=panel-center] [data-code=history]").first).to_contain_text(
        "中心排序模型"
    )
