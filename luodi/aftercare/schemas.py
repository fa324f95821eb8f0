"""API schemas of the follow-through after landing (input bounded at the edge, output as
plain records). No output names a project by its title: `label` is `rules.project_label`."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field

from luodi.aftercare.choices import Metric, SubsidyKind, SubsidyStatus
from luodi.aftercare.models import Milestone
from luodi.control_chars import InputSchema

# Amounts in 10k CNY as the models store them (14 digits, 2 after the point); counts fit
# a PositiveIntegerField everywhere.
MAX_WAN = Decimal("999999999999.99")
MAX_COUNT = 2_147_483_647


def _wan(description: str = "") -> Any:
    return Field(
        None, ge=0, le=MAX_WAN, max_digits=14, decimal_places=2, description=description or None
    )


def _count() -> Any:
    return Field(None, ge=0, le=MAX_COUNT)


VERSION_HELP = "The version you loaded (or send If-Match); a change saved meanwhile is a 409."


# -- projects -------------------------------------------------------------------------------


class MilestoneRef(Schema):
    kind: str
    label: str
    on: date | None = Field(description="Achieved on (latest) or planned for (next).")


class StallReasonOut(Schema):
    code: str = Field(description="milestone_overdue, capital_lag or no_contact.")
    message: str


class FollowedProjectOut(Schema):
    id: int
    label: str = Field(
        description="The project's title for those who see the project, else its registered "
        "company (a viewer never reads the title)."
    )
    park_id: int | None
    park: str
    stage: str
    latest_milestone: MilestoneRef | None
    next_milestone: MilestoneRef | None
    stalled: list[StallReasonOut]


class StalledOut(Schema):
    project_id: int
    label: str
    park_id: int | None
    park: str
    reasons: list[StallReasonOut]


# -- milestones -----------------------------------------------------------------------------


class MilestoneOut(Schema):
    kind: str
    label: str
    position: int
    planned_on: date | None
    actual_on: date | None
    note: str
    visit_id: int | None
    evidence_name: str
    warnings: list[str] = Field(description="Gate warnings acknowledged when it was recorded.")
    overdue: bool
    lag_days: int | None
    updated_at: datetime
    version: int

    @staticmethod
    def resolve_label(obj: Milestone) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_overdue(obj: Milestone) -> bool:
        return obj.is_overdue


class MilestoneIn(InputSchema):
    """Plans (`planned_on`) or records (`actual_on`) the milestone; the fields not sent are
    cleared, as in the form."""

    planned_on: date | None = None
    actual_on: date | None = Field(None, description="Not in the future.")
    note: str = Field("", max_length=5000)
    visit_id: int | None = Field(None, description="The visit that saw it (evidence).")
    credit_code: str = Field(
        "", max_length=18, description="Company registered: its unified social credit code."
    )
    confirm_warnings: bool = Field(
        False, description="Record it although prerequisites are missing (else a 409)."
    )
    version: int | None = Field(None, description=VERSION_HELP)


# -- figures --------------------------------------------------------------------------------


class FiguresOut(Schema):
    month: str = Field(description="YYYY-MM")
    capital_wan: Decimal | None
    output_wan: Decimal | None
    tax_wan: Decimal | None
    rnd_wan: Decimal | None
    patents: int | None
    jobs: int | None
    area_m2: int | None
    note: str
    updated_at: datetime
    version: int

    @staticmethod
    def resolve_month(obj: Any) -> str:
        return f"{obj.period:%Y-%m}"


class FiguresIn(InputSchema):
    """The month's figures: only those sent change (null clears one). Flows (capital,
    output, tax, R&D, patents) are the month's; jobs and floor area its end's."""

    capital_wan: Decimal | None = _wan(str(Metric.CAPITAL.label))
    output_wan: Decimal | None = _wan(str(Metric.OUTPUT.label))
    tax_wan: Decimal | None = _wan(str(Metric.TAX.label))
    rnd_wan: Decimal | None = _wan(str(Metric.RND.label))
    patents: int | None = _count()
    jobs: int | None = _count()
    area_m2: int | None = _count()
    note: str | None = Field(None, max_length=500)
    version: int | None = Field(None, description=VERSION_HELP)


class FigureChangeOut(Schema):
    at: datetime
    by: str
    source: str = Field(description="form, api or import")
    changes: dict[str, list[Any]] = Field(description="{figure: [old, new]}")


# -- commitments ----------------------------------------------------------------------------


class CommitmentOut(Schema):
    id: int
    metric: str
    amount: Decimal
    due_on: date
    note: str
    agreement_id: int | None
    actual: Decimal = Field(description="Flows summed up to the date, stocks at the date.")
    shortfall: Decimal = Field(description="How far the actual is below the commitment.")
    overdue: bool = Field(description="The date has passed short of the commitment.")


class CommitmentIn(InputSchema):
    metric: Metric
    amount: Decimal = Field(gt=0, le=MAX_WAN, max_digits=14, decimal_places=2)
    due_on: date
    agreement_id: int | None = None
    note: str = Field("", max_length=500)


# -- subsidies ------------------------------------------------------------------------------


class SubsidyOut(Schema):
    id: int
    project_id: int
    kind: str
    policy: str
    granted_by_id: int | None
    status: str
    applied_on: date
    amount_applied_wan: Decimal
    approved_on: date | None
    amount_approved_wan: Decimal | None
    paid_on: date | None
    amount_paid_wan: Decimal | None
    note: str
    updated_at: datetime
    version: int


class SubsidyIn(InputSchema):
    kind: SubsidyKind
    policy: str = Field(min_length=1, max_length=200)
    granted_by_id: int | None = None
    status: SubsidyStatus = SubsidyStatus.APPLIED
    applied_on: date | None = Field(None, description="Default: today.")
    amount_applied_wan: Decimal = Field(ge=0, le=MAX_WAN, max_digits=14, decimal_places=2)
    approved_on: date | None = None
    amount_approved_wan: Decimal | None = _wan()
    paid_on: date | None = None
    amount_paid_wan: Decimal | None = _wan()
    note: str = Field("", max_length=500)


class SubsidyPatch(InputSchema):
    """Only the fields sent change; a status moves on as the status table allows."""

    kind: SubsidyKind | None = None
    policy: str | None = Field(None, min_length=1, max_length=200)
    granted_by_id: int | None = None
    status: SubsidyStatus | None = None
    applied_on: date | None = None
    amount_applied_wan: Decimal | None = _wan()
    approved_on: date | None = None
    amount_approved_wan: Decimal | None = _wan()
    paid_on: date | None = None
    amount_paid_wan: Decimal | None = _wan()
    note: str | None = Field(None, max_length=500)
    version: int | None = Field(None, description=VERSION_HELP)
