"""Choices of grants (赋权): what is granted, where a grant stands, the evidence documents,
and the one transition table every page, API call and the demo ask."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class GrantKind(models.TextChoices):
    OWNERSHIP = "ownership", _("Ownership share")
    USE_RIGHT = "use_right", _("Long-term use right")


class GrantStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ON_NOTICE = "on_notice", _("On public notice")
    GRANTED = "granted", _("Granted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class GrantAction(models.TextChoices):
    START_NOTICE = "start_notice", _("Start the public notice")
    GRANT = "grant", _("Grant")
    WITHDRAW = "withdraw", _("Withdraw")


# (from, action) → to. A move not listed is refused.
TRANSITIONS: dict[tuple[str, str], str] = {
    (GrantStatus.DRAFT, GrantAction.START_NOTICE): GrantStatus.ON_NOTICE,
    (GrantStatus.ON_NOTICE, GrantAction.GRANT): GrantStatus.GRANTED,
    (GrantStatus.DRAFT, GrantAction.WITHDRAW): GrantStatus.WITHDRAWN,
    (GrantStatus.ON_NOTICE, GrantAction.WITHDRAW): GrantStatus.WITHDRAWN,
}


class GrantDocumentType(models.TextChoices):
    VALUATION = "valuation", _("Valuation report")
    MINUTES = "minutes", _("Decision minutes")
    NOTICE = "notice", _("Public notice record")
    AGREEMENT = "agreement", _("Team agreement")
    OTHER = "other", _("Other document")
