"""Writes of the follow-through after landing. Each is one transaction and one audit entry;
`actor` is keyword-only and explicit. Permission checks are the callers' (rules.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.aftercare.choices import (
    FLOW_METRICS,
    METRICS,
    MILESTONE_ORDER,
    MONEY_METRICS,
    SUBSIDY_TRANSITIONS,
    MilestoneKind,
    SubsidyStatus,
)
from luodi.aftercare.models import Commitment, FigureReport, Milestone, Subsidy, month_start
from luodi.concurrency import claim
from luodi.engagements.models import Visit
from luodi.pipeline.choices import ProjectStage
from luodi.pipeline.domain.projects import GateWarnings, move_project
from luodi.pipeline.models import LandingRecord, Project
from luodi.pipeline.uploads import check_upload
from luodi.pipeline.validators import validate_uscc

CENT = Decimal("0.01")
# Below the columns' 14 digits (12 before the point), for money and counts alike.
LIMIT = Decimal(10) ** 12
COUNT_LIMIT = Decimal(2**31)  # PostgreSQL's integer
# Reaching one of these moves a landed project on to "in production" on the board.
PRODUCING = (MilestoneKind.PRODUCTION, MilestoneKind.FULL_CAPACITY)

__all__ = ["GateWarnings"]


def kind_label(kind: str) -> str:
    return str(MilestoneKind(kind).label)


def milestone_warnings(
    project: Project, kind: str, milestone: Milestone, uploading: bool = False
) -> list[str]:
    """What recording `kind` as achieved usually needs first. They warn, they do not
    refuse (a company may fit out before its lease is filed): the person confirms."""
    out: list[str] = []
    done = set(
        Milestone.objects.filter(project=project, actual_on__isnull=False).values_list(
            "kind", flat=True
        )
    )
    earlier = MILESTONE_ORDER[: MILESTONE_ORDER.index(kind)]
    missing = [kind_label(k) for k in earlier if k not in done]
    if missing:
        out.append(
            _("Earlier milestones have no date yet: %(list)s.") % {"list": "、".join(missing)}
        )
    if not uploading and not milestone.evidence and milestone.visit_id is None:
        out.append(_("No evidence is attached: a document, a photo or the visit that saw it."))
    return out


@transaction.atomic
def set_milestone(
    *,
    actor: User,
    project: Project,
    kind: str,
    planned_on: date | None = None,
    actual_on: date | None = None,
    note: str = "",
    visit: Visit | None = None,
    evidence: UploadedFile | None = None,
    credit_code: str = "",
    confirm_warnings: bool = False,
    expected_version: int | None = None,
    is_demo: bool = False,
    ip: str | None = None,
) -> Milestone:
    """Plan or record one milestone of a landed project. Raises ValidationError (nothing
    written) for a date in the future or a registration without a valid credit code, and
    GateWarnings when recording it achieved skips prerequisites and `confirm_warnings` is
    false. Reaching production moves a landed project to "in production"."""
    if kind not in MILESTONE_ORDER:
        raise ValidationError({"kind": [_("Unknown milestone.")]})
    landing = LandingRecord.objects.filter(project=project).first()
    if landing is None:
        raise ValidationError(_("Record the landing first: milestones follow it."))
    if actual_on is not None and actual_on > timezone.localdate():
        raise ValidationError({"actual_on": [_("A milestone cannot be achieved in the future.")]})
    milestone = Milestone.objects.select_for_update().filter(project=project, kind=kind).first()
    created = milestone is None
    if milestone is None:
        milestone = Milestone(project=project, kind=kind, is_demo=is_demo)
    else:  # every change moves the version on, so a form opened before it conflicts
        claim(milestone, expected_version)
    before = {f: getattr(milestone, f) for f in ("planned_on", "actual_on", "note", "visit_id")}
    milestone.planned_on, milestone.actual_on = planned_on, actual_on
    milestone.note, milestone.visit = note.strip(), visit
    evidence_type = check_upload(evidence) if evidence is not None else ""
    if kind == MilestoneKind.REGISTERED and actual_on is not None:
        code = credit_code.strip().upper() or landing.credit_code
        if not code:
            raise ValidationError(
                {"credit_code": [_("Give the company's unified social credit code.")]}
            )
        try:
            validate_uscc(code)
        except ValidationError as exc:
            raise ValidationError({"credit_code": exc.messages}) from None
        if code != landing.credit_code or landing.registered_on != actual_on:
            landing.credit_code, landing.registered_on = code, actual_on
            landing.save(update_fields=["credit_code", "registered_on", "updated_at"])
    warnings = (
        milestone_warnings(project, kind, milestone, evidence is not None)
        if actual_on is not None
        else []
    )
    if warnings and not confirm_warnings:
        raise GateWarnings(warnings)
    # Stored only once every check has passed: a refused form leaves no orphan file.
    if evidence is not None:
        milestone.evidence_type = evidence_type
        milestone.evidence_name = (evidence.name or "")[:255]
        milestone.evidence.save(evidence.name or "evidence", evidence, save=False)
    milestone.warnings, milestone.recorded_by = warnings, actor
    milestone.save()
    changes = audit.field_changes(before, milestone, list(before))
    audit.record(
        actor=actor,
        verb="milestone.create" if created else "milestone.update",
        target=milestone,
        changes={"project": project.pk, "kind": kind, **changes, "warnings": warnings},
        ip=ip,
    )
    if kind in PRODUCING and actual_on is not None and project.stage == ProjectStage.LANDED:
        move_project(
            actor=actor,
            project=project,
            to_stage=ProjectStage.IN_PRODUCTION,
            note=_("Milestone reached: %(name)s") % {"name": kind_label(kind)},
            confirm_warnings=True,
            ip=ip,
        )
    return milestone


@transaction.atomic
def attach_evidence(
    *,
    actor: User,
    milestone: Milestone,
    evidence: UploadedFile,
    expected_version: int | None = None,
    ip: str | None = None,
) -> Milestone:
    """Attach (or replace) a milestone's document or photo, its dates unchanged: evidence
    often arrives after the date was recorded from a phone call."""
    content_type = check_upload(evidence)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    claim(milestone, expected_version)
    milestone.evidence_type, milestone.evidence_name = content_type, (evidence.name or "")[:255]
    milestone.evidence.save(evidence.name or "evidence", evidence, save=False)
    milestone.save(update_fields=["evidence", "evidence_name", "evidence_type", "updated_at"])
    audit.record(
        actor=actor,
        verb="milestone.evidence",
        target=milestone,
        changes={"project": milestone.project_id, "file": milestone.evidence_name},
        ip=ip,
    )
    return milestone


# -- figures -----------------------------------------------------------------------------


def _clean_figures(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name in METRICS:
        if name not in values:
            continue
        value = values[name]
        if value is None or value == "":
            out[name] = None
            continue
        try:
            number = Decimal(str(value))
        except ArithmeticError:
            errors[name] = [_("Enter a number.")]
            continue
        if not number.is_finite():
            errors[name] = [_("Enter a number.")]
        elif number < 0:
            errors[name] = [_("A figure cannot be negative.")]
        elif number >= (LIMIT if name in MONEY_METRICS else COUNT_LIMIT):
            errors[name] = [_("This figure is too large.")]
        elif name not in MONEY_METRICS and number != number.to_integral_value():
            errors[name] = [_("Enter a whole number.")]
        else:
            out[name] = number.quantize(CENT) if name in MONEY_METRICS else int(number)
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def record_figures(
    *,
    actor: User | None,
    project: Project,
    period: date,
    values: dict[str, Any],
    note: str | None = None,
    expected_version: int | None = None,
    source: str = "form",
    is_demo: bool = False,
    ip: str | None = None,
) -> FigureReport:
    """Set a landed project's figures for the month of `period` (creates the month's row or
    changes only the figures given). Each change is kept in the audit trail with its old
    and new value: that trail is the figure's history."""
    if not LandingRecord.objects.filter(project=project).exists():
        raise ValidationError(_("Figures are reported for landed projects only."))
    period = month_start(period)
    if period > month_start(timezone.localdate()):
        raise ValidationError({"period": [_("This month has not begun yet.")]})
    clean = _clean_figures(values)
    report = FigureReport.objects.select_for_update().filter(project=project, period=period).first()
    created = report is None
    if report is None:
        report = FigureReport(project=project, period=period, is_demo=is_demo)
    elif expected_version is not None:
        claim(report, expected_version)
    fields = [*clean, *(["note"] if note is not None else [])]
    before = {f: getattr(report, f) for f in fields}
    for name, value in clean.items():
        setattr(report, name, value)
    if note is not None:
        report.note = note.strip()
    changes = audit.field_changes(before, report, fields)
    if not created and not changes:
        return report
    if not created and expected_version is None:
        claim(report, None)
    report.entered_by = actor if actor is not None and actor.pk else None
    report.save()
    audit.record(
        actor=actor,
        verb="figures.record",
        target=report,
        changes={"project": project.pk, "period": period.isoformat(), "source": source, **changes},
        ip=ip,
        actor_label="" if actor is not None else source,
    )
    return report


