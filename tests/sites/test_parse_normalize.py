from __future__ import annotations

from datetime import date
from pathlib import Path

from luodi.sites.ctgov_csv import ParseReport, parse_date, read_trials
from luodi.sites.normalize import org_key, parse_location, site_key

from .conftest import MGH, MGH_VARIANT, MGH_ZIP, NEW_HEADER, OLD_HEADER, old_row, write_csv


def test_old_format(history_csv: Path) -> None:
    report = ParseReport(str(history_csv))
    trials = read_trials(history_csv, report=report)
    assert report.format == "old" and report.skipped == 0 and len(trials) == 6
    t = trials[1]
    assert t.nct_id == "NCT00000002"
    assert t.sponsor == "Novartis" and t.collaborators == ("Genentech",)
    assert t.conditions == ("COVID-19", "Cytokine Storm")
    assert t.phases == ("phase3",)
    assert t.start_date == date(2020, 3, 25)
    assert len(t.locations) == 2
    assert trials[2].phases == ()  # "Not Applicable"
    assert trials[2].start_date == date(2020, 4, 1)  # month-only


def test_current_format(queries_csv: Path) -> None:
    report = ParseReport(str(queries_csv))
    trials = read_trials(queries_csv, report=report)
    assert report.format == "current" and len(trials) == 3
    t = trials[0]
    assert t.title.startswith("Remdesivir") and "two lines" in t.summary
    assert t.sponsor == "Massachusetts General Hospital" and t.collaborators == ()
    assert t.interventions == ("DRUG: Remdesivir",) and t.phases == ("phase3",)
    assert t.start_date == date(2025, 5, 1)
    assert trials[1].phases == ()  # "NA"


def test_odd_rows_reported_and_skipped(tmp_path: Path) -> None:
    good = old_row("NCT00000001", "A", "", "", "S", "", "May 2020", [MGH])
    rows = [
        good,
        good[:5],  # truncated row
        old_row("garbage", "B", "", "", "S", "", "", []),
        good,  # duplicate
        [""] * len(OLD_HEADER),  # blank row: ignored silently
    ]
    path = write_csv(tmp_path / "odd.csv", OLD_HEADER, rows)
    warnings: list[str] = []
    report = ParseReport(str(path))
    trials = read_trials(path, warn=warnings.append, report=report)
    assert [t.nct_id for t in trials] == ["NCT00000001"]
    assert report.skipped == 3 and len(warnings) == 3
    assert any("columns" in w for w in warnings) and any("duplicate" in w for w in warnings)


def test_missing_columns_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "min.csv"
    path.write_text(
        '\ufeffNCT Number,Study Title,Locations\nNCT01234567,"Title, with comma",' + MGH + "\n"
    )
    path.write_text(
        '\ufeffNCT Number,Study Title,Locations\nNCT01234567,"Title, with comma","' + MGH + '"\n'
    )
    (t,) = read_trials(path)
    assert t.title == "Title, with comma" and t.locations == (MGH,) and t.sponsor == ""
    assert read_trials(write_csv(tmp_path / "no_nct.csv", ["Title"], [["x"]]), warn=print) == []
    assert len(NEW_HEADER) == 30


def test_parse_date() -> None:
    assert parse_date("April 15, 2020") == date(2020, 4, 15)
    assert parse_date("May 2020") == date(2020, 5, 1)
    assert parse_date("2025-05") == date(2025, 5, 1)
    assert parse_date("2025-05-09") == date(2025, 5, 9)
    assert parse_date("") is None and parse_date("soon") is None


