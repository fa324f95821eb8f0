"""Small hand-made CT.gov exports in both formats."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

OLD_HEADER = [
    "Rank", "NCT Number", "Title", "Acronym", "Status", "Study Results", "Conditions",
    "Interventions", "Outcome Measures", "Sponsor/Collaborators", "Gender", "Age", "Phases",
    "Enrollment", "Funded Bys", "Study Type", "Study Designs", "Other IDs", "Start Date",
    "Primary Completion Date", "Completion Date", "First Posted", "Results First Posted",
    "Last Update Posted", "Locations", "Study Documents", "URL",
]  # fmt: skip
NEW_HEADER = [
    "NCT Number", "Study Title", "Study URL", "Acronym", "Study Status", "Brief Summary",
    "Study Results", "Conditions", "Interventions", "Primary Outcome Measures",
    "Secondary Outcome Measures", "Other Outcome Measures", "Sponsor", "Collaborators", "Sex",
    "Age", "Phases", "Enrollment", "Funder Type", "Study Type", "Study Design", "Other IDs",
    "Start Date", "Primary Completion Date", "Completion Date", "First Posted",
    "Results First Posted", "Last Update Posted", "Locations", "Study Documents",
]  # fmt: skip

MGH = "Massachusetts General Hospital, Boston, Massachusetts, United States"
MGH_ZIP = "Massachusetts General Hospital, Boston, Massachusetts, 02114, United States"
MGH_VARIANT = "Massachusetts General Hosp., Boston, Massachusetts, United States"
LILLE = "CHU Lille, Lille, France"
NOVARTIS_MADRID = "Novartis Investigative Site, Madrid, Spain"
NOVARTIS_MOSCOW = "Novartis Investigative Site, Moscow, Russian Federation"
CAIRO = "Cairo University, Cairo, Egypt"
BRIGHAM = "Brigham and Women's Hospital, Boston, Massachusetts, United States"


def old_row(nct: str, title: str, conditions: str, interventions: str, sponsor: str,
            phases: str, start: str, locations: list[str]) -> list[str]:  # fmt: skip
    row = dict.fromkeys(OLD_HEADER, "")
    row.update({
        "Rank": "1", "NCT Number": nct, "Title": title, "Conditions": conditions,
        "Interventions": interventions, "Sponsor/Collaborators": sponsor, "Phases": phases,
        "Start Date": start, "Locations": "|".join(locations),
        "URL": f"https://ClinicalTrials.gov/show/{nct}",
    })  # fmt: skip
    return [row[h] for h in OLD_HEADER]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture
def history_csv(tmp_path: Path) -> Path:
    rows = [
        old_row("NCT00000001", "Hydroxychloroquine for COVID-19 pneumonia", "COVID-19",
                "Drug: Hydroxychloroquine", "Massachusetts General Hospital", "Phase 3",
                "March 20, 2020", [MGH, BRIGHAM]),
        old_row("NCT00000002", "Tocilizumab in severe COVID-19", "COVID-19|Cytokine Storm",
                "Drug: Tocilizumab", "Novartis|Genentech", "Phase 3", "March 25, 2020",
                [NOVARTIS_MADRID, NOVARTIS_MOSCOW]),
        old_row("NCT00000003", "Prone positioning in ARDS", "ARDS", "Procedure: Prone position",
                "University Hospital, Lille", "Not Applicable", "April 2020", [LILLE]),
        old_row("NCT00000004", "Ivermectin in mild COVID-19", "COVID-19", "Drug: Ivermectin",
                "Cairo University", "Phase 2", "April 2, 2020", [CAIRO]),
        old_row("NCT00000005", "Convalescent plasma for COVID-19", "COVID-19",
                "Biological: Convalescent plasma", "Massachusetts General Hospital", "Phase 2",
                "April 5, 2020", [MGH_VARIANT]),
        old_row("NCT00000006", "Anxiety of nurses during the pandemic", "Anxiety",
                "Other: Questionnaire", "Cairo University", "", "April 6, 2020", [CAIRO]),
    ]  # fmt: skip
    return write_csv(tmp_path / "history.csv", OLD_HEADER, rows)


def new_row(nct: str, title: str, summary: str, conditions: str, interventions: str,
            sponsor: str, collaborators: str, phases: str, start: str,
            locations: list[str]) -> list[str]:  # fmt: skip
    row = dict.fromkeys(NEW_HEADER, "")
    row.update({
        "NCT Number": nct, "Study Title": title, "Brief Summary": summary,
        "Conditions": conditions, "Interventions": interventions, "Sponsor": sponsor,
        "Collaborators": collaborators, "Phases": phases, "Start Date": start,
        "Locations": "|".join(locations), "Study Status": "RECRUITING",
    })  # fmt: skip
    return [row[h] for h in NEW_HEADER]


@pytest.fixture
def queries_csv(tmp_path: Path) -> Path:
    rows = [
        new_row("NCT10000001", "Remdesivir in hospitalised COVID-19",
                "A randomised trial of remdesivir, with a summary, that spans\ntwo lines.",
                "COVID-19", "DRUG: Remdesivir", "Massachusetts General Hospital", "",
                "PHASE3", "2025-05-01", [MGH_ZIP, "Somewhere New, Nowhere, Iceland"]),
        new_row("NCT10000002", "Prone positioning, awake patients", "Prone positioning.", "ARDS",
                "PROCEDURE: Prone", "University Hospital, Lille", "", "NA", "2025-05",
                [LILLE]),
        new_row("NCT10000003", "Unknown site only", "", "Asthma", "", "Acme", "", "",
                "2025-06-01", ["Acme Clinic, Reykjavik, Iceland"]),
    ]  # fmt: skip
    return write_csv(tmp_path / "queries.csv", NEW_HEADER, rows)