def actual_by(project_id: int, metric: str, day: date) -> Decimal:
    """The actual figure at `day`: flows summed over the months up to it, stocks the latest
    month's value."""
    rows = FigureReport.objects.filter(
        project_id=project_id, period__lte=month_start(day), **{f"{metric}__isnull": False}
    )
    if metric in FLOW_METRICS:
        total = rows.aggregate(total=Sum(metric))["total"]
        return Decimal(total or 0)
    latest = rows.order_by("-period").values_list(metric, flat=True).first()
    return Decimal(latest or 0)


def standing(commitment: Commitment, day: date) -> tuple[Decimal, Decimal]:
    """The actual figure at `day` against a commitment, and how far below it (0 when met)."""
    actual = actual_by(commitment.project_id, commitment.metric, day)
    return actual, max(Decimal(0), commitment.amount - actual)


# -- commitments ---------------------------------------------------------------------------


@transaction.atomic
def add_commitment(
    *,
    actor: User,
    project: Project,
    metric: str,
    amount: Decimal,
    due_on: date,
    agreement: Any = None,
    note: str = "",
    is_demo: bool = False,
    ip: str | None = None,
) -> Commitment:
    if agreement is not None and agreement.project_id != project.pk:
        raise ValidationError({"agreement": [_("Choose an agreement of this project.")]})
    item = Commitment(
        project=project,
        metric=metric,
        amount=amount,
        due_on=due_on,
        agreement=agreement,
        note=note.strip(),
        is_demo=is_demo,
    )
    item.full_clean(exclude=["shortfall_task"])
    item.save()
    audit.record(
        actor=actor,
        verb="commitment.add",
        target=item,
        changes={"project": project.pk, "metric": metric, "amount": str(amount)},
        ip=ip,
    )
    return item


