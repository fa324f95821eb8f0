"""Pages of the follow-through after landing: the board by milestone, one landed project's
follow-through (milestones, figures by month, commitments, subsidies, stall reasons), the
history of one month's figures, and the list of stalled projects."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from luodi import concurrency
from luodi.accounts import audit
from luodi.accounts.models import AuditEntry
from luodi.accounts.request_user import request_user
from luodi.accounts.rules import sees_people
from luodi.aftercare import domain, rules, stalls
from luodi.aftercare.choices import (
    METRICS,
    MILESTONE_ORDER,
    SUBSIDY_TRANSITIONS,
    Metric,
    MilestoneKind,
)
from luodi.aftercare.forms import (
    CommitmentForm,
    FigureForm,
    MilestoneForm,
    ParkFilter,
    StalledFilter,
    SubsidyForm,
)
from luodi.aftercare.models import Commitment, FigureReport, Milestone, Subsidy
from luodi.concurrency import Conflict, VersionedForm
from luodi.downloads import attachment
from luodi.engagements.rules import visits_visible_to
from luodi.errors import add_errors
from luodi.htmx import is_htmx
from luodi.pipeline.models import Project

LANDED = "landed"


def _get(request: HttpRequest, pk: int, perm: str = "") -> Project:
    """A landed project whose follow-through the user sees (404 otherwise), and, with
    `perm`, may do that to (403)."""
    project = get_object_or_404(
        rules.landed_projects_visible_to(request.user).select_related(
            "landing", "landing__park", "staff", "company"
        ),
        pk=pk,
    )
    if perm and not request.user.has_perm(perm, project):
        raise PermissionDenied
    return project


def _handle(
    request: HttpRequest,
    project: Project,
    form: forms.ModelForm[Any],
    save: Callable[[dict[str, Any]], Any],
    done: str | Callable[[Any], str],
    slot: str,
    **detail: Any,
) -> HttpResponse:
    """One write from the project page: `save(cleaned_data)` is the domain call. An invalid
    form or a refusal shows the page again with the form open under `slot` (400), a stale
    version what changed meanwhile (409); success says `done` (or `done(saved)`) and goes
    back to the page."""
    again: dict[str, Any] = {slot: form, **detail}
    if form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except Conflict as exc:
            if not isinstance(form, VersionedForm):  # only a versioned record goes stale
                raise
            fresh = type(form.instance)._default_manager.get(pk=form.instance.pk)
            view = concurrency.refuse(form, type(form)(instance=fresh), exc, fresh)
            return render_detail(request, project.pk, conflict=view, status=409, **again)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, done if isinstance(done, str) else done(saved))
            return redirect("aftercare:project", pk=project.pk)
    return render_detail(request, project.pk, status=400, **again)


def _month(value: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise Http404 from None


# -- the board -----------------------------------------------------------------------------


def _by_project(milestones: QuerySet[Milestone]) -> dict[int, dict[str, Milestone]]:
    out: dict[int, dict[str, Milestone]] = {}
    for m in milestones:
        out.setdefault(m.project_id, {})[m.kind] = m
    return out


def _progress(ms: dict[str, Milestone]) -> tuple[str, str | None, Milestone | None]:
    """The column (latest achieved milestone, or "landed"), the next milestone's kind and
    its row (for the planned date)."""
    done = [i for i, kind in enumerate(MILESTONE_ORDER) if kind in ms and ms[kind].actual_on]
    latest = max(done) if done else -1
    column = MILESTONE_ORDER[latest] if latest >= 0 else LANDED
    nxt = MILESTONE_ORDER[latest + 1] if latest + 1 < len(MILESTONE_ORDER) else None
    return column, nxt, ms.get(nxt) if nxt else None


def board(request: HttpRequest) -> HttpResponse:
    user = request.user
    projects = stalls.followed(rules.landed_projects_visible_to(user))
    form = ParkFilter(request.GET or None, projects=projects)
    if form.is_valid() and form.cleaned_data.get("park"):
        projects = projects.filter(landing__park=form.cleaned_data["park"])
    projects = projects.select_related("landing", "landing__park").order_by("pk")
    stalled = stalls.stalled(projects)
    visible = rules.visible_project_ids(user, projects)
    by_project = _by_project(Milestone.objects.filter(project__in=projects))
    columns: dict[str, dict[str, Any]] = {
        LANDED: {"kind": LANDED, "label": _("Landed"), "cards": []}
    }
    for kind in MilestoneKind:
        columns[kind.value] = {"kind": kind.value, "label": kind.label, "cards": []}
    for project in projects:
        column, nxt, next_row = _progress(by_project.get(project.pk, {}))
        columns[column]["cards"].append(
            {
                "project": project,
                "label": rules.project_label(user, project, visible),
                "park": project.landing.park,
                "next_label": MilestoneKind(nxt).label if nxt else "",
                "next_planned": next_row.planned_on if next_row else None,
                "next_overdue": bool(next_row and next_row.is_overdue),
                "stall": stalled.get(project.pk),
            }
        )
    context = {"form": form, "columns": list(columns.values()), "count": len(projects)}
    template = "aftercare/_board.html" if is_htmx(request) else "aftercare/board.html"
    return render(request, template, context)


# -- one project's follow-through ------------------------------------------------------------


def _milestone_form(
    request: HttpRequest, project: Project, kind: str, ms: Milestone | None, **kw: Any
) -> MilestoneForm:
    instance = ms or Milestone(project=project, kind=kind)
    return MilestoneForm(user=request.user, project=project, kind=kind, instance=instance, **kw)


def render_detail(
    request: HttpRequest,
    pk: int,
    *,
    milestone_form: MilestoneForm | None = None,
    warnings: list[str] | None = None,
    refile: bool = False,
    figure_form: FigureForm | None = None,
    subsidy_form: SubsidyForm | None = None,
    commitment_form: CommitmentForm | None = None,
    month: date | None = None,
    conflict: concurrency.ConflictView | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    project = _get(request, pk)
    can_record = user.has_perm("aftercare.record", project)
    can_commit = user.has_perm("aftercare.manage_commitments", project)
    today = timezone.localdate()
    by_kind = {m.kind: m for m in Milestone.objects.filter(project=project).select_related("visit")}
    seen_visits = set(
        visits_visible_to(user)
        .filter(pk__in=[m.visit_id for m in by_kind.values() if m.visit_id])
        .values_list("pk", flat=True)
    )
    rows = []
    for kind in MilestoneKind:
        ms = by_kind.get(kind.value)
        form = None
        if can_record:
            if milestone_form is not None and milestone_form.kind == kind.value:
                form = milestone_form
            else:
                form = _milestone_form(request, project, kind.value, ms)
        rows.append(
            {
                "kind": kind.value,
                "label": kind.label,
                "ms": ms,
                "form": form,
                "visit_visible": bool(ms and ms.visit_id in seen_visits),
                "open": form is not None and form is milestone_form,
            }
        )
    reports = list(FigureReport.objects.filter(project=project).order_by("-period"))
    if can_record and figure_form is None:
        report = next((r for r in reports if month and r.period == month), None)
        figure_form = FigureForm(instance=report or FigureReport(project=project))
    commitments = []
    for c in Commitment.objects.filter(project=project).select_related("agreement"):
        actual, short = domain.standing(c, c.due_on)
        commitments.append(
            {"c": c, "actual": actual, "short": short, "late": short > 0 and c.due_on < today}
        )
    subsidies = []
    failed_sub = subsidy_form if subsidy_form is not None and subsidy_form.instance.pk else None
    for s in Subsidy.objects.filter(project=project).select_related("granted_by"):
        move = None
        if can_record and SUBSIDY_TRANSITIONS[s.status]:
            if failed_sub is not None and failed_sub.instance.pk == s.pk:
                move = failed_sub
            else:
                move = SubsidyForm(instance=s)
        subsidies.append({"s": s, "form": move, "open": move is not None and move is failed_sub})
    new_sub = subsidy_form if subsidy_form is not None and not subsidy_form.instance.pk else None
    stall = stalls.stalled(Project.objects.filter(pk=project.pk)).get(project.pk)
    context = {
        "project": project,
        "label": rules.project_label(user, project),
        "sees_project": rules.sees_project(user, project),
        "landing": project.landing,
        "can_record": can_record,
        "can_commit": can_commit,
        "milestones": rows,
        "warnings": warnings or [],
        "refile": refile,
        "reports": reports,
        "metrics": [(name, Metric(name).label) for name in METRICS],
        "figure_form": figure_form,
        "editing_month": figure_form is not None and figure_form.instance.pk is not None,
        "commitments": commitments,
        "commitment_form": commitment_form
        or (CommitmentForm(project=project) if can_commit else None),
        "subsidies": subsidies,
        "subsidy_form": new_sub or (SubsidyForm() if can_record else None),
        "stall": stall,
        "conflict": conflict,
        "failed": {
            "milestone": milestone_form is not None,
            "figures": figure_form is not None and figure_form.is_bound,
            "subsidy": new_sub is not None,
            "commitment": commitment_form is not None,
        },
    }
    return render(request, "aftercare/project.html", context, status=status)


def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_detail(request, pk)


@require_POST
def milestone_save(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    if kind not in MILESTONE_ORDER:
        raise Http404
    project = _get(request, pk, "aftercare.record")
    current = Milestone.objects.filter(project=project, kind=kind).first()
    form = _milestone_form(request, project, kind, current, data=request.POST, files=request.FILES)
    if not form.is_valid():
        return render_detail(request, pk, milestone_form=form, status=400)
    data = form.cleaned_data
    try:
        domain.set_milestone(
            actor=request_user(request),
            project=project,
            kind=kind,
            planned_on=data.get("planned_on"),
            actual_on=data.get("actual_on"),
            note=data.get("note") or "",
            visit=data.get("visit"),
            evidence=request.FILES.get(form.add_prefix("evidence")),
            credit_code=data.get("credit_code") or "",
            confirm_warnings=bool(data.get("confirm")),
            expected_version=form.expected_version,
            ip=audit.client_ip(request),
        )
    except domain.GateWarnings as exc:
        posted = request.POST.copy()
        posted[form.add_prefix("confirm")] = "on"
        again = _milestone_form(request, project, kind, current, data=posted)
        again.is_valid()
        return render_detail(
            request,
            pk,
            milestone_form=again,
            warnings=list(exc.warnings),
            refile=bool(request.FILES),
            status=422,
        )
    except Conflict as exc:
        fresh = Milestone.objects.get(project=project, kind=kind)
        view = concurrency.refuse(form, _milestone_form(request, project, kind, fresh), exc, fresh)
        return render_detail(request, pk, milestone_form=form, conflict=view, status=409)
    except ValidationError as exc:  # one naming no field: the code's own check (validate_uscc)
        add_errors(form, exc, unnamed="credit_code")
        return render_detail(request, pk, milestone_form=form, status=400)
    messages.success(request, _("Saved: %(milestone)s.") % {"milestone": MilestoneKind(kind).label})
    return redirect("aftercare:project", pk=pk)


def evidence_download(request: HttpRequest, milestone_id: int) -> FileResponse:
    """Always a download, never rendered (like agreement documents)."""
    ms = get_object_or_404(rules.milestones_visible_to(request.user), pk=milestone_id)
    if not ms.evidence:
        raise Http404
    return attachment(
        ms.evidence.open("rb"),
        ms.evidence_name or "evidence",
        ms.evidence_type or "application/octet-stream",
    )


# -- figures ---------------------------------------------------------------------------------


def _save_figures(
    request: HttpRequest, project: Project, form: FigureForm, month: date | None
) -> HttpResponse:
    def save(data: dict[str, Any]) -> FigureReport:
        return domain.record_figures(
            actor=request_user(request),
            project=project,
            period=data["period"],
            values={name: data.get(name) for name in METRICS},
            note=data.get("note") or "",
            expected_version=form.expected_version,
            ip=audit.client_ip(request),
        )

    def done(report: FigureReport) -> str:
        return _("Figures saved for %(month)s.") % {"month": f"{report.period:%Y-%m}"}

    return _handle(request, project, form, save, done, "figure_form", month=month)


@require_POST
def figures_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = _get(request, pk, "aftercare.record")
    form = FigureForm(request.POST, instance=FigureReport(project=project))
    return _save_figures(request, project, form, None)


@require_http_methods(["GET", "POST"])
def figures_edit(request: HttpRequest, pk: int, month: str) -> HttpResponse:
    period = _month(month)
    project = _get(request, pk, "aftercare.record")
    report = get_object_or_404(FigureReport, project=project, period=period)
    if request.method == "GET":
        return render_detail(request, pk, month=period)
    form = FigureForm(request.POST, instance=report)
    return _save_figures(request, project, form, period)


def figures_history(request: HttpRequest, pk: int, month: str) -> HttpResponse:
    project = _get(request, pk)
    report = get_object_or_404(FigureReport, project=project, period=_month(month))
    entries = AuditEntry.objects.filter(
        target_type=ContentType.objects.get_for_model(FigureReport),
        target_id=str(report.pk),
        verb="figures.record",
    ).order_by("-created_at", "-id")
    labels: dict[str, Any] = {name: Metric(name).label for name in METRICS}
    labels["note"] = _("note")
    rows = []
    for entry in entries:
        changes = [
            {"label": labels[name], "old": pair[0], "new": pair[1]}
            for name, pair in (entry.changes or {}).items()
            if name in labels and isinstance(pair, list) and len(pair) == 2
        ]
        rows.append({"entry": entry, "changes": changes, "source": entry.changes.get("source")})
    context = {
        "project": project,
        "label": rules.project_label(request.user, project),
        "report": report,
        "rows": rows,
        "named": sees_people(request.user),
    }
    return render(request, "aftercare/figure_history.html", context)


# -- subsidies and commitments ----------------------------------------------------------------


@require_POST
def subsidy_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = _get(request, pk, "aftercare.record")
    form = SubsidyForm(request.POST, instance=Subsidy(project=project))

    def save(data: dict[str, Any]) -> Subsidy:
        values = {k: data.get(k) for k in SubsidyForm.CREATE_FIELDS}
        return domain.save_subsidy(
            actor=request_user(request), project=project, values=values, ip=audit.client_ip(request)
        )

    return _handle(request, project, form, save, _("Subsidy application recorded."), "subsidy_form")


@require_POST
def subsidy_move(request: HttpRequest, pk: int, subsidy_id: int) -> HttpResponse:
    project = _get(request, pk, "aftercare.record")
    item = get_object_or_404(Subsidy, project=project, pk=subsidy_id)
    form = SubsidyForm(request.POST, instance=Subsidy.objects.get(pk=item.pk))

    def save(data: dict[str, Any]) -> Subsidy:
        return domain.save_subsidy(
            actor=request_user(request),
            project=project,
            values={k: data.get(k) for k in SubsidyForm.MOVE_FIELDS},
            subsidy=item,
            expected_version=form.expected_version,
            ip=audit.client_ip(request),
        )

    return _handle(request, project, form, save, _("Subsidy updated."), "subsidy_form")


@require_POST
def commitment_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = _get(request, pk, "aftercare.manage_commitments")
    form = CommitmentForm(request.POST, project=project, instance=Commitment(project=project))

    def save(data: dict[str, Any]) -> Commitment:
        return domain.add_commitment(
            actor=request_user(request),
            project=project,
            metric=data["metric"],
            amount=data["amount"],
            due_on=data["due_on"],
            agreement=data.get("agreement"),
            note=data.get("note") or "",
            ip=audit.client_ip(request),
        )

    return _handle(request, project, form, save, _("Commitment recorded."), "commitment_form")


@require_POST
def commitment_remove(request: HttpRequest, pk: int, commitment_id: int) -> HttpResponse:
    project = _get(request, pk, "aftercare.manage_commitments")
    item = get_object_or_404(Commitment, project=project, pk=commitment_id)
    domain.remove_commitment(
        actor=request_user(request), commitment=item, ip=audit.client_ip(request)
    )
    messages.success(request, _("Commitment removed."))
    return redirect("aftercare:project", pk=pk)


# -- stalled projects --------------------------------------------------------------------------


def stalled_list(request: HttpRequest) -> HttpResponse:
    """Staff: every stalled project ("mine": those they follow); a park member: its own
    park's; a viewer: every landed one, by registered company."""
    user = request.user
    projects = rules.watched_by(user, stalls.followed(rules.landed_projects_visible_to(user)))
    show_mine = bool(rules.follows_projects(user))
    form = StalledFilter(request.GET or None, projects=projects, show_mine=show_mine)
    if form.is_valid():
        if form.cleaned_data.get("park"):
            projects = projects.filter(landing__park=form.cleaned_data["park"])
        if form.cleaned_data.get("mine"):
            projects = projects.filter(staff=user.pk)
    found = stalls.stalled(projects)
    shown = projects.filter(pk__in=list(found)).select_related("landing", "landing__park", "staff")
    visible = rules.visible_project_ids(user, shown)
    rows = [
        {
            "project": p,
            "label": rules.project_label(user, p, visible),
            "park": p.landing.park,
            "stall": found[p.pk],
        }
        for p in shown.order_by("landing__park_id", "pk")
    ]
    context = {"form": form, "rows": rows}
    template = "aftercare/_stalled_rows.html" if is_htmx(request) else "aftercare/stalled.html"
    return render(request, template, context)
