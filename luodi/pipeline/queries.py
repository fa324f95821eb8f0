"""Reads shared by the board, the list, the project page, the API and the feeds. Each one
starts from a `*_visible_to(user)` queryset and fetches its related rows up front."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from luodi.accounts.rules import AnyUser
from luodi.catalog.models import Organization
from luodi.catalog.rules import achievements_visible_to
from luodi.pipeline import links
from luodi.pipeline.choices import (
    BOARD_COLUMNS,
    REGISTRABLE_KINDS,
    ProjectStage,
    TaskStatus,
    allowed_targets,
)
from luodi.pipeline.models import (
    Agreement,
    CompanyRequest,
    Obligation,
    Project,
    RequestStatus,
    StageTransition,
    Task,
)
from luodi.pipeline.rules import projects_visible_to, tasks_visible_to


def project_rows(user: AnyUser) -> QuerySet[Project]:
    """Visible live projects with what a card or a list row shows, in a fixed query count."""
    today = timezone.localdate()
    return (
        projects_visible_to(user)
        .filter(archived_at__isnull=True)
        .select_related("owner", "staff", "target_park")
        .annotate(
            open_tasks=Count("tasks", filter=Q(tasks__status=TaskStatus.OPEN), distinct=True),
            overdue_tasks=Count(
                "tasks",
                filter=Q(tasks__status=TaskStatus.OPEN, tasks__due_date__lt=today),
                distinct=True,
            ),
        )
    )


@dataclass
class Card:
    project: Project
    targets: list[tuple[str, str | Promise]]

    @property
    def allowed(self) -> str:
        return " ".join(s for s, _label in self.targets)


@dataclass
class Column:
    stage: str
    label: str | Promise
    cards: list[Card]


# Lost projects leave the board after this long (they stay in the list).
LOST_ON_BOARD_DAYS = 180


def board(user: AnyUser) -> list[Column]:
    cols = {s: Column(s, ProjectStage(s).label, []) for s in BOARD_COLUMNS}
    since = timezone.now() - timedelta(days=LOST_ON_BOARD_DAYS)
    rows = project_rows(user).exclude(stage=ProjectStage.LOST, stage_entered_at__lt=since)
    for project in rows.order_by("stage_entered_at", "id"):
        targets: list[tuple[str, str | Promise]] = [
            (s, ProjectStage(s).label) for s in allowed_targets(project.stage, project.paused_from)
        ]
        cols[project.stage].cards.append(Card(project, targets))
    return list(cols.values())


def filter_projects(qs: QuerySet[Project], data: dict[str, Any]) -> QuerySet[Project]:
    """Apply the list filters (cleaned form data) to `qs`."""
    if data.get("q"):
        qs = qs.filter(title__icontains=data["q"])
    if data.get("stage"):
        qs = qs.filter(stage=data["stage"])
    if data.get("park"):
        qs = qs.filter(target_park=data["park"])
    if data.get("owner"):
        qs = qs.filter(owner=data["owner"])
    if data.get("staff"):
        qs = qs.filter(staff=data["staff"])
    if data.get("area"):
        area = data["area"]
        qs = qs.filter(
            Q(achievement__therapeutic_areas=area) | Q(clinical_need__specialty=area)
        ).distinct()
    if data.get("min_days") is not None:
        qs = qs.filter(stage_entered_at__lte=timezone.now() - timedelta(days=data["min_days"]))
    if data.get("max_days") is not None:
        qs = qs.filter(stage_entered_at__gte=timezone.now() - timedelta(days=data["max_days"]))
    return qs


@dataclass(frozen=True)
class StageSpan:
    stage: str
    label: str | Promise
    started: datetime
    days: int
    current: bool


def stage_spans(transitions: list[StageTransition]) -> list[StageSpan]:
    """Time in each stage, from the (ordered) history."""
    spans = []
    now = timezone.now()
    for i, row in enumerate(transitions):
        end = transitions[i + 1].created_at if i + 1 < len(transitions) else now
        spans.append(
            StageSpan(
                row.to_stage,
                ProjectStage(row.to_stage).label,
                row.created_at,
                max((end - row.created_at).days, 0),
                i + 1 == len(transitions),
            )
        )
    return spans


@dataclass(frozen=True)
class Event:
    at: datetime
    kind: str
    label: str | Promise
    text: str
    actor: str = ""


def engagement_events(user: AnyUser, project: Project) -> list[Event]:
    """Visits and meetings that advanced the project (engagements app), as the user may see
    them. Two queries."""
    events: list[Event] = []
    tz = timezone.get_current_timezone()
    for visit in links.visible("visit", user).filter(projects=project).distinct():
        at = datetime.combine(visit.date, time(9, 0), tzinfo=tz)
        events.append(Event(at, "visit", _("Visit"), str(visit)))
    for meeting in links.visible("meeting", user).filter(projects=project).distinct():
        events.append(Event(meeting.starts_at, "meeting", _("Meeting"), str(meeting)))
    return events


def timeline(
    project: Project,
    transitions: list[StageTransition],
    agreements: list[Agreement],
    tasks: list[Task],
    extra: list[Event] | None = None,
) -> list[Event]:
    """Everything that happened to the project, newest first."""
    events: list[Event] = list(extra or [])
    for t in transitions:
        text = (f"{ProjectStage(t.from_stage).label} → " if t.from_stage else "") + str(
            ProjectStage(t.to_stage).label
        )
        detail = " · ".join(x for x in (t.reason, t.note) if x)
        events.append(
            Event(
                t.created_at,
                "transition",
                _("Stage"),
                f"{text}{' · ' + detail if detail else ''}",
                t.actor_label,
            )
        )
    for a in agreements:
        events.append(
            Event(
                a.created_at,
                "agreement",
                _("Agreement"),
                f"{a.get_kind_display()}: {a.title} ({a.get_status_display()})",
            )
        )
        for d in a.documents.all():
            events.append(Event(d.uploaded_at, "file", _("File"), f"{a.title}: {d.original_name}"))
    for task in tasks:
        events.append(Event(task.created_at, "task", _("Task"), task.title, str(task.owner)))
        if task.done_at:
            events.append(Event(task.done_at, "task", _("Task done"), task.title, str(task.owner)))
    for note in project.notes.all():
        events.append(
            Event(
                note.created_at,
                "note",
                _("Note"),
                note.text,
                str(note.author) if note.author else "",
            )
        )
    return sorted(events, key=lambda e: e.at, reverse=True)


def project_detail(user: AnyUser, pk: int) -> Project:
    """The project with everything its page shows (raises Project.DoesNotExist)."""
    return (
        projects_visible_to(user)
        .select_related(
            "owner",
            "company",
            "investor",
            "target_park",
            "staff",
            "achievement",
            "clinical_need",
            "needed_specialty",
            "landing",
            "landing__park",
            "landing__carrier",
        )
        .prefetch_related(
            "clinical_centers",
            Prefetch("transitions", queryset=StageTransition.objects.order_by("created_at", "id")),
            Prefetch(
                "agreements",
                queryset=Agreement.objects.prefetch_related(
                    "parties",
                    "documents",
                    Prefetch(
                        "obligations", queryset=Obligation.objects.select_related("responsible")
                    ),
                ),
            ),
            Prefetch("tasks", queryset=Task.objects.select_related("owner")),
            "notes__author",
        )
        .get(pk=pk)
    )


def achievement_visible(user: AnyUser, project: Project) -> bool:
    """Whether the user may follow the link to the project's achievement."""
    pk = project.achievement_id
    return pk is not None and achievements_visible_to(user).filter(pk=pk).exists()


