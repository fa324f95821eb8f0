"""Multi-center trial site ranking (Django-free).

    trials = read_trials("history.csv")            # old or current CT.gov CSV export
    ranker = SiteRanker().fit(trials)
    ranker.rank(new_trial, k=50)  # [(site_key, score, {feature: contribution})]
    ranker.entries(site_key)      # the raw `Locations` entries merged into that site

`python -m luodi.sites.evaluate --history H.csv --trials T.csv` evaluates (see evaluate.py).
"""

from .ctgov_csv import ParseReport, Trial, read_trials
from .normalize import org_key, site_key
from .ranker import BaselineRanker, SiteRanker

__all__ = [
    "BaselineRanker",
    "ParseReport",
    "SiteRanker",
    "Trial",
    "org_key",
    "read_trials",
    "site_key",
]
