from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from luodi.matching.metrics import recall_at
from luodi.sites.ctgov_csv import read_trials
from luodi.sites.evaluate import main, relevant_sites
from luodi.sites.normalize import site_key
from luodi.sites.ranker import TUNED_ON, BaselineRanker, SiteRanker

from .conftest import CAIRO, LILLE, MGH, MGH_VARIANT

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "ctgov"


def test_ranker_uses_sponsor_and_never_locations(history_csv: Path, queries_csv: Path) -> None:
    ranker = SiteRanker().fit(read_trials(history_csv))
    queries = read_trials(queries_csv)
    for q in queries:
        ranking = ranker.rank(q, k=None)
        assert len(ranking) == len(ranker.site_keys)
        blank = ranker.rank(dataclasses.replace(q, locations=()), k=None)
        other = ranker.rank(dataclasses.replace(q, locations=(CAIRO,)), k=None)
        assert ranking == blank == other
    top = ranker.rank(queries[0], k=3)
    assert top[0][0] == site_key(MGH)
    assert top[0][2]["sponsor"] > 0  # the explanation names the signal
    assert ranker.rank(queries[1], k=1)[0][0] == site_key(LILLE)
    assert ranker.entries(site_key(MGH)) == [MGH, MGH_VARIANT]


def test_baseline_ranker_blind_to_locations(history_csv: Path, queries_csv: Path) -> None:
    ranker = BaselineRanker().fit(read_trials(history_csv))
    q = read_trials(queries_csv)[0]
    assert ranker.rank(q) == ranker.rank(dataclasses.replace(q, locations=()))


def test_cli_json_and_run_file(
    history_csv: Path, queries_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run.txt"
    args = ["--history", str(history_csv), "--trials", str(queries_csv), "--run", str(run)]
    assert main(args) == 0
    out = capsys.readouterr().out.strip().splitlines()
    result = json.loads(out[-1])
    assert set(result) == {
        "trials",
        "sites",
        "recall@10",
        "recall@50",
        "map@50",
        "query_p50_ms",
        "queries_in_tuning_window",
        "config",
        "learning",
        "commit",
    }
    assert result["config"]["weights"]["sponsor"] > 0 and result["learning"] is False
    assert result["trials"] == 2  # the third query has no site known in the history
    assert result["recall@10"] == 1.0
    lines = [line.split() for line in run.read_text().splitlines()]
    assert all(len(parts) == 6 and parts[1] == "Q0" for parts in lines)
    assert {parts[0] for parts in lines} == {"NCT10000001", "NCT10000002"}
    # The MGH site merges two raw entries: consecutive lines, same rank and score.
    docs = [p[2] for p in lines if p[0] == "NCT10000001"]
    i = docs.index(MGH.replace(" ", "_"))
    assert docs[i + 1] == MGH_VARIANT.replace(" ", "_")
    a, b = (p for p in lines if p[0] == "NCT10000001" and p[2] in {docs[i], docs[i + 1]})
    assert a[3:5] == b[3:5] and a[3] == "1"
    ranks = [int(p[3]) for p in lines if p[0] == "NCT10000001"]
    assert ranks == sorted(ranks) and max(ranks) <= 50


def test_query_trials_are_removed_from_history(
    history_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--history", str(history_csv), "--trials", str(history_csv)]) == 0
    captured = capsys.readouterr()
    assert "excluding 6 query trials" in captured.err
    assert json.loads(captured.out.strip().splitlines()[-1])["trials"] == 0


@pytest.mark.skipif(not (DATA / "covid-trials-before-2020-06.csv").exists(), reason="no data")
def test_real_covid_later_trials_never_the_tuning_split() -> None:
    """Recall on trials that started after the window the weights were tuned on (TUNED_ON):
    history before its end, queries from its end on. The tuning window itself is never
    asserted on: a number there says how well the weights fit, not how they rank."""
    trials = read_trials(DATA / "covid-trials-before-2020-06.csv")
    cut = TUNED_ON[1]
    history = [t for t in trials if t.start_date and t.start_date < cut]
    queries = [t for t in trials if t.start_date and t.start_date >= cut]
    ranker = SiteRanker().fit(history)
    recalls = []
    for q in queries:
        rel = relevant_sites(q, ranker)
        if rel:
            recalls.append(recall_at([k for k, _, _ in ranker.rank(q, k=10)], rel, 10))
    assert len(recalls) > 300
    # Measured 0.759 (README); the assertion leaves room for tie order, not for regressions.
    assert sum(recalls) / len(recalls) >= 0.74
