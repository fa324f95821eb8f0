"""After-landing API: the followed projects, their milestones, monthly figures (with each
figure's history), commitments against actuals, policy subsidies and stall warnings.

Every read starts from `rules.*_visible_to(user)`: another park's project answers 404, as if
it did not exist. A viewer (a government bureau) sees every landed project, named only by
`rules.project_label` (its registered company), never by its title. Writes go through
domain.py; versions (`version` or If-Match) guard against lost updates; errors use the
shared JSON shape.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import File, Path, Router
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from luodi.accounts import audit
from luodi.accounts.models import AuditEntry
from luodi.accounts.request_user import request_user
from luodi.accounts.rules import sees_people
from luodi.aftercare import domain, rules, stalls
from luodi.aftercare.choices import METRICS, MILESTONE_ORDER, MilestoneKind
from luodi.aftercare.models import Commitment, FigureReport, Milestone, Subsidy
from luodi.aftercare.schemas import (
    CommitmentIn,
    CommitmentOut,
    FigureChangeOut,
    FiguresIn,
    FiguresOut,
    FollowedProjectOut,
    MilestoneIn,
    MilestoneOut,
    MilestoneRef,
    StalledOut,
    StallReasonOut,
    SubsidyIn,
    SubsidyOut,
    SubsidyPatch,
)
from luodi.catalog.models import Organization
from luodi.catalog.rules import organizations_visible_to
from luodi.concurrency import Conflict, conflict_error, etag, expected_from, refusals
from luodi.engagements.rules import visits_visible_to
from luodi.errors import ApiError, LazyPage, Pagination, invalid, require_perm
from luodi.pipeline.models import Project
from luodi.pipeline.rules import agreements_visible_to

router = Router(tags=["aftercare"])

MONTH_PATTERN = r"^\d{4}-\d{2}$"


def _invalid(field: str, message: str) -> ApiError:
    return invalid({field: [message]})


def _landed(request: HttpRequest) -> QuerySet[Project]:
    return rules.landed_projects_visible_to(request.user).select_related("landing__park")


def _project(request: HttpRequest, project_id: int) -> Project:
    return get_object_or_404(_landed(request), pk=project_id)


def _month(text: str) -> date:
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise _invalid("month", "Not a month: write YYYY-MM, e.g. 2026-09.") from None


def _named(request: HttpRequest, project: Project, visible: set[int]) -> dict[str, Any]:
    """What a list row says of the project: the name the caller may read and its park."""
    landing = getattr(project, "landing", None)
    park: Organization | None = landing.park if landing is not None else None
    return {
        "label": rules.project_label(request.user, project, visible),
        "park_id": park.pk if park is not None else None,
        "park": park.display_name if park is not None else "",
    }


def _reasons(stall: stalls.Stall | None) -> list[StallReasonOut]:
    if stall is None:
        return []
    return [StallReasonOut(code=code, message=text) for code, text in stall.reasons]


def _label(kind: str) -> str:
    return str(MilestoneKind(kind).label)


# -- followed projects and stalls ----------------------------------------------------------


def _progress(ids: list[int]) -> dict[int, tuple[MilestoneRef | None, MilestoneRef | None]]:
    """Per project: the furthest milestone achieved and the next one on the path (with its
    planned date, when planned)."""
    rows: dict[int, dict[str, Milestone]] = defaultdict(dict)
    for m in Milestone.objects.filter(project_id__in=ids):
        rows[m.project_id][m.kind] = m
    out: dict[int, tuple[MilestoneRef | None, MilestoneRef | None]] = {}
    for pid in ids:
        kinds = rows.get(pid, {})
        done = [k for k in MILESTONE_ORDER if k in kinds and kinds[k].actual_on is not None]
        latest = (
            MilestoneRef(kind=done[-1], label=_label(done[-1]), on=kinds[done[-1]].actual_on)
            if done
            else None
        )
        start = MILESTONE_ORDER.index(done[-1]) + 1 if done else 0
        following = next(
            (k for k in MILESTONE_ORDER[start:] if k not in kinds or kinds[k].actual_on is None),
            None,
        )
        upcoming = (
            MilestoneRef(
                kind=following,
                label=_label(following),
                on=kinds[following].planned_on if following in kinds else None,
            )
            if following is not None
            else None
        )
        out[pid] = (latest, upcoming)
    return out


@router.get("/projects", response=list[FollowedProjectOut])
@paginate(Pagination)
def list_projects(request: HttpRequest, park: int | None = None, stalled: bool = False) -> LazyPage:
    """The landed projects followed after landing that the caller may see (a viewer: every
    one, by registered company), with their progress and stall warnings. `park` is an
    organization id; `stalled=true` keeps the stalled ones."""
    qs = stalls.followed(_landed(request))
    if park is not None:
        qs = qs.filter(landing__park_id=park)
    found = stalls.stalled(qs) if stalled else None  # the filter needs every one's
    if found is not None:
        qs = qs.filter(pk__in=list(found))

    def rows(projects: list[Project]) -> list[dict[str, Any]]:
        ids = [p.pk for p in projects]
        warnings = found if found is not None else stalls.stalled(qs.filter(pk__in=ids))
        visible = rules.visible_project_ids(request.user, ids)
        progress = _progress(ids)
        out = []
        for project in projects:
            latest, upcoming = progress[project.pk]
            out.append(
                {
                    "id": project.pk,
                    **_named(request, project, visible),
                    "stage": project.stage,
                    "latest_milestone": latest,
                    "next_milestone": upcoming,
                    "stalled": _reasons(warnings.get(project.pk)),
                }
            )
        return out

    return LazyPage(qs.order_by("id"), rows)


@router.get("/stalled", response=list[StalledOut])
@paginate(Pagination)
def list_stalled(request: HttpRequest) -> LazyPage:
    """The stalled projects among those the caller may see, with the reasons: the next
    milestone overdue, capital behind the commitments, or no contact for too long."""
    qs = _landed(request)
    warnings = stalls.stalled(qs)

    def rows(projects: list[Project]) -> list[dict[str, Any]]:
        visible = rules.visible_project_ids(request.user, [p.pk for p in projects])
        return [
            {
                "project_id": project.pk,
                **_named(request, project, visible),
                "reasons": _reasons(warnings[project.pk]),
            }
            for project in projects
        ]

    return LazyPage(qs.filter(pk__in=list(warnings)).order_by("id"), rows)


# -- milestones -----------------------------------------------------------------------------


@router.get("/projects/{project_id}/milestones", response=list[MilestoneOut])
def list_milestones(request: HttpRequest, project_id: int) -> list[Milestone]:
    """The milestones planned or achieved, in the order of the path (注册 → … → 达产)."""
    project = _project(request, project_id)
    rows = list(rules.milestones_visible_to(request.user).filter(project=project))
    return sorted(rows, key=lambda m: m.position)


def _milestone(request: HttpRequest, project: Project, kind: str) -> Milestone:
    return get_object_or_404(rules.milestones_visible_to(request.user), project=project, kind=kind)


@router.get("/projects/{project_id}/milestones/{kind}", response=MilestoneOut)
def get_milestone(
    request: HttpRequest, project_id: int, kind: MilestoneKind, response: HttpResponse
) -> Milestone:
    milestone = _milestone(request, _project(request, project_id), kind)
    response["ETag"] = etag(milestone.version)
    return milestone


@router.put("/projects/{project_id}/milestones/{kind}", response=MilestoneOut)
def put_milestone(
    request: HttpRequest,
    project_id: int,
    kind: MilestoneKind,
    payload: MilestoneIn,
    response: HttpResponse,
) -> Milestone:
    """Plan or record one milestone (the park or staff). Recording it achieved while
    earlier milestones or evidence are missing is a 409 `gate_warnings` listing them in
    `fields.warnings`, until sent again with `confirm_warnings: true`. Reaching production
    moves the project on to "in production"."""
    project = _project(request, project_id)
    require_perm(request, "aftercare.record", project)
    sent = payload.model_dump()
    expected = expected_from(request, sent)
    visit = None
    if payload.visit_id is not None:
        visit = visits_visible_to(request.user).filter(pk=payload.visit_id).first()
        if visit is None:
            raise _invalid("visit_id", "No such visit.")
    if expected is None:  # versions move on with every write, checked or not
        expected = (
            Milestone.objects.filter(project=project, kind=kind)
            .values_list("version", flat=True)
            .first()
        )
    try:
        with refusals():
            milestone = domain.set_milestone(
                actor=request_user(request),
                project=project,
                kind=kind,
                planned_on=payload.planned_on,
                actual_on=payload.actual_on,
                note=payload.note,
                visit=visit,
                credit_code=payload.credit_code,
                confirm_warnings=payload.confirm_warnings,
                expected_version=expected,
                ip=audit.client_ip(request),
            )
    except domain.GateWarnings as exc:
        raise ApiError(
            409,
            "gate_warnings",
            "Prerequisites are missing; repeat with confirm_warnings=true to record it anyway.",
            {"warnings": exc.warnings},
        ) from None
    response["ETag"] = etag(milestone.version)
    return milestone


@router.post("/projects/{project_id}/milestones/{kind}/evidence", response=MilestoneOut)
def attach_evidence(
    request: HttpRequest,
    project_id: int,
    kind: MilestoneKind,
    file: File[UploadedFile],
    response: HttpResponse,
) -> Milestone:
    """Attach a document or photo (PDF, Word, Excel, PNG, JPEG) to a milestone already
    planned or recorded; it replaces any earlier one. Send If-Match with the milestone's
    version to refuse the upload when somebody changed it meanwhile (409)."""
    project = _project(request, project_id)
    require_perm(request, "aftercare.record", project)
    milestone = _milestone(request, project, kind)
    try:
        milestone = domain.attach_evidence(
            actor=request_user(request),
            milestone=milestone,
            evidence=file,
            expected_version=expected_from(request, {}),
            ip=audit.client_ip(request),
        )
    except Conflict as exc:
        raise conflict_error(exc, []) from None
    except ValidationError as exc:
        raise _invalid("file", " ".join(exc.messages)) from None
    response["ETag"] = etag(milestone.version)
    return milestone


# -- figures --------------------------------------------------------------------------------


@router.get("/projects/{project_id}/figures", response=list[FiguresOut])
def list_figures(request: HttpRequest, project_id: int) -> QuerySet[FigureReport]:
    """The figures reported, month by month (oldest first)."""
    project = _project(request, project_id)
    return rules.figures_visible_to(request.user).filter(project=project).order_by("period")


def _report(request: HttpRequest, project_id: int, month: str) -> FigureReport:
    project = _project(request, project_id)
    period = _month(month)
    return get_object_or_404(rules.figures_visible_to(request.user), project=project, period=period)


_MONTH_PATH = Path(..., pattern=MONTH_PATTERN, description="YYYY-MM")


@router.get("/projects/{project_id}/figures/{month}", response=FiguresOut)
def get_figures(
    request: HttpRequest, project_id: int, response: HttpResponse, month: str = _MONTH_PATH
) -> FigureReport:
    report = _report(request, project_id, month)
    response["ETag"] = etag(report.version)
    return report


@router.put("/projects/{project_id}/figures/{month}", response=FiguresOut)
def put_figures(
    request: HttpRequest,
    project_id: int,
    payload: FiguresIn,
    response: HttpResponse,
    month: str = _MONTH_PATH,
) -> FigureReport:
    """Report the month's figures (creates the month or changes only the figures sent);
    every change is kept with its old and new value (`…/history`). The park or staff."""
    project = _project(request, project_id)
    require_perm(request, "aftercare.record", project)
    period = _month(month)
    sent = payload.model_dump(exclude_unset=True)
    expected = expected_from(request, sent)
    note = sent.pop("note", None)
    values = {name: sent[name] for name in METRICS if name in sent}
    with refusals({"period": "month"}):
        report = domain.record_figures(
            actor=request_user(request),
            project=project,
            period=period,
            values=values,
            note=note,
            expected_version=expected,
            source="api",
            ip=audit.client_ip(request),
        )
    response["ETag"] = etag(report.version)
    return report


@router.get("/projects/{project_id}/figures/{month}/history", response=list[FigureChangeOut])
def figures_history(
    request: HttpRequest, project_id: int, month: str = _MONTH_PATH
) -> list[dict[str, Any]]:
    """Every change of the month's figures, oldest first: who, when, from where (form, api,
    import) and each figure's old and new value."""
    report = _report(request, project_id, month)
    entries = AuditEntry.objects.filter(
        verb="figures.record",
        target_type=ContentType.objects.get_for_model(FigureReport),
        target_id=str(report.pk),
    ).order_by("created_at", "id")
    shown = {*METRICS, "note"}
    named = sees_people(request.user)
    return [
        {
            "at": entry.created_at,
            "by": entry.actor_label if named else "",
            "source": str(entry.changes.get("source", "")),
            "changes": {k: v for k, v in entry.changes.items() if k in shown},
        }
        for entry in entries
    ]