def my_tasks(user: AnyUser, *, include_done: bool = False) -> QuerySet[Task]:
    qs = tasks_visible_to(user).filter(owner_id=user.pk).select_related("project")
    if not include_done:
        qs = qs.filter(status=TaskStatus.OPEN)
    return qs.order_by("status", "due_date", "id")


def filter_agreements(qs: QuerySet[Agreement], data: dict[str, Any]) -> QuerySet[Agreement]:
    """The list's filters (shared by the page and the API)."""
    if data.get("scope") == "organizations":
        qs = qs.filter(project__isnull=True)
    elif data.get("scope") == "projects":
        qs = qs.filter(project__isnull=False)
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    registration = data.get("registration")
    if registration == "none":
        qs = qs.filter(kind__in=REGISTRABLE_KINDS, registration__isnull=True)
    elif registration:
        qs = qs.filter(registration__status=registration)
    party: Organization | int | None = data.get("party")
    if party:
        pid = party.pk if isinstance(party, Organization) else party
        qs = qs.filter(
            pk__in=Agreement.parties.through.objects.filter(organization_id=pid).values(
                "agreement_id"
            )
        )
    text = (data.get("q") or "").strip()
    if text:
        named = Organization.objects.filter(Q(name_zh__icontains=text) | Q(name_en__icontains=text))
        qs = qs.filter(
            Q(title__icontains=text)
            | Q(
                pk__in=Agreement.parties.through.objects.filter(
                    organization_id__in=named.values("pk")
                ).values("agreement_id")
            )
        )
    return qs


def filter_requests(qs: QuerySet[CompanyRequest], data: dict[str, Any]) -> QuerySet[CompanyRequest]:
    status = data.get("status") or ""
    if status == "":
        qs = qs.exclude(status=RequestStatus.RESOLVED)
    elif status != "all":
        qs = qs.filter(status=status)
    if data.get("category"):
        qs = qs.filter(category=data["category"])
    if data.get("park"):
        qs = qs.filter(project__target_park=data["park"])
    if data.get("overdue"):
        qs = qs.filter(due_date__lt=timezone.localdate()).exclude(status=RequestStatus.RESOLVED)
    return qs
