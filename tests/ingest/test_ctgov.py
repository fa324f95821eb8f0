from __future__ import annotations

from pathlib import Path

import pytest

from luodi.accounts.models import AuditEntry
from luodi.catalog.models import Organization, Trial, TrialSite
from luodi.ingest import ctgov, dedup, domain
from luodi.ingest.summary import Summary

CLASSIC = "covid-trials-before-2020-06.csv"
CURRENT = "ctg-studies-recent-2025-05.csv"


def _import(path: Path) -> Summary:
    return domain.import_ctgov(actor=None, system=True, text=path.read_text(encoding="utf-8-sig"))


def _counts() -> tuple[int, int, int]:
    return Trial.objects.count(), TrialSite.objects.count(), Organization.objects.count()


@pytest.mark.slow
def test_classic_export_creates_trials_sites_and_reimport_updates(
    db: None, ctgov_dir: Path
) -> None:
    summary = _import(ctgov_dir / CLASSIC)

    assert summary.errors == []
    assert Trial.objects.count() == 1948
    trial = Trial.objects.select_related("sponsor").get(registry_id="NCT04395482")
    assert trial.title == "Lung CT Scan Analysis of SARS-CoV2 Induced Lung Injury"
    assert trial.start_date.isoformat() == "2020-04-15"  # type: ignore[union-attr]
    assert trial.sponsor is not None
    assert (trial.sponsor.name_en, trial.sponsor.kind) == (
        "University of Milano Bicocca",
        "institute",
    )
    sites = trial.site_links.select_related("organization").order_by("id")
    assert sites.count() == 8
    first = sites[0]
    assert (first.organization.name_en, first.organization.kind, first.organization.city) == (
        "Ospedale Papa Giovanni XXIII",
        "hospital",
        "Bergamo",
    )
    assert first.location == "Ospedale Papa Giovanni XXIII, Bergamo, Italy"
    counts = _counts()

    again = _import(ctgov_dir / CLASSIC)

    assert _counts() == counts
    assert (again.created, again.updated, again.skipped) == (0, 0, 1948)
    assert AuditEntry.objects.filter(verb="import.ctgov").count() == 2


@pytest.mark.slow
def test_current_export_shares_sites_across_rows(db: None, ctgov_dir: Path) -> None:
    summary = _import(ctgov_dir / CURRENT)

    assert summary.errors == []
    assert Trial.objects.count() == 1000
    trial = Trial.objects.get(registry_id="NCT06963489")
    assert trial.site_links.count() == 5
    assert trial.sponsor is not None and trial.sponsor.kind == "hospital"
    key = dedup.name_key("The First Affiliated Hospital of Zhengzhou University")
    same = [
        o
        for o in Organization.objects.filter(name_en__icontains="zhengzhou university")
        if dedup.name_key(o.name_en) == key
    ]
    assert len(same) == 1
    assert Trial.objects.get(registry_id="NCT06964841").status == "Completed"


MALFORMED = """NCT Number,Study Title,Study Status,Sponsor,Funder Type,Start Date,Phases,Locations
NCT01000001,Good trial,RECRUITING,Acme Pharma Inc.,INDUSTRY,2024-05,PHASE1|PHASE2,{locations}
,No id,RECRUITING,X,OTHER,2024-01-01,,
BAD123,Bad id,RECRUITING,X,OTHER,2024-01-01,,
NCT01000002,Bad date,RECRUITING,X,OTHER,31/02/2024,,
NCT01000001,Listed twice,RECRUITING,X,OTHER,2024-01-01,,
NCT01000003,,RECRUITING,X,OTHER,2024-01-01,,
""".format(
    locations='"Univ. Hospital Foo, Paris, France|University Hospital Foo, Paris, 75013, France'
    '|GSK Investigational Site, Lyon, France"'
)


def test_malformed_rows_are_reported_not_fatal(db: None) -> None:
    summary = domain.import_ctgov(actor=None, system=True, text=MALFORMED)

    assert [e.line for e in summary.errors] == [3, 4, 5, 6, 7]
    assert "31/02/2024" in summary.errors[2].reason
    trial = Trial.objects.select_related("sponsor").get()
    assert (trial.registry_id, trial.phase, str(trial.start_date)) == (
        "NCT01000001",
        "Phase 1|Phase 2",
        "2024-05-01",
    )
    assert trial.sponsor is not None and trial.sponsor.kind == "company"
    names = sorted(trial.site_links.values_list("organization__name_en", flat=True))
    assert names == ["GSK Investigational Site (Lyon)", "Univ. Hospital Foo"]


def test_not_a_ctgov_export_is_unusable(db: None) -> None:
    with pytest.raises(ctgov.CtgovError):
        domain.import_ctgov(actor=None, system=True, text="a,b\n1,2\n")


@pytest.mark.parametrize(
    ("raw", "name", "city"),
    [
        ("Hospital X, Madrid, Spain", "Hospital X", "Madrid"),
        (
            "T3D Therapeutics, Inc., Durham, North Carolina, 27713, United States",
            "T3D Therapeutics, Inc.",
            "Durham",
        ),
        ("McGill Univ HC /ID# 157085, Montreal, Quebec, Canada", "McGill Univ HC", "Montreal"),
        ("Fuzhou, China", None, None),
    ],
)
def test_parse_location(raw: str, name: str | None, city: str | None) -> None:
    site = ctgov.parse_location(raw)
    assert (site.name if site else None, site.city if site else None) == (name, city)


def test_header_only_export_imports_nothing(db: None) -> None:
    summary = domain.import_ctgov(actor=None, system=True, text="NCT Number,Title,Locations\n")
    assert (summary.rows, summary.created, summary.errors) == (0, 0, [])
