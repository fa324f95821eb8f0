"""Choices of the call for abstracts."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AbstractStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Under review")
    ORAL = "oral", _("Accepted: oral presentation")
    POSTER = "poster", _("Accepted: poster")
    REJECTED = "rejected", _("Not accepted")


ACCEPTED = (AbstractStatus.ORAL, AbstractStatus.POSTER)


class Preference(models.TextChoices):
    ORAL = "oral", _("Oral presentation")
    POSTER = "poster", _("Poster")
    EITHER = "either", _("Either")


class Decision(models.TextChoices):
    ORAL = "oral", _("Accept as oral presentation")
    POSTER = "poster", _("Accept as poster")
    REJECTED = "rejected", _("Reject")
