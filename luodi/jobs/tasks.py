"""The jobs app's own jobs (imported by autodiscovery in apps.py)."""

from luodi.jobs import mail  # noqa: F401 - declares jobs.send_email
