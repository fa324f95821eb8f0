"""Monthly / quarterly reports (PDF + xlsx) built in the background from `queries.py`.

`request_report` queues the `insights.build_report` job in the request's transaction; a
`luodi worker` builds it. The report row is claimed with a conditional UPDATE, the same on
SQLite and PostgreSQL, so two workers never build it at once; a row left `running` by a
worker that died is claimed again once it is older than the job timeout (the job system
re-delivers the job itself after its lease).

The PDF (`report_pdf.py`) embeds the CJK font installed by `make` (fonts-wqy-microhei);
without it the job fails with a message that says which file is missing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from luodi import sheets
from luodi.accounts.models import User
from luodi.catalog.choices import Disclosure
from luodi.insights import queries
from luodi.insights import scope as scopes
from luodi.insights.base import EVERYTHING, Scope
from luodi.insights.models import JobStatus, ReportJob, ReportKind, ReportScope
from luodi.jobs import job
from luodi.pdf import CJK_FONT, FONT_NAME, FontMissing, cjk_font_path, register_font, show
from luodi.pipeline.choices import SIGNED_STATUSES
from luodi.pipeline.models import Agreement, LandingRecord
from luodi.pipeline.rules import agreements_visible_to

log = logging.getLogger(__name__)

# Re-exported: the report jobs and their tests name the font through this module.
__all__ = ["CJK_FONT", "FONT_NAME", "FontMissing", "cjk_font_path", "register_font"]


# -- content ---------------------------------------------------------------------------


@dataclass
class ReportData:
    title: str
    period: str
    scope: str
    key_numbers: list[tuple[str, Any]]
    charts: dict[str, queries.Chart]
    landed: list[list[Any]]
    agreements: list[list[Any]]
    events: list[list[Any]]


def _aware(day: date, end: bool = False) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max if end else time.min))


BRAND = "落地 · Luodi"


def report_title(start: date, end: date) -> str:
    return (
        BRAND
        + " "
        + _("transformation report %(start)s to %(end)s")
        % {
            "start": start.isoformat(),
            "end": end.isoformat(),
        }
    )


def collect(user: User, start: date, end: date, scope: Scope = EVERYTHING) -> ReportData:
    """Everything a report shows for `user` over [start, end] within `scope`; titles hidden
    for viewers. Monthly charts end with the period's last month."""
    hide = queries.aggregate_only(user)
    charts = queries.charts(user, scope=scope, today=end)
    landings = (
        queries.scope_landings(user, scope)
        .filter(project__transitions__to_stage="landed")
        .filter(
            project__transitions__created_at__gte=_aware(start),
            project__transitions__created_at__lte=_aware(end, True),
        )
        .select_related("project__achievement", "park")
        .distinct()
    )
    confidential = _("(confidential)")

    def name(project_conf: bool, text: str) -> str:
        return confidential if hide and project_conf else text

    landed = [
        [
            name(_is_conf(r), r.project.title),
            str(r.park or ""),
            float(r.investment_wan or 0),
            r.area_m2 or 0,
            r.jobs_planned or 0,
        ]
        for r in landings
    ]
    # Agreements between organizations (no project) belong to the whole picture and to a
    # park's report when the park is a party; an area's report has only projects' ones.
    in_scope = Q(project__in=queries.scope_projects(user, scope))
    if scope.kind == "park" and scope.park_id is not None:
        parties = Agreement.parties.through.objects.filter(organization_id=scope.park_id)
        in_scope |= Q(project__isnull=True, pk__in=parties.values("agreement_id"))
    elif scope.kind != "area":
        in_scope |= Q(project__isnull=True)
    agreement_qs = (Agreement.objects.all() if hide else agreements_visible_to(user)).filter(
        in_scope
    )
    agreements = [
        [
            name(
                a.project is not None
                and a.project.achievement is not None
                and a.project.achievement.disclosure == Disclosure.CONFIDENTIAL,
                a.title,
            ),
            str(a.get_kind_display()),
            a.signed_on.isoformat() if a.signed_on else "",
        ]
        for a in agreement_qs.filter(
            status__in=SIGNED_STATUSES, signed_on__gte=start, signed_on__lte=end
        ).select_related("project__achievement")
    ]
    # Held: started by now. A period ending in the future lists no planned event as held.
    held_until = min(_aware(end, True), timezone.now())
    events = [
        [e.title, timezone.localtime(e.starts_at).date().isoformat(), e.venue]
        for e in queries.upcoming_events_between(user, _aware(start), held_until, scope)
    ]
    ttl = charts["time_to_landing"].rows[0]
    key_numbers: list[tuple[str, Any]] = [
        (_("Projects in the pipeline"), charts["funnel"].rows[0]["count"]),
        (_("Landed in the period"), len(landed)),
        (_("Agreements signed in the period"), len(agreements)),
        (_("Events held in the period"), len(events)),
        (_("Median days to landing"), ttl["median_days"]),
        (_("90th percentile days to landing"), ttl["p90_days"]),
    ]
    return ReportData(
        report_title(start, end),
        f"{start.isoformat()} – {end.isoformat()}",
        _("Scope: %(scope)s") % {"scope": scope.label or _("Whole portfolio")},
        key_numbers,
        charts,
        landed,
        agreements,
        events,
    )