# -- commitments ----------------------------------------------------------------------------


def _commitment_out(item: Commitment, today: date) -> dict[str, Any]:
    actual, gap = domain.standing(item, min(item.due_on, today))
    return {
        "id": item.pk,
        "metric": item.metric,
        "amount": item.amount,
        "due_on": item.due_on,
        "note": item.note,
        "agreement_id": item.agreement_id,
        "actual": actual,
        "shortfall": gap,
        "overdue": item.due_on < today and gap > 0,
    }


@router.get("/projects/{project_id}/commitments", response=list[CommitmentOut])
def list_commitments(request: HttpRequest, project_id: int) -> list[dict[str, Any]]:
    """What the company committed to by a date, with the actual figure (up to the date, or
    today before it) and the shortfall."""
    project = _project(request, project_id)
    today = timezone.localdate()
    rows = rules.commitments_visible_to(request.user).filter(project=project)
    return [_commitment_out(item, today) for item in rows]


@router.post("/projects/{project_id}/commitments", response={201: CommitmentOut})
def add_commitment(request: HttpRequest, project_id: int, payload: CommitmentIn) -> Status[Any]:
    """Record a commitment of the investment agreement (staff)."""
    project = _project(request, project_id)
    require_perm(request, "aftercare.manage_commitments", project)
    agreement = None
    if payload.agreement_id is not None:
        agreement = (
            agreements_visible_to(request.user)
            .filter(pk=payload.agreement_id, project=project)
            .first()
        )
        if agreement is None:
            raise _invalid("agreement_id", "No such agreement of this project.")
    with refusals():
        item = domain.add_commitment(
            actor=request_user(request),
            project=project,
            metric=payload.metric,
            amount=payload.amount,
            due_on=payload.due_on,
            agreement=agreement,
            note=payload.note,
            ip=audit.client_ip(request),
        )
    return Status(201, _commitment_out(item, timezone.localdate()))


