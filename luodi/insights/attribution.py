"""Attribution: which visits, meetings, events and one-to-one meetings came before each landed
project (issue #22, "after the event") — the evidence for funders that counting meetings
never gives.

A project counts as landed on the day of its first move to "landed" (the stage history),
else, for a landing recorded without that move, the entity's registration date. Its park is
the landing's park, else the target park. A touch is anything on or before that day:

- visits (not cancelled) that list the project, whose achievement is the project's, or where
  the project's company visited (as the visiting company or in the delegation) with the
  landing park as a stop;
- engagement meetings that list the project;
- events (not cancelled) that presented the project's achievement, carried out one of the
  project's agreements, or had the company registered (confirmed, by organization name);
- one-to-one partnering meetings (booked or held) that led to the project or to its match
  record, or between the company and the owner or the landing park;
- match records of the project, or of its achievement with the company or the park as
  counterparty, once past a mere suggestion.

Disclosure: the projects are `pipeline.rules.projects_visible_to(user)`; each touch is named
and linked only when the owning app's `*_visible_to(user)` holds it, otherwise it is counted
("n more touches you may not see") with neither kind, title nor date. The summary figures
are computed over the touches the user may see, so they reveal nothing of the hidden ones.

A fixed number of queries whatever the number of projects (about 20; a test guards it).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from statistics import median

from django.db.models import Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from luodi.accounts.rules import AnyUser
from luodi.catalog.models import Organization
from luodi.engagements import rules as engagement_rules
from luodi.engagements.models import (
    Event,
    EventStatus,
    Meeting,
    Registration,
    RegistrationStatus,
    Visit,
    VisitStatus,
    VisitStop,
)
from luodi.insights.base import is_english
from luodi.matchmaking.models import MatchRecord, MatchStatus
from luodi.matchmaking.rules import records_visible_to
from luodi.partnering.choices import MeetingState
from luodi.partnering.models import Meeting as PartneringMeeting
from luodi.partnering.rules import meetings_visible_to as partnering_visible_to
from luodi.pipeline.choices import ProjectStage
from luodi.pipeline.models import LandingRecord, StageTransition
from luodi.pipeline.rules import projects_visible_to
from luodi.sheets import Sheet

KINDS: dict[str, object] = {
    "visit": gettext_lazy("Inspection visit"),
    "meeting": gettext_lazy("Meeting"),
    "event": gettext_lazy("Event or forum"),
    "partnering": gettext_lazy("One-to-one meeting"),
    "match": gettext_lazy("Matchmaking"),
}
MATCH_TOUCHES = (
    MatchStatus.SHORTLISTED,
    MatchStatus.INTRODUCED,
    MatchStatus.IN_DISCUSSION,
    MatchStatus.CONVERTED,
)
PARTNERING_TOUCHES = (MeetingState.BOOKED, MeetingState.HELD)


@dataclass(frozen=True)
class Touch:
    kind: str
    day: date
    title: str
    url: str

    @property
    def kind_label(self) -> str:
        return str(KINDS[self.kind])


@dataclass
class Landed:
    pk: int
    title: str
    landed_on: date
    park_id: int | None
    park: str
    achievement_id: int | None
    company_id: int | None
    owner_id: int
    touches: list[Touch] = field(default_factory=list)  # the ones the user may see, by day
    hidden: int = 0  # touches the user may not see: counted, never described

    @property
    def url(self) -> str:
        return reverse("pipeline:detail", args=[self.pk])

    @property
    def kinds(self) -> set[str]:
        return {t.kind for t in self.touches}

    @property
    def first_touch(self) -> date | None:
        return self.touches[0].day if self.touches else None

    @property
    def days_from_first_touch(self) -> int | None:
        first = self.first_touch
        return (self.landed_on - first).days if first else None


@dataclass(frozen=True)
class Summary:
    landed: int
    with_visit: int
    with_event: int
    with_partnering: int
    with_any: int
    median_days: float | None
    touches_per_project: float | None
    hidden: int

    @staticmethod
    def share(n: int, of: int) -> int | None:
        return round(100 * n / of) if of else None

    @property
    def visit_share(self) -> int | None:
        return self.share(self.with_visit, self.landed)

    @property
    def event_share(self) -> int | None:
        return self.share(self.with_event, self.landed)

    @property
    def partnering_share(self) -> int | None:
        return self.share(self.with_partnering, self.landed)

    @property
    def any_share(self) -> int | None:
        return self.share(self.with_any, self.landed)


@dataclass
class Attribution:
    projects: list[Landed]
    summary: Summary


def _day(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _pick(zh: str | None, en: str | None) -> str:
    zh, en = zh or "", en or ""
    return (en or zh) if is_english() else (zh or en)


def landed_projects(user: AnyUser, *, year: int | None, park_id: int | None) -> list[Landed]:
    """The user's landed projects, newest landing first, narrowed to `year` and `park_id`."""
    qs = projects_visible_to(user).filter(archived_at__isnull=True)
    landed_ids = StageTransition.objects.filter(to_stage=ProjectStage.LANDED).values("project_id")
    qs = qs.filter(Q(pk__in=landed_ids) | Q(pk__in=LandingRecord.objects.values("project_id")))
    if park_id is not None:
        qs = qs.filter(
            Q(landing__park_id=park_id) | Q(landing__park__isnull=True, target_park_id=park_id)
        )
    rows = list(
        qs.values(
            "pk",
            "title",
            "achievement_id",
            "company_id",
            "owner_id",
            "target_park_id",
            "landing__park_id",
            "landing__registered_on",
        )
    )
    ids = [r["pk"] for r in rows]
    moved = dict(
        StageTransition.objects.filter(project_id__in=ids, to_stage=ProjectStage.LANDED)
        .values("project_id")
        .annotate(at=Min("created_at"))
        .values_list("project_id", "at")
    )
    parks = {r["landing__park_id"] or r["target_park_id"] for r in rows} - {None}
    names = {
        pk: _pick(zh, en)
        for pk, zh, en in Organization.objects.filter(pk__in=parks).values_list(
            "pk", "name_zh", "name_en"
        )
    }
    out = []
    for r in rows:
        at = moved.get(r["pk"])
        landed_on = _day(at) if at is not None else r["landing__registered_on"]
        if landed_on is None or (year is not None and landed_on.year != year):
            continue
        park = r["landing__park_id"] or r["target_park_id"]
        out.append(
            Landed(
                pk=r["pk"],
                title=r["title"],
                landed_on=landed_on,
                park_id=park,
                park=names.get(park, "") if park else "",
                achievement_id=r["achievement_id"],
                company_id=r["company_id"],
                owner_id=r["owner_id"],
            )
        )
    out.sort(key=lambda p: (p.landed_on, p.pk), reverse=True)
    return out


