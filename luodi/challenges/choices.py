"""Choices of challenges and proposals: who may see a challenge, where it stands, where a
proposal stands in the review, and the technology readiness levels a proposal states."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public: anyone may read it and submit a proposal")
    INVITED = "invited", _("Invited: only invited organizations may submit")


class ChallengeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for proposals")
    CLOSED = "closed", _("Closed, under review")
    AWARDED = "awarded", _("Awarded")
    CANCELLED = "cancelled", _("Cancelled")


# Statuses in which others than its managers see a challenge.
LISTED = (ChallengeStatus.OPEN, ChallengeStatus.CLOSED, ChallengeStatus.AWARDED)

C = ChallengeStatus
CHALLENGE_TRANSITIONS: dict[str, set[str]] = {
    C.DRAFT: {C.OPEN, C.CANCELLED},
    C.OPEN: {C.CLOSED, C.CANCELLED},
    C.CLOSED: {C.OPEN, C.CANCELLED},
    C.AWARDED: set(),
    C.CANCELLED: set(),
}


class Stage(models.TextChoices):
    SCREEN = "screen", _("Screening")
    ASSESS = "assess", _("Assessment")
    FINALIST = "finalist", _("Finalist")
    AWARDED = "awarded", _("Awarded")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = Stage
# Moves a reviewer team makes (award and withdrawal have their own functions).
STAGE_TRANSITIONS: dict[str, set[str]] = {
    S.SCREEN: {S.ASSESS, S.DECLINED},
    S.ASSESS: {S.FINALIST, S.SCREEN, S.DECLINED},
    S.FINALIST: {S.ASSESS, S.DECLINED},
    S.DECLINED: {S.SCREEN},
    S.AWARDED: set(),
    S.WITHDRAWN: set(),
}
# Stages in which reviewers score a proposal.
SCORED = (S.SCREEN, S.ASSESS, S.FINALIST)
# Stages an applicant may still withdraw from.
WITHDRAWABLE = (S.SCREEN, S.ASSESS, S.FINALIST, S.DECLINED)


class Readiness(models.IntegerChoices):
    TRL1 = 1, _("TRL 1 – basic principles observed")
    TRL2 = 2, _("TRL 2 – concept formulated")
    TRL3 = 3, _("TRL 3 – proof of concept")
    TRL4 = 4, _("TRL 4 – validated in the laboratory")
    TRL5 = 5, _("TRL 5 – validated in a relevant environment")
    TRL6 = 6, _("TRL 6 – demonstrated in a relevant environment")
    TRL7 = 7, _("TRL 7 – prototype demonstrated in operation")
    TRL8 = 8, _("TRL 8 – system complete and qualified")
    TRL9 = 9, _("TRL 9 – proven in operation")