@router.delete("/projects/{project_id}/commitments/{commitment_id}", response={204: None})
def remove_commitment(request: HttpRequest, project_id: int, commitment_id: int) -> Status[None]:
    """Remove a commitment recorded by mistake (staff)."""
    project = _project(request, project_id)
    item = get_object_or_404(
        rules.commitments_visible_to(request.user), project=project, pk=commitment_id
    )
    require_perm(request, "aftercare.manage_commitments", project)
    domain.remove_commitment(
        actor=request_user(request), commitment=item, ip=audit.client_ip(request)
    )
    return Status(204, None)


# -- subsidies ------------------------------------------------------------------------------


def _subsidy_values(request: HttpRequest, sent: dict[str, Any]) -> dict[str, Any]:
    values = dict(sent)
    if "granted_by_id" in values:
        org_id = values.pop("granted_by_id")
        org = None
        if org_id is not None:
            org = organizations_visible_to(request.user).filter(pk=org_id).first()
            if org is None:
                raise _invalid("granted_by_id", "No such organization.")
        values["granted_by"] = org
    return values


@router.get("/projects/{project_id}/subsidies", response=list[SubsidyOut])
def list_subsidies(request: HttpRequest, project_id: int) -> QuerySet[Subsidy]:
    project = _project(request, project_id)
    return rules.subsidies_visible_to(request.user).filter(project=project)


