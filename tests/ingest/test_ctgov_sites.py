"""The catalog importer reads CT.gov exports with luodi.sites' reader and keeps one site per
`site_key`, the key the site ranker merges on."""

from __future__ import annotations

from django.utils import translation

from luodi.ingest import ctgov
from luodi.sites.normalize import site_key

LOCATIONS = [
    "Department of Cardiology, Cairo University, Cairo, Egypt",
    "Cairo University, Cairo, Egypt",  # the same site as the ranker keys it
    "Mayo Clinic, Rochester, Minnesota, United States",
    "Mayo Clinic, Jacksonville, Florida, United States",  # same name, another site
    "Uh Montpellier, Montpellier, France",
    "Uhmontpellier, Montpellier, 34000, France",  # the same site
]


def test_sites_of_a_trial_are_the_rankers_sites() -> None:
    text = 'NCT Number,Study Title,Locations\nNCT01000001,A trial,"{}"\n'.format(
        "|".join(LOCATIONS)
    )
    (trial,), errors = ctgov.parse(text)

    assert errors == []
    keys = [s.key for s in trial.sites]
    assert keys == list(dict.fromkeys(site_key(e) for e in LOCATIONS))
    assert [s.location for s in trial.sites] == [LOCATIONS[i] for i in (0, 2, 3, 4)]
    # Which organization a site is stays the catalog's organization key.
    assert trial.sites[1].org_key == trial.sites[2].org_key


def test_rows_of_the_wrong_width_are_reported_not_imported() -> None:
    text = (
        "NCT Number,Study Title,Start Date,Locations\n"
        "NCT01000001,Good,2024-01,\n"
        "NCT01000002,Short\n"
        "\n"
        "NCT01000003,After a blank line,2020,\n"
    )
    with translation.override("en"):
        trials, errors = ctgov.parse(text)

    assert [t.registry_id for t in trials] == ["NCT01000001", "NCT01000003"]
    assert [line for line, _ in errors] == [3]
    assert "2 columns, expected 4" in errors[0][1]
    assert trials[1].line == 5 and str(trials[1].start_date) == "2020-01-01"