class _Collector:
    """Touches by project: (kind, record id) pairs, then the records read once per kind."""

    def __init__(self, projects: list[Landed]) -> None:
        self.projects = {p.pk: p for p in projects}
        self.links: dict[tuple[str, int], set[int]] = defaultdict(set)  # (kind, id) → projects

    def add(self, kind: str, record_id: int, project_id: int) -> None:
        self.links[(kind, record_id)].add(project_id)

    def ids(self, kind: str) -> set[int]:
        return {rid for k, rid in self.links if k == kind}

    def _by(self, attr: str) -> dict[int, set[int]]:
        out: dict[int, set[int]] = defaultdict(set)
        for p in self.projects.values():
            value = getattr(p, attr)
            if value is not None:
                out[value].add(p.pk)
        return out

    def collect(self) -> None:
        ids = list(self.projects)
        by_ach, by_company, by_park = (
            self._by("achievement_id"),
            self._by("company_id"),
            self._by("park_id"),
        )
        # visits
        for pid, vid in Visit.projects.through.objects.filter(project_id__in=ids).values_list(
            "project_id", "visit_id"
        ):
            self.add("visit", vid, pid)
        for vid, ach in Visit.objects.filter(achievement_id__in=list(by_ach)).values_list(
            "pk", "achievement_id"
        ):
            for pid in by_ach[ach]:
                self.add("visit", vid, pid)
        visitors: dict[int, set[int]] = defaultdict(set)  # visit → visiting companies
        for vid, org in Visit.objects.filter(company_id__in=list(by_company)).values_list(
            "pk", "company_id"
        ):
            visitors[vid].add(org)
        for vid, org in Visit.organizations.through.objects.filter(
            organization_id__in=list(by_company)
        ).values_list("visit_id", "organization_id"):
            visitors[vid].add(org)
        for vid, park in VisitStop.objects.filter(
            visit_id__in=list(visitors), organization_id__in=list(by_park)
        ).values_list("visit_id", "organization_id"):
            for org in visitors[vid]:
                for pid in by_company[org] & by_park[park]:
                    self.add("visit", vid, pid)
        # meetings
        for pid, mid in Meeting.projects.through.objects.filter(project_id__in=ids).values_list(
            "project_id", "meeting_id"
        ):
            self.add("meeting", mid, pid)
        # events
        for eid, ach in Event.achievements.through.objects.filter(
            achievement_id__in=list(by_ach)
        ).values_list("event_id", "achievement_id"):
            for pid in by_ach[ach]:
                self.add("event", eid, pid)
        for eid, pid in Event.agreements.through.objects.filter(
            agreement__project_id__in=ids
        ).values_list("event_id", "agreement__project_id"):
            self.add("event", eid, pid)
        company_names: dict[str, set[int]] = defaultdict(set)
        for pk, zh, en in Organization.objects.filter(pk__in=list(by_company)).values_list(
            "pk", "name_zh", "name_en"
        ):
            for name in (zh, en):
                if name:
                    company_names[name.strip().lower()] |= by_company[pk]
        if company_names:
            names_q = Q()
            for name in company_names:
                names_q |= Q(organization_name__iexact=name)
            for eid, org_name in Registration.objects.filter(
                names_q, status=RegistrationStatus.CONFIRMED
            ).values_list("event_id", "organization_name"):
                for pid in company_names.get(org_name.strip().lower(), set()):
                    self.add("event", eid, pid)
        # one-to-one meetings
        pairs: dict[frozenset[int], set[int]] = defaultdict(set)
        for p in self.projects.values():
            if p.company_id is None:
                continue
            for other in (p.owner_id, p.park_id):
                if other is not None and other != p.company_id:
                    pairs[frozenset((p.company_id, other))].add(p.pk)
        orgs = {o for pair in pairs for o in pair}
        for mid, pid, rec_pid, a_org, b_org in (
            PartneringMeeting.objects.filter(state__in=PARTNERING_TOUCHES)
            .filter(
                Q(project_id__in=ids)
                | Q(match_record__project_id__in=ids)
                | Q(a__organization_id__in=orgs, b__organization_id__in=orgs)
            )
            .values_list(
                "pk",
                "project_id",
                "match_record__project_id",
                "a__organization_id",
                "b__organization_id",
            )
        ):
            for target in {pid, rec_pid} & set(ids):
                self.add("partnering", mid, target)
            for target in pairs.get(frozenset((a_org, b_org)), set()):
                self.add("partnering", mid, target)
        # match records
        counterparts = list(set(by_company) | set(by_park))
        for rid, pid, ach, cp in (
            MatchRecord.objects.filter(status__in=MATCH_TOUCHES)
            .filter(
                Q(project_id__in=ids)
                | Q(achievement_id__in=list(by_ach), counterparty_id__in=counterparts)
            )
            .values_list("pk", "project_id", "achievement_id", "counterparty_id")
        ):
            if pid in self.projects:
                self.add("match", rid, pid)
            for target in by_ach.get(ach, set()):
                p = self.projects[target]
                if cp is not None and cp in (p.company_id, p.park_id):
                    self.add("match", rid, target)


