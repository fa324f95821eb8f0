"""Vocabularies of patents: the office, the type of right, legal status, fee reductions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Office(models.TextChoices):
    CNIPA = "cnipa", _("CNIPA (China)")
    PCT = "pct", _("PCT (international application)")
    EPO = "epo", _("EPO (Europe)")
    USPTO = "uspto", _("USPTO (United States)")
    JPO = "jpo", _("JPO (Japan)")
    OTHER = "other", _("Other office")


class PatentType(models.TextChoices):
    INVENTION = "invention", _("Invention")
    UTILITY_MODEL = "utility_model", _("Utility model")
    DESIGN = "design", _("Design")


class LegalStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    GRANTED = "granted", _("Granted (in force)")
    LAPSED = "lapsed", _("Lapsed (fee not paid)")
    EXPIRED = "expired", _("Expired (end of term)")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REJECTED = "rejected", _("Rejected")


# A granted right is kept alive by its annual fees; the other states owe none.
IN_FORCE = (LegalStatus.GRANTED,)


class Reduction(models.IntegerChoices):
    """CNIPA annual-fee reductions (专利收费减缴): 85 % for a single qualifying owner
    (an individual, a small enterprise, a university or a public institution), 70 % for two
    or more; for the annual fees of the first ten years counted from the year of grant."""

    NONE = 0, _("No reduction")
    JOINT = 70, _("70 % (two or more qualifying owners)")
    SINGLE = 85, _("85 % (one qualifying owner)")


class FeeState(models.TextChoices):
    """Where one year's annual fee stands on a given day."""

    PAID = "paid", _("Paid")
    UPCOMING = "upcoming", _("Upcoming")
    DUE = "due", _("Due soon")
    GRACE = "grace", _("Overdue (grace period, late fee)")
    MISSED = "missed", _("Missed (the right has lapsed)")
