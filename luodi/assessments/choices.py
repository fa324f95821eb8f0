"""Vocabularies of assessments: where an assessment stands, how reviewers see each other,
where one reviewer stands, and the readiness levels of a summary."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    """open (reviewers declare and score) → closed (no more scores) → summarised (staff
    wrote the result, which the achievement page and matchmaking then show)."""

    OPEN = "open", _("Open for review")
    CLOSED = "closed", _("Closed")
    SUMMARISED = "summarised", _("Summarised")


class Mode(models.TextChoices):
    BLIND = "blind", _("Blind (reviewers do not see each other)")
    OPEN = "open", _("Open (reviewers see each other after scoring)")


class ReviewerState(models.TextChoices):
    """Derived from an invitation's dates (models.Invitation.state), never stored."""

    INVITED = "invited", _("Invited")
    CONFLICT = "conflict", _("Conflict declared")
    DECLARED = "declared", _("No conflict; scoring")
    SUBMITTED = "submitted", _("Scores submitted")
    REVOKED = "revoked", _("Withdrawn")


# Technology readiness levels (技术就绪水平, TRL 1–9, GB/T 22900-2022's scale), the
# readiness a summary states.
READINESS: list[tuple[int, Any]] = [
    (1, _("TRL 1 · basic principles observed")),
    (2, _("TRL 2 · concept formulated")),
    (3, _("TRL 3 · proof of concept")),
    (4, _("TRL 4 · validated in the laboratory")),
    (5, _("TRL 5 · validated in a relevant environment")),
    (6, _("TRL 6 · prototype demonstrated")),
    (7, _("TRL 7 · pilot or clinical demonstration")),
    (8, _("TRL 8 · system complete and qualified")),
    (9, _("TRL 9 · proven in routine use")),
]
READINESS_LABELS = dict(READINESS)
