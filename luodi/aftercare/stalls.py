"""Stall warnings after landing, and shortfalls against commitments.

A landed project is stalled when
- its next milestone is overdue (planned date passed, not achieved),
- the capital arrived lags the capital committed by today, or
- nobody visited, met or noted it for `LUODI_STALL_NO_CONTACT_DAYS` days since it landed.

`stalled()` answers for a whole queryset in a fixed number of queries; the lists, the
dashboard, the weekly digest and the API all call it. `raise_shortfalls()` (a daily job)
turns each commitment whose date passed short of it into one follow-up task.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from luodi.aftercare.choices import MILESTONE_ORDER, Metric, MilestoneKind
from luodi.aftercare.domain import standing
from luodi.aftercare.models import Commitment, FigureReport, Milestone
from luodi.engagements.models import Meeting, Visit
from luodi.pipeline.choices import ProjectStage
from luodi.pipeline.domain.tasks import create_task
from luodi.pipeline.models import Project, ProjectNote, StageTransition
from luodi.pipeline.rules import assignable_users

log = logging.getLogger(__name__)

# Stages after landing in which a project is followed.
FOLLOWED = (ProjectStage.LANDED, ProjectStage.IN_PRODUCTION, ProjectStage.IN_TRIALS)
OVERDUE, CAPITAL, NO_CONTACT = "milestone_overdue", "capital_lag", "no_contact"


@dataclass
class Stall:
    project_id: int
    reasons: list[tuple[str, str]] = field(default_factory=list)  # (code, sentence)

    @property
    def codes(self) -> list[str]:
        return [code for code, _text in self.reasons]


def no_contact_days() -> int:
    return int(getattr(settings, "LUODI_STALL_NO_CONTACT_DAYS", 60))


def followed(projects: QuerySet[Project]) -> QuerySet[Project]:
    return projects.filter(stage__in=FOLLOWED, landing__isnull=False, archived_at__isnull=True)


def _latest(rows: Any, key: str) -> dict[int, date]:
    out: dict[int, date] = {}
    for row in rows:
        value = row["last"]
        day = value if isinstance(value, date) else None
        if hasattr(value, "date") and callable(value.date):  # a datetime
            day = timezone.localtime(value).date()
        if day is not None:
            out[row[key]] = day
    return out


def stalled(projects: QuerySet[Project], today: date | None = None) -> dict[int, Stall]:
    """The stalled ones among `projects` (after landing), by project id, with reasons."""
    today = today or timezone.localdate()
    ids = list(followed(projects).values_list("pk", flat=True))
    if not ids:
        return {}
    out: dict[int, Stall] = {}

    def add(pid: int, code: str, text: str) -> None:
        out.setdefault(pid, Stall(pid)).reasons.append((code, text))

    # Next milestone overdue: the earliest not achieved whose planned date has passed.
    open_ms = Milestone.objects.filter(
        project_id__in=ids, actual_on__isnull=True, planned_on__lt=today
    ).values_list("project_id", "kind", "planned_on")
    first: dict[int, tuple[str, date]] = {}
    for pid, kind, planned in open_ms:
        if planned is None:
            continue
        if pid not in first or MILESTONE_ORDER.index(kind) < MILESTONE_ORDER.index(first[pid][0]):
            first[pid] = (kind, planned)
    for pid, (kind, planned) in first.items():
        add(
            pid,
            OVERDUE,
            _("%(milestone)s was planned for %(date)s (%(days)s days overdue).")
            % {
                "milestone": MilestoneKind(kind).label,
                "date": planned.isoformat(),
                "days": (today - planned).days,
            },
        )
    # Capital behind schedule: committed by today versus arrived up to this month.
    committed = dict(
        Commitment.objects.filter(project_id__in=ids, metric=Metric.CAPITAL, due_on__lte=today)
        .values("project_id")
        .annotate(total=Sum("amount"))
        .values_list("project_id", "total")
    )
    arrived = dict(
        FigureReport.objects.filter(project_id__in=committed, period__lte=today)
        .values("project_id")
        .annotate(total=Sum(Metric.CAPITAL.value))
        .values_list("project_id", "total")
    )
    for pid, due in committed.items():
        got = Decimal(arrived.get(pid) or 0)
        if got < due:
            add(
                pid,
                CAPITAL,
                _("Capital arrived %(got)s of %(due)s (10k CNY) committed by now.")
                % {"got": _plain(got), "due": _plain(due)},
            )
    # No contact: the latest visit, meeting or note, or the landing itself.
    landed = _latest(
        StageTransition.objects.filter(project_id__in=ids, to_stage=ProjectStage.LANDED)
        .values("project_id")
        .annotate(last=Max("created_at")),
        "project_id",
    )
    contact: dict[int, date] = {}
    for rows, key in (
        (
            Visit.objects.filter(projects__in=ids, date__lte=today)
            .exclude(status="cancelled")
            .values("projects")
            .annotate(last=Max("date")),
            "projects",
        ),
        (
            Meeting.objects.filter(projects__in=ids, starts_at__date__lte=today)
            .values("projects")
            .annotate(last=Max("starts_at")),
            "projects",
        ),
        (
            ProjectNote.objects.filter(project_id__in=ids)
            .values("project_id")
            .annotate(last=Max("created_at")),
            "project_id",
        ),
    ):
        for pid, day in _latest(rows, key).items():
            contact[pid] = max(day, contact.get(pid, day))
    limit = no_contact_days()
    for pid in ids:
        last = max(contact.get(pid, date.min), landed.get(pid, date.min))
        if last == date.min:
            continue
        if (today - last).days > limit:
            add(
                pid,
                NO_CONTACT,
                _("No visit, meeting or note for %(days)s days (since %(date)s).")
                % {"days": (today - last).days, "date": last.isoformat()},
            )
    return out


def _plain(value: Decimal) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.0f}"


def shortfall(commitment: Commitment) -> Decimal:
    """How far the actual figure stayed below the commitment at its date (0 when met)."""
    return standing(commitment, commitment.due_on)[1]


def raise_shortfalls(today: date | None = None) -> int:
    """One follow-up task for each commitment whose date has passed short of it. Claimed
    with a conditional UPDATE in the task's transaction, so two runs never raise two."""
    today = today or timezone.localdate()
    due = Commitment.objects.filter(
        due_on__lt=today,
        shortfall_task__isnull=True,
        project__stage__in=FOLLOWED,
        project__archived_at__isnull=True,
    ).select_related("project__staff", "project__created_by")
    raised = 0
    for item in due:
        gap = shortfall(item)
        if gap <= 0:
            continue
        project = item.project
        owner = project.staff or project.created_by
        if owner is None or not assignable_users(project).filter(pk=owner.pk).exists():
            log.warning("Commitment %s: nobody to follow up the shortfall", item.pk)
            continue
        actual = item.amount - gap
        title = _("Shortfall: %(metric)s %(actual)s of %(amount)s committed by %(date)s") % {
            "metric": Metric(item.metric).label,
            "actual": _plain(actual),
            "amount": _plain(item.amount),
            "date": item.due_on.isoformat(),
        }
        with transaction.atomic():
            task = create_task(
                actor=owner,
                project=project,
                title=title[:255],
                owner=owner,
                due_date=today + timedelta(days=14),
            )
            claimed = Commitment.objects.filter(pk=item.pk, shortfall_task__isnull=True).update(
                shortfall_task=task
            )
            if not claimed:  # another run raised it first: take ours back
                transaction.set_rollback(True)
                continue
        raised += 1
    return raised
