"""Matchmaking jobs, found by the job system's autodiscovery."""

import luodi.matchmaking.site_model  # noqa: F401 - declares matchmaking.fit_site_ranker
