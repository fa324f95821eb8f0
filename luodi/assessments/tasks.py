"""Assessment jobs, found by the job system's autodiscovery: the mails of mail.py."""

from __future__ import annotations

from luodi.assessments import mail
from luodi.jobs import job


@job(retries=3, backoff=60)
def send_invitation(invitation_id: int) -> int:
    return mail.send_invitation(invitation_id)


@job(retries=3, backoff=60)
def send_closed(assessment_id: int) -> int:
    return mail.send_closed(assessment_id)


@job(daily_at="08:10", retries=2, backoff=300)
def deadline_reminders() -> int:
    """Every morning: one reminder per open assessment, REMIND_DAYS before its deadline, to
    the reviewers who have not finished."""
    return mail.send_reminders()