@transaction.atomic
def remove_commitment(*, actor: User, commitment: Commitment, ip: str | None = None) -> None:
    audit.record(
        actor=actor,
        verb="commitment.remove",
        target=commitment,
        changes={"project": commitment.project_id, "metric": commitment.metric},
        ip=ip,
    )
    commitment.delete()


# -- subsidies ---------------------------------------------------------------------------

SUBSIDY_FIELDS = [
    "kind",
    "policy",
    "granted_by",
    "status",
    "applied_on",
    "amount_applied_wan",
    "approved_on",
    "amount_approved_wan",
    "paid_on",
    "amount_paid_wan",
    "note",
]


def _check_subsidy(item: Subsidy, old_status: str | None) -> None:
    errors: dict[str, list[str]] = {}
    if (
        old_status is not None
        and item.status != old_status
        and item.status not in SUBSIDY_TRANSITIONS[old_status]
    ):
        errors["status"] = [
            _('A subsidy cannot go from "%(from)s" to "%(to)s".')
            % {"from": SubsidyStatus(old_status).label, "to": SubsidyStatus(item.status).label}
        ]
    if item.status in (SubsidyStatus.APPROVED, SubsidyStatus.PAID):
        if item.approved_on is None:
            errors["approved_on"] = [_("Give the date it was approved.")]
        if item.amount_approved_wan is None:
            errors["amount_approved_wan"] = [_("Give the amount approved.")]
    if item.status == SubsidyStatus.PAID:
        if item.paid_on is None:
            errors["paid_on"] = [_("Give the date it was paid.")]
        if item.amount_paid_wan is None:
            errors["amount_paid_wan"] = [_("Give the amount paid.")]
    approved, paid = item.amount_approved_wan, item.amount_paid_wan
    if approved is not None and paid is not None and paid > approved:
        errors["amount_paid_wan"] = [_("More cannot be paid than was approved.")]
    for name in ("amount_applied_wan", "amount_approved_wan", "amount_paid_wan"):
        value = getattr(item, name)
        if value is not None and value < 0:
            errors[name] = [_("An amount cannot be negative.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_subsidy(
    *,
    actor: User,
    project: Project,
    values: dict[str, Any],
    subsidy: Subsidy | None = None,
    expected_version: int | None = None,
    is_demo: bool = False,
    ip: str | None = None,
) -> Subsidy:
    """Record a subsidy application, or move one on (approved, paid, rejected) under the
    status table; amounts and dates each status needs are required."""
    created = subsidy is None
    item = subsidy or Subsidy(project=project, is_demo=is_demo)
    old_status = None if created else Subsidy.objects.get(pk=item.pk).status
    if not created:
        claim(item, expected_version)
    before = {f: getattr(item, f) for f in SUBSIDY_FIELDS}
    for name in SUBSIDY_FIELDS:
        if name in values:
            setattr(item, name, values[name])
    if created:
        item.status = values.get("status") or SubsidyStatus.APPLIED
        old_status = SubsidyStatus.APPLIED if item.status == SubsidyStatus.APPLIED else None
    item.full_clean()
    _check_subsidy(item, old_status)
    item.save()
    audit.record(
        actor=actor,
        verb="subsidy.create" if created else "subsidy.update",
        target=item,
        changes={"project": project.pk, **audit.field_changes(before, item, SUBSIDY_FIELDS)},
        ip=ip,
    )
    return item
