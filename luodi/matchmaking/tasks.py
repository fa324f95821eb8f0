"""Matchmaking jobs, found by the job system's autodiscovery."""

from luodi.matchmaking import indexing  # noqa: F401 - declares the index jobs
