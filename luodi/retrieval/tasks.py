"""Retrieval jobs, found by the job system's autodiscovery."""

from luodi.retrieval import indexing  # noqa: F401 - declares the index jobs
