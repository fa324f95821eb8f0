"""Insights jobs, found by the job system's autodiscovery."""

from luodi.insights import reports  # noqa: F401 - declares insights.build_report