def _records(user: AnyUser, c: _Collector) -> dict[tuple[str, int], tuple[date, str, str, bool]]:
    """(kind, id) → (day, title, url, visible) for every linked record that counts."""
    out: dict[tuple[str, int], tuple[date, str, str, bool]] = {}
    visits = c.ids("visit")
    seen = set(
        engagement_rules.visits_visible_to(user).filter(pk__in=visits).values_list("pk", flat=True)
    )
    for pk, zh, en, day in (
        Visit.objects.filter(pk__in=visits)
        .exclude(status=VisitStatus.CANCELLED)
        .values_list("pk", "title_zh", "title_en", "date")
    ):
        out[("visit", pk)] = (
            day,
            _pick(zh, en),
            reverse("engagements:visit", args=[pk]),
            pk in seen,
        )
    meetings = c.ids("meeting")
    seen = set(
        engagement_rules.meetings_visible_to(user)
        .filter(pk__in=meetings)
        .values_list("pk", flat=True)
    )
    for pk, title, at in Meeting.objects.filter(pk__in=meetings).values_list(
        "pk", "title", "starts_at"
    ):
        out[("meeting", pk)] = (
            _day(at),
            title,
            reverse("engagements:meeting", args=[pk]),
            pk in seen,
        )
    events = c.ids("event")
    seen = set(
        engagement_rules.events_visible_to(user).filter(pk__in=events).values_list("pk", flat=True)
    )
    for pk, zh, en, at in (
        Event.objects.filter(pk__in=events)
        .exclude(status=EventStatus.CANCELLED)
        .values_list("pk", "title_zh", "title_en", "starts_at")
    ):
        out[("event", pk)] = (
            _day(at),
            _pick(zh, en),
            reverse("engagements:event", args=[pk]),
            pk in seen,
        )
    partnering = c.ids("partnering")
    seen = set(partnering_visible_to(user).filter(pk__in=partnering).values_list("pk", flat=True))
    for row in PartneringMeeting.objects.filter(
        pk__in=partnering, starts_at__isnull=False
    ).values_list(
        "pk",
        "starts_at",
        "session_id",
        "session__event__title_zh",
        "session__event__title_en",
        "a__organization__name_zh",
        "a__organization__name_en",
        "b__organization__name_zh",
        "b__organization__name_en",
    ):
        pk, when, session, ez, ee, az, ae, bz, be = row
        if when is None:
            continue
        title = f"{_pick(az, ae)} ↔ {_pick(bz, be)} · {_pick(ez, ee)}"
        out[("partnering", pk)] = (
            _day(when),
            title,
            reverse("partnering:session", args=[session]),
            pk in seen,
        )
    matches = c.ids("match")
    seen = set(records_visible_to(user).filter(pk__in=matches).values_list("pk", flat=True))
    for pk, at, kind, source, az, ae, cz, ce in MatchRecord.objects.filter(
        pk__in=matches
    ).values_list(
        "pk",
        "created_at",
        "source_kind",
        "source_id",
        "achievement__title_zh",
        "achievement__title_en",
        "counterparty__name_zh",
        "counterparty__name_en",
    ):
        title = f"{_pick(az, ae)} → {_pick(cz, ce)}"
        url = reverse("matchmaking:source", args=[kind, source])
        out[("match", pk)] = (_day(at), title, url, pk in seen)
    return out


