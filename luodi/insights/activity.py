"""Matchmaking effectiveness and activity (visits, meetings, events, overdue work)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import (
    Count,
    Q,
    QuerySet,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from luodi.accounts.rules import AnyUser
from luodi.engagements.models import Event, EventStatus, Meeting, Visit
from luodi.engagements.rules import events_visible_to, meetings_visible_to, visits_visible_to
from luodi.insights import rules
from luodi.insights.base import (
    CONFIDENTIAL,
    EVERYTHING,
    Chart,
    Scope,
    is_suppressed,
    last_months,
    month_key,
    scope_projects,
)
from luodi.matchmaking.models import DeclineReason, MatchRecord, MatchStatus
from luodi.matchmaking.rules import records_visible_to
from luodi.pipeline.choices import (
    ObligationStatus,
    TaskStatus,
)
from luodi.pipeline.models import Obligation, Task
from luodi.pipeline.rules import obligations_visible_to, tasks_visible_to

# -- matchmaking -------------------------------------------------------------------------


# Each narrowing below is a subquery on primary keys, so many-valued links never duplicate
# the rows that are counted.


def _within(qs: QuerySet[Any], q: Q) -> QuerySet[Any]:
    return qs.filter(pk__in=qs.model._default_manager.filter(q).values("pk"))


def _scoped_projects(user: AnyUser, scope: Scope) -> QuerySet[Any]:
    return scope_projects(user, scope).values("pk")


def scope_matches(user: AnyUser, scope: Scope = EVERYTHING) -> QuerySet[MatchRecord]:
    qs = MatchRecord.objects.all() if rules.counts_every_record(user) else records_visible_to(user)
    if scope.kind == "park":
        projects = _scoped_projects(user, scope)
        return _within(qs, Q(counterparty_id=scope.park_id) | Q(project__in=projects))
    if scope.kind == "area":
        return _within(qs, Q(achievement__therapeutic_areas__in=scope.area_ids))
    return qs


def matchmaking(user: AnyUser, scope: Scope = EVERYTHING) -> tuple[Chart, Chart]:
    """Suggested → introduced → converted, and the decline reasons (1 query)."""
    by: dict[tuple[str, str], tuple[int, int]] = {}
    for r in (
        scope_matches(user, scope)
        .order_by()
        .values("status", "decline_reason")
        .annotate(n=Count("id"), conf=Count("id", filter=CONFIDENTIAL))
    ):
        by[(r["status"], r["decline_reason"])] = (r["n"], r["conf"])

    def total(statuses: set[str]) -> tuple[int, int]:
        pairs = [v for (s, _r), v in by.items() if s in statuses]
        return sum(p[0] for p in pairs), sum(p[1] for p in pairs)

    steps: list[tuple[str, str, set[str]]] = [
        ("suggested", _("Suggested"), {str(v) for v in MatchStatus.values}),
        (
            "introduced",
            _("Introduced"),
            {MatchStatus.INTRODUCED, MatchStatus.IN_DISCUSSION, MatchStatus.CONVERTED},
        ),
        ("converted", _("Converted"), {MatchStatus.CONVERTED}),
    ]
    rows = []
    first = 0
    for key, label, statuses in steps:
        n, conf = total({str(s) for s in statuses})
        first = first or n
        hidden = is_suppressed(user, n, conf)
        rows.append(
            {
                "step": key,
                "label": label,
                "count": None if hidden else n,
                "rate": None if hidden or not first else round(100 * n / first, 1),
                "suppressed": hidden,
            }
        )
    effect = Chart(
        "matchmaking",
        _("Matchmaking effectiveness"),
        "funnel",
        [
            ("label", _("Step")),
            ("count", _("Matches")),
            ("rate", _("Share of suggested (percent)")),
        ],
        rows,
        x="label",
        series=["count"],
    )
    reasons = []
    for reason in DeclineReason:
        n, conf = by.get((MatchStatus.DECLINED, reason.value), (0, 0))
        hidden = is_suppressed(user, n, conf)
        reasons.append(
            {
                "reason": reason.value,
                "label": str(reason.label),
                "count": None if hidden else n,
                "suppressed": hidden,
            }
        )
    declines = Chart(
        "declines",
        _("Decline reasons"),
        "pie",
        [("label", _("Reason")), ("count", _("Declined matches"))],
        reasons,
        x="label",
        series=["count"],
    )
    return effect, declines


# -- activity ----------------------------------------------------------------------------


def _monthly(qs: QuerySet[Any], field_name: str, since: date | datetime) -> dict[str, int]:
    out: dict[str, int] = {}
    rows = (
        qs.filter(**{f"{field_name}__gte": since})
        .annotate(m=TruncMonth(field_name))
        .order_by()
        .values("m")
        .annotate(n=Count("id"))
    )
    for r in rows:
        if r["m"] is not None:
            out[month_key(r["m"])] = out.get(month_key(r["m"]), 0) + r["n"]
    return out


def scoped_engagements(
    user: AnyUser, scope: Scope = EVERYTHING
) -> tuple[QuerySet[Visit], QuerySet[Meeting], QuerySet[Event]]:
    """Visits, meetings and events the user's numbers count, narrowed to the scope: a park's
    are those it hosted, organized or took part in, or that advanced its projects; an
    area's are those that advanced its projects or presented its achievements."""
    if rules.counts_every_record(user):
        visits, meetings = Visit.objects.all(), Meeting.objects.all()
        events = Event.objects.filter(status=EventStatus.PUBLISHED)
    else:
        visits, meetings = visits_visible_to(user), meetings_visible_to(user)
        events = events_visible_to(user).exclude(status=EventStatus.CANCELLED)
    if scope.kind == "park":
        p, projects = scope.park_id, _scoped_projects(user, scope)
        visits = _within(
            visits,
            Q(organizer_id=p)
            | Q(organizations=p)
            | Q(stops__organization_id=p)
            | Q(projects__in=projects),
        )
        meetings = _within(meetings, Q(organizations=p) | Q(projects__in=projects))
        events = _within(events, Q(organizer_id=p) | Q(co_organizers=p))
    elif scope.kind == "area":
        areas, projects = scope.area_ids, _scoped_projects(user, scope)
        visits = _within(
            visits, Q(projects__in=projects) | Q(achievement__therapeutic_areas__in=areas)
        )
        meetings = _within(meetings, Q(projects__in=projects))
        events = _within(events, Q(achievements__therapeutic_areas__in=areas))
    return visits, meetings, events


