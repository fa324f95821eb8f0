"""Writes of the annual transformation report: save the draft (the requester's text per
section, kept on a `ReportJob` in status draft) and issue it (the draft is queued for
`insights.build_report`). One audit entry each; a draft saved from a stale page is refused
(`luodi.concurrency`); issuing is claimed by a conditional UPDATE, so a report is queued
once however often the button is pressed.

The caller has checked that the actor may see the institution (`annual_report.institution_for`);
the build checks it again, as the requester may see it then."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.catalog.models import Organization
from luodi.concurrency import claim
from luodi.insights.annual_report import SECTION_KEYS, TEXT_MAX, bounds
from luodi.insights.models import JobStatus, ReportJob, ReportKind
from luodi.insights.reports import build_report


class AlreadyIssued(Exception):
    """The draft was issued meanwhile (another tab, a second click)."""


def clean_sections(sections: dict[str, Any]) -> dict[str, str]:
    """The texts of the known sections, stripped; empty ones left out. Raises ValueError
    naming a section that is unknown or too long (the forms and the API check first)."""
    out: dict[str, str] = {}
    for key, value in sections.items():
        if key not in SECTION_KEYS:
            raise ValueError(_("Unknown section: %(key)s.") % {"key": key})
        text = str(value or "").strip()
        if len(text) > TEXT_MAX:
            limit = {"n": TEXT_MAX}
            raise ValueError(_("A section's text may be at most %(n)s characters.") % limit)
        if text:
            out[key] = text
    return out


@transaction.atomic
def save_draft(
    *,
    actor: User,
    institution: Organization,
    year: int,
    language: str,
    sections: dict[str, Any],
    draft: ReportJob | None = None,
    expected_version: int | None = None,
    ip: str | None = None,
) -> ReportJob:
    """Create the draft, or save `draft` again (Conflict when it moved past
    `expected_version`; AlreadyIssued when it is no longer a draft)."""
    start, end = bounds(year)
    texts = clean_sections(sections)
    if draft is None:
        job = ReportJob.objects.create(
            requested_by=actor,
            kind=ReportKind.ANNUAL_TRANSFER,
            status=JobStatus.DRAFT,
            institution=institution,
            period_start=start,
            period_end=end,
            language=language,
            sections=texts,
            progress=0,
        )
        verb = "insights.annual_draft.create"
    else:
        claim(draft, expected_version)
        job = ReportJob.objects.get(pk=draft.pk)
        if job.status != JobStatus.DRAFT:
            raise AlreadyIssued
        job.institution, job.period_start, job.period_end = institution, start, end
        job.language, job.sections = language, texts
        fields = ["institution", "period_start", "period_end", "language", "sections"]
        job.save(update_fields=fields)
        verb = "insights.annual_draft.update"
    audit.record(
        actor=actor,
        verb=verb,
        target=job,
        changes={
            "institution": institution.pk,
            "year": year,
            "language": language,
            "sections": sorted(texts),
        },
        ip=ip,
    )
    return job


@transaction.atomic
def issue(*, actor: User, job: ReportJob, ip: str | None = None) -> ReportJob:
    """Queue the draft for building (AlreadyIssued when it was issued already)."""
    if not ReportJob.objects.filter(pk=job.pk, status=JobStatus.DRAFT).update(
        status=JobStatus.QUEUED, created_at=timezone.now()
    ):
        raise AlreadyIssued
    audit.record(actor=actor, verb="insights.annual_report.issue", target=job, ip=ip)
    build_report.enqueue(job.pk)
    return ReportJob.objects.get(pk=job.pk)


def save_and_issue(
    *,
    actor: User,
    institution: Organization,
    year: int,
    language: str,
    sections: dict[str, Any],
    draft: ReportJob | None = None,
    expected_version: int | None = None,
    ip: str | None = None,
) -> ReportJob:
    """The last save of the texts and the issue, in one transaction."""
    with transaction.atomic():
        job = save_draft(
            actor=actor,
            institution=institution,
            year=year,
            language=language,
            sections=sections,
            draft=draft,
            expected_version=expected_version,
            ip=ip,
        )
        return issue(actor=actor, job=job, ip=ip)
