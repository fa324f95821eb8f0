"""Choices of reward distributions: where a distribution stands, and the role of each line."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DistributionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    ON_NOTICE = "on_notice", _("On public notice")
    FINAL = "final", _("Final")
    PAID = "paid", pgettext_lazy("reward distribution", "Paid")


# Approved or later: the split stands (the report counts these).
SETTLED_STATES = (
    DistributionState.APPROVED,
    DistributionState.ON_NOTICE,
    DistributionState.FINAL,
    DistributionState.PAID,
)
# After the notice: what payroll pays.
PAYABLE_STATES = (DistributionState.FINAL, DistributionState.PAID)


class LineRole(models.TextChoices):
    INSTITUTION = "institution", _("Institution")
    DEPARTMENT = "department", _("Department")
    MAIN = "main", _("Main contributor")
    CONTRIBUTOR = "contributor", _("Other contributor")


PERSON_ROLES = (LineRole.MAIN, LineRole.CONTRIBUTOR)

# Basis points: 10,000 bp is 100 %.
WHOLE_BP = 10_000
# The policy floor of the health sector: at least half to the team, and at least half of
# the team's part to its main contributors.
FLOOR_BP = 5_000
