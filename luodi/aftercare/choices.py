"""Vocabularies of the follow-through after landing: the milestone path, the figures a park
reports, and policy subsidies."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MilestoneKind(models.TextChoices):
    """注册 → 租约 → 开工 → 装修 → 试产 → 投产 → 达产, in this order."""

    REGISTERED = "registered", _("Company registered")
    LEASE_SIGNED = "lease_signed", _("Lease signed")
    CONSTRUCTION = "construction", _("Construction started")
    FITOUT = "fitout", _("Fit-out done")
    TRIAL_PRODUCTION = "trial_production", _("Trial production")
    PRODUCTION = "production", _("In production")
    FULL_CAPACITY = "full_capacity", _("Full capacity")


MILESTONE_ORDER: list[str] = [k.value for k in MilestoneKind]


def milestone_index(kind: str) -> int:
    return MILESTONE_ORDER.index(kind)


class Metric(models.TextChoices):
    """A figure reported per period. Flows add up over periods; stocks are read at the
    latest period (jobs on the payroll, floor area in use)."""

    CAPITAL = "capital_wan", _("Capital arrived (10k CNY)")
    OUTPUT = "output_wan", _("Output (10k CNY)")
    TAX = "tax_wan", _("Tax paid (10k CNY)")
    RND = "rnd_wan", _("R&D spend (10k CNY)")
    PATENTS = "patents", _("Patents filed")
    JOBS = "jobs", _("Jobs")
    AREA = "area_m2", _("Floor area used (m²)")


FLOW_METRICS: tuple[str, ...] = (
    Metric.CAPITAL,
    Metric.OUTPUT,
    Metric.TAX,
    Metric.RND,
    Metric.PATENTS,
)
STOCK_METRICS: tuple[str, ...] = (Metric.JOBS, Metric.AREA)
# Amounts in 10k CNY, with cents; the others are counts or square metres.
MONEY_METRICS: tuple[str, ...] = (Metric.CAPITAL, Metric.OUTPUT, Metric.TAX, Metric.RND)
METRICS: tuple[str, ...] = (*FLOW_METRICS, *STOCK_METRICS)


class SubsidyKind(models.TextChoices):
    RENT = "rent", _("Rent subsidy")
    GRANT = "grant", _("Project grant")
    TALENT = "talent", _("Talent award")
    EQUIPMENT = "equipment", _("Equipment subsidy")
    OTHER = "other", _("Other policy support")


class SubsidyStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid out")
    REJECTED = "rejected", _("Rejected")


# Which status may follow which (the same rule for the form, the API and the import).
SUBSIDY_TRANSITIONS: dict[str, tuple[str, ...]] = {
    SubsidyStatus.APPLIED: (SubsidyStatus.APPROVED, SubsidyStatus.REJECTED),
    SubsidyStatus.APPROVED: (SubsidyStatus.PAID,),
    SubsidyStatus.PAID: (),
    SubsidyStatus.REJECTED: (),
}

# One mu (亩) in square metres: output and tax per mu is how parks are ranked (亩均效益).
M2_PER_MU = 2000 / 3