def test_site_key_merges_variants() -> None:
    assert site_key(MGH) == site_key(MGH_ZIP) == site_key(MGH_VARIANT)
    assert site_key("Uh Montpellier, Montpellier, France") == site_key(
        "Uhmontpellier, Montpellier, France"
    )
    assert site_key("Univ. of Iowa Hospitals & Clinics, Iowa City, Iowa, United States") == (
        site_key("University of Iowa Hospitals and Clinics, Iowa City, Iowa, United States")
    )
    assert site_key("Hôpital Bichat, Paris, France") == site_key("HOPITAL BICHAT, Paris, France")
    assert site_key("Department of Cardiology, Cairo University, Cairo, Egypt") == site_key(
        "Cairo University, Cairo, Egypt"
    )
    assert site_key("Asan Medical Center, Seoul, Korea, Republic of") == site_key(
        "Asan Medical Center, Seoul, 05505, South Korea"
    )


def test_site_key_keeps_places_apart() -> None:
    assert site_key("Novartis Investigative Site, Madrid, Spain") != site_key(
        "Novartis Investigative Site, Moscow, Russian Federation"
    )
    assert site_key("Research Site, Lyon, France") != site_key("Research Site, Paris, France")


def test_parse_location_and_org_key() -> None:
    loc = parse_location("Yale University, New Haven, Connecticut, 06510, United States")
    assert loc.facility == "yale university" and loc.country == "united states"
    assert loc.places == ("new haven", "connecticut")
    assert parse_location("Seoul, Korea, Republic of").country == "south korea"
    assert org_key("University Hospital, Montpellier") == org_key("University hospital Montpellier")


def test_loose_key_second_merge_rule() -> None:
    from luodi.sites.ctgov_csv import Trial
    from luodi.sites.normalize import loose_key
    from luodi.sites.ranker import SiteRanker

    a = "Toulouse University Hospital, Toulouse, France"
    b = "University Hospital Toulouse, Toulouse, France"
    c = "Hospital Universitario Ramon y Cajal, Madrid, Spain"
    assert site_key(a) != site_key(b) and loose_key(a) == loose_key(b)
    assert loose_key("University Hospital, Lille, France") is None  # nothing distinctive left
    ranker = SiteRanker().fit(
        [Trial("NCT00000001", locations=(a, c)), Trial("NCT00000002", locations=(b,))]
    )
    assert len(ranker.site_keys) == 2
    assert ranker.entries(site_key(a)) == [a, b]
    # An unseen spelling of a query trial's site still resolves to the known site.
    assert ranker.site_of("Hospital Ramon y Cajal, Madrid, Spain") == site_key(c)
    assert ranker.site_of("Somewhere Else, Madrid, Spain") is None


def test_export_records_report_problems_and_let_the_caller_reject_rows() -> None:
    import io

    from luodi.sites.ctgov_csv import Export, Problem

    text = (
        "NCT Number,Study Title,Start Date,Locations\n"
        "NCT00000001,Rejected first,2024-01,\n"
        "NCT00000001,Accepted second,2024-01," + f'"{MGH}"\n'
        "\n"
        "nct00000001,Listed twice,2024-01,\n"
        ",No id,2024-01,\n"
        "BAD,Bad id,2024-01,\n"
        "NCT00000002,Too short\n"
    )
    export = Export(io.StringIO(text))
    assert export.format == "current" and {"nct_id", "title"} <= export.columns.keys()
    problems: list[Problem] = []

    def check(record: object) -> str | None:
        return "no" if record.trial.title.startswith("Rejected") else None

    records = list(export.records(problems.append, check=check))

    assert [(r.line, r.trial.nct_id, r.trial.locations) for r in records] == [
        (3, "NCT00000001", (MGH,))
    ]
    assert records[0].cells["start_date"] == "2024-01" and records[0].cells["status"] == ""
    assert records[0].raw["Study Title"] == "Accepted second"
    assert problems == [
        Problem(2, "rejected", "no"),
        Problem(5, "duplicate", "NCT00000001", 3),  # ids are compared upper-cased
        Problem(6, "no_id"),
        Problem(7, "bad_id", "BAD"),
        Problem(8, "width", "2", 4),
    ]
    assert export.rows == 7