@router.post("/projects/{project_id}/subsidies", response={201: SubsidyOut})
def add_subsidy(request: HttpRequest, project_id: int, payload: SubsidyIn) -> Status[Subsidy]:
    """Record a policy subsidy applied for (or already approved or paid, with its dates and
    amounts). The park or staff."""
    project = _project(request, project_id)
    require_perm(request, "aftercare.record", project)
    sent = payload.model_dump()
    if sent.get("applied_on") is None:
        sent.pop("applied_on", None)  # today
    values = _subsidy_values(request, sent)
    with refusals():
        item = domain.save_subsidy(
            actor=request_user(request), project=project, values=values, ip=audit.client_ip(request)
        )
    return Status(201, item)


@router.patch("/subsidies/{subsidy_id}", response=SubsidyOut)
def change_subsidy(
    request: HttpRequest, subsidy_id: int, payload: SubsidyPatch, response: HttpResponse
) -> Subsidy:
    """Move a subsidy on (approved, paid, rejected) or correct it: only the fields sent
    change. Send the `version` you loaded (or If-Match)."""
    item = get_object_or_404(
        rules.subsidies_visible_to(request.user).select_related("project"), pk=subsidy_id
    )
    require_perm(request, "aftercare.record", item.project)
    sent = payload.model_dump(exclude_unset=True)
    expected = expected_from(request, sent)
    values = _subsidy_values(request, sent)
    with refusals():
        saved = domain.save_subsidy(
            actor=request_user(request),
            project=item.project,
            values=values,
            subsidy=item,
            expected_version=expected,
            ip=audit.client_ip(request),
        )
    response["ETag"] = etag(saved.version)
    return saved