def activity(user: AnyUser, today: date | None = None, scope: Scope = EVERYTHING) -> Chart:
    """Visits, meetings and events per month (3 queries). Viewers get counts of all."""
    today = today or timezone.localdate()
    months = last_months(today)
    since = date(int(months[0][:4]), int(months[0][5:]), 1)
    visits, meetings, events = scoped_engagements(user, scope)
    v = _monthly(visits, "date", since)
    since_at = timezone.make_aware(datetime.combine(since, datetime.min.time()))
    mt = _monthly(meetings, "starts_at", since_at)
    ev = _monthly(events, "starts_at", since_at)
    rows = [
        {"month": m, "visits": v.get(m, 0), "meetings": mt.get(m, 0), "events": ev.get(m, 0)}
        for m in months
    ]
    return Chart(
        "activity",
        _("Visits, meetings and events by month"),
        "bar",
        [
            ("month", _("Month")),
            ("visits", _("Visits")),
            ("meetings", _("Meetings")),
            ("events", _("Events")),
        ],
        rows,
        x="month",
        series=["visits", "meetings", "events"],
    )


def overdue_by_owner(user: AnyUser, today: date | None = None, scope: Scope = EVERYTHING) -> Chart:
    """Overdue tasks and obligations per person (2 queries). Viewers: not shown (no rows)."""
    today = today or timezone.localdate()
    counts: dict[int | None, dict[str, Any]] = {}
    if rules.sees_people(user):
        tasks: QuerySet[Task] = tasks_visible_to(user).filter(
            status=TaskStatus.OPEN, due_date__lt=today
        )
        obligations: QuerySet[Obligation] = obligations_visible_to(user).filter(
            status=ObligationStatus.OPEN, due_date__lt=today
        )
        if not scope.is_all:
            projects = _scoped_projects(user, scope)
            tasks = tasks.filter(project__in=projects)
            obligations = obligations.filter(agreement__project__in=projects)
        # People by the name colleagues know them by (display name), not the login name;
        # grouped by user id so two people with one display name stay apart.
        for key, qs, person in (
            ("tasks", tasks, "owner"),
            ("obligations", obligations, "responsible"),
        ):
            for r in (
                qs.order_by()
                .values(person, f"{person}__display_name", f"{person}__username")
                .annotate(n=Count("id"))
            ):
                name = r[f"{person}__display_name"] or r[f"{person}__username"]
                label = name or _("Unassigned")
                row = counts.setdefault(r[person], {"owner": label, "tasks": 0, "obligations": 0})
                row[key] = r["n"]
    rows = sorted(counts.values(), key=lambda r: (-(r["tasks"] + r["obligations"]), r["owner"]))
    return Chart(
        "overdue",
        _("Overdue tasks and obligations by owner"),
        "bar",
        [
            ("owner", _("Owner")),
            ("tasks", _("Overdue tasks")),
            ("obligations", _("Overdue obligations")),
        ],
        rows,
        x="owner",
        series=["tasks", "obligations"],
    )


def upcoming_events(user: AnyUser, limit: int = 5) -> list[Event]:
    qs = (
        Event.objects.filter(status=EventStatus.PUBLISHED)
        if rules.counts_every_record(user)
        else events_visible_to(user)
    )
    return list(
        qs.exclude(status=EventStatus.CANCELLED)
        .filter(starts_at__gte=timezone.now())
        .order_by("starts_at", "id")[:limit]
    )


def upcoming_events_between(
    user: AnyUser, start: datetime, end: datetime, scope: Scope = EVERYTHING
) -> QuerySet[Event]:
    qs = scoped_engagements(user, scope)[2]
    return (
        qs.exclude(status=EventStatus.CANCELLED)
        .filter(starts_at__gte=start, starts_at__lte=end)
        .order_by("starts_at", "id")
    )