def _is_conf(landing: LandingRecord) -> bool:
    a = landing.project.achievement
    return a is not None and a.disclosure == Disclosure.CONFIDENTIAL


# -- writers -----------------------------------------------------------------------------


def write_xlsx(data: ReportData) -> bytes:
    summary: list[list[Any]] = [[data.title], [data.period], [data.scope]]
    summary += [[label, show(value)] for label, value in data.key_numbers]
    book = [sheets.Sheet(_("Summary"), summary)]
    for chart in data.charts.values():
        rows = [[show(row.get(k)) for k, _label in chart.columns] for row in chart.rows]
        if chart.note:  # e.g. why a chart is empty in this scope
            rows.append([chart.note])
        book.append(sheets.Sheet(chart.title, rows, [label for _k, label in chart.columns]))
    book += [sheets.Sheet(title, rows, headers) for title, headers, rows in tables(data)]
    return sheets.to_xlsx(book)


def tables(data: ReportData) -> list[tuple[str, list[str], list[list[Any]]]]:
    return [
        (
            _("Landed projects"),
            [_("Project"), _("Park"), _("Investment (10k CNY)"), _("Area (m²)"), _("Jobs")],
            data.landed,
        ),
        (_("Agreements signed"), [_("Agreement"), _("Type"), _("Signed on")], data.agreements),
        (_("Events held"), [_("Event"), _("Date"), _("Venue")], data.events),
    ]


# -- jobs --------------------------------------------------------------------------------


def claim(job_id: int) -> bool:
    """Take a queued job, or one whose builder died; False when another worker has it."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.LUODI_JOB_TIMEOUT)
    claimable = Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, claimed_at__lt=stale)
    return (
        ReportJob.objects.filter(claimable, pk=job_id).update(
            status=JobStatus.RUNNING, claimed_at=now, progress=5
        )
        == 1
    )


def _progress(job: ReportJob, value: int) -> None:
    job.progress = value
    ReportJob.objects.filter(pk=job.pk).update(progress=value)


PREFIXES: dict[str, str] = {
    ReportKind.AFTER_LANDING: "luodi-after-landing",
    ReportKind.ANNUAL_TRANSFER: "luodi-annual-transfer",
}


def build(job: ReportJob) -> None:
    """Build a claimed job's files; records failure on the row instead of raising."""
    # Imported here: the PDF writer imports this module's ReportData and tables.
    from luodi.insights import report_pdf

    user = job.requested_by
    try:
        # A report is written in its own language (the government report's choice), else
        # in the requester's.
        with translation.override(job.report_language):
            if job.kind == ReportKind.AFTER_LANDING:
                from luodi.insights import gov_report

                xlsx, pdf = gov_report.build_files(job, scopes.of_job(job))
            elif job.kind == ReportKind.ANNUAL_TRANSFER:
                from luodi.insights import annual_report

                xlsx, pdf = annual_report.build_files(job)
            else:
                data = collect(user, job.period_start, job.period_end, scopes.of_job(job))
                _progress(job, 40)
                xlsx = write_xlsx(data)
                _progress(job, 60)
                pdf = report_pdf.write_pdf(data, register_font())
            _progress(job, 90)
        prefix = PREFIXES.get(job.kind, "luodi-report")
        stem = f"{prefix}-{job.period_start:%Y%m%d}-{job.period_end:%Y%m%d}-{job.pk}"
        job.xlsx.save(f"{stem}.xlsx", ContentFile(xlsx), save=False)
        job.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
        job.status, job.progress, job.finished_at = JobStatus.DONE, 100, timezone.now()
        job.save(update_fields=["xlsx", "pdf", "status", "progress", "finished_at"])
    except Exception as exc:  # a failed report is shown on its row, with the reason
        log.exception("Report %s failed", job.pk)
        job.status, job.error, job.finished_at = JobStatus.FAILED, str(exc)[:500], timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])


@job(retries=2, backoff=120)
def build_report(job_id: int) -> bool:
    """The job: claim the report row and build it (False when another worker has it)."""
    if not claim(job_id):
        return False
    job = ReportJob.objects.select_related(
        "requested_by", "scope_park", "scope_area", "institution"
    ).get(pk=job_id)
    build(job)
    return True


def request_report(
    *,
    actor: User,
    start: date,
    end: date,
    scope: str = ReportScope.ALL,
    ref: int | None = None,
    kind: str = ReportKind.PORTFOLIO,
    language: str = "",
    narrative: str = "",
) -> ReportJob:
    """Queue a report; a worker builds it (`insights.build_report`).

    `scope`/`ref` name the park or area; the caller has validated them with `scope.resolve`
    (the build re-checks them against the requester's permissions at that time). `kind`
    after_landing is the government report, written in `language` with `narrative`.
    """
    job = ReportJob.objects.create(
        requested_by=actor,
        period_start=start,
        period_end=end,
        kind=kind,
        language=language,
        narrative=narrative.strip(),
        scope=scope,
        scope_park_id=ref if scope == ReportScope.PARK else None,
        scope_area_id=ref if scope == ReportScope.AREA else None,
    )
    build_report.enqueue(job.pk)
    return job