def summarize(projects: list[Landed]) -> Summary:
    n = len(projects)
    days = [d for p in projects if (d := p.days_from_first_touch) is not None]
    return Summary(
        landed=n,
        with_visit=sum(1 for p in projects if "visit" in p.kinds),
        with_event=sum(1 for p in projects if "event" in p.kinds),
        with_partnering=sum(1 for p in projects if "partnering" in p.kinds),
        with_any=sum(1 for p in projects if p.touches),
        median_days=float(median(days)) if days else None,
        touches_per_project=round(sum(len(p.touches) for p in projects) / n, 1) if n else None,
        hidden=sum(p.hidden for p in projects),
    )


def attribution(
    user: AnyUser, *, year: int | None = None, park_id: int | None = None
) -> Attribution:
    projects = landed_projects(user, year=year, park_id=park_id)
    collector = _Collector(projects)
    if projects:
        collector.collect()
    records = _records(user, collector) if projects else {}
    for (kind, rid), pids in collector.links.items():
        record = records.get((kind, rid))
        if record is None:
            continue  # cancelled, or a one-to-one meeting never given a time
        day, title, url, visible = record
        for pid in pids:
            p = collector.projects[pid]
            if day > p.landed_on:
                continue
            if visible:
                p.touches.append(Touch(kind, day, title, url))
            else:
                p.hidden += 1
    for p in projects:
        p.touches.sort(key=lambda t: (t.day, t.kind, t.title))
    return Attribution(projects=projects, summary=summarize(projects))


def export_sheets(result: Attribution) -> list[Sheet]:
    s = result.summary
    summary = Sheet(
        title=_("Summary"),
        headers=[],
        rows=[
            [_("Landed projects"), s.landed],
            [_("With a visit before landing (%)"), s.visit_share],
            [_("With an event or forum before landing (%)"), s.event_share],
            [_("With a one-to-one meeting before landing (%)"), s.partnering_share],
            [_("With any touch before landing (%)"), s.any_share],
            [_("Median days from first touch to landing"), s.median_days],
            [_("Touches per project"), s.touches_per_project],
            [_("Touches you may not see"), s.hidden],
        ],
    )
    rows: list[list[object]] = []
    for p in result.projects:
        for t in p.touches:
            rows.append([p.title, p.landed_on, p.park, t.kind_label, t.day, t.title])
        if p.hidden:
            rows.append([p.title, p.landed_on, p.park, _("Not visible to you"), None, p.hidden])
        if not p.touches and not p.hidden:
            rows.append([p.title, p.landed_on, p.park, "", None, ""])
    touches = Sheet(
        title=_("Touches"),
        headers=[_("Project"), _("Landed on"), _("Park"), _("Kind"), _("Date"), _("Title")],
        rows=rows,
    )
    return [summary, touches]
