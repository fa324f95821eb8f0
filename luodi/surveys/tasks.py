"""Jobs of surveys (found by the job system's autodiscovery)."""

from __future__ import annotations

from luodi.jobs import job
from luodi.surveys import mail


@job(retries=5, backoff=60, timeout=600)
def send_invitations(survey_id: int, base_url: str) -> int:
    """Mail the survey's attendees who have not been mailed; safe to run again."""
    return mail.mail_pending(survey_id, base_url=base_url)
