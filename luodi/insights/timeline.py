"""An organization's history with the association as one timeline (field test #18 item 3):
the projects it takes part in, their agreements and the agreements it is a party to, the
visits, meetings and events it took part in, newest first.

Every row comes from the owning app's `*_visible_to(user)` queryset, so the timeline shows
a user exactly what the project, agreement, visit, meeting and event pages would: a park
partner does not see another park's project with a company, a viewer sees no project
(viewers get the numbers on the dashboard, never the rows), a confidential achievement's
project stays with those who may see it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from luodi.accounts.rules import AnyUser
from luodi.catalog.models import Organization
from luodi.engagements.rules import events_visible_to, meetings_visible_to, visits_visible_to
from luodi.pipeline.rules import agreements_visible_to, projects_visible_to

LIMIT = 50  # rows per kind; the page says when a kind has more


@dataclass(frozen=True)
class Entry:
    day: date
    kind: str  # project | agreement | visit | meeting | event
    kind_label: str
    title: str
    detail: str
    url: str


def _day(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def organization_timeline(user: AnyUser, org: Organization) -> tuple[list[Entry], bool]:
    """(entries newest first, whether some kind had more than LIMIT rows)."""
    projects = (
        projects_visible_to(user)
        .filter(
            Q(owner=org)
            | Q(company=org)
            | Q(investor=org)
            | Q(target_park=org)
            | Q(clinical_centers=org)
        )
        .distinct()
        .order_by("-created_at")
    )
    agreements = (
        agreements_visible_to(user)
        .filter(Q(parties=org) | Q(project__in=projects.values("pk")))
        .select_related("project")
        .distinct()
        .order_by("-created_at")
    )
    visits = (
        visits_visible_to(user)
        .filter(
            Q(organizer=org) | Q(organizations=org) | Q(company=org) | Q(stops__organization=org)
        )
        .distinct()
        .order_by("-date")
    )
    meetings = meetings_visible_to(user).filter(organizations=org).distinct().order_by("-starts_at")
    events = (
        events_visible_to(user)
        .filter(Q(organizer=org) | Q(co_organizers=org) | Q(invitees=org))
        .distinct()
        .order_by("-starts_at")
    )
    rows: list[Entry] = []
    more = False
    project_rows = list(projects[: LIMIT + 1])
    agreement_rows = list(agreements[: LIMIT + 1])
    visit_rows = list(visits[: LIMIT + 1])
    meeting_rows = list(meetings[: LIMIT + 1])
    event_rows = list(events[: LIMIT + 1])
    for found in (project_rows, agreement_rows, visit_rows, meeting_rows, event_rows):
        more = more or len(found) > LIMIT
    rows += [
        Entry(
            _day(p.created_at),
            "project",
            _("Project"),
            p.title,
            p.get_stage_display(),
            reverse("pipeline:detail", args=[p.pk]),
        )
        for p in project_rows[:LIMIT]
    ]
    rows += [
        Entry(
            _day(a.signed_on or a.created_at),
            "agreement",
            _("Agreement"),
            a.title,
            f"{a.get_kind_display()} · {a.get_status_display()}",
            reverse("pipeline:agreement", args=[a.pk]),
        )
        for a in agreement_rows[:LIMIT]
    ]
    rows += [
        Entry(
            v.date,
            "visit",
            _("Inspection visit"),
            str(v),
            v.get_status_display(),
            reverse("engagements:visit", args=[v.pk]),
        )
        for v in visit_rows[:LIMIT]
    ]
    rows += [
        Entry(
            _day(m.starts_at),
            "meeting",
            _("Meeting"),
            m.title,
            m.location,
            reverse("engagements:meeting", args=[m.pk]),
        )
        for m in meeting_rows[:LIMIT]
    ]
    rows += [
        Entry(
            _day(e.starts_at),
            "event",
            _("Event"),
            str(e),
            e.get_status_display(),
            reverse("engagements:event", args=[e.pk]),
        )
        for e in event_rows[:LIMIT]
    ]
    rows.sort(key=lambda r: (r.day, r.kind, r.title), reverse=True)
    return rows, more
