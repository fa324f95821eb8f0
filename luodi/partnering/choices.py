from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    PENDING = "pending", _("Accepted by one side")
    BOOKED = "booked", _("Booked")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("No-show")
    HELD = "held", _("Held")


class Origin(models.TextChoices):
    ENGINE = "engine", _("Proposed by Luodi")
    PARTICIPANT = "participant", _("Requested by a participant")
    ORGANISER = "organiser", _("Scheduled by the organisers")


class Outcome(models.TextChoices):
    NONE = "", _("Not recorded")
    FOLLOW_UP = "follow_up", _("Follow-up agreed")
    NO_FIT = "no_fit", _("No fit")
    DEAL = "deal", _("Deal in preparation")


S = MeetingState
# States in which a meeting holds its slot and table.
OCCUPYING = (S.BOOKED, S.HELD, S.NO_SHOW)
# States still waiting for an answer.
OPEN = (S.PROPOSED, S.PENDING)
TRANSITIONS: dict[str, set[str]] = {
    S.PROPOSED: {S.PENDING, S.BOOKED, S.DECLINED, S.CANCELLED},
    S.PENDING: {S.PENDING, S.BOOKED, S.DECLINED, S.CANCELLED},
    S.BOOKED: {S.CANCELLED, S.HELD, S.NO_SHOW},
    S.DECLINED: set(),
    S.CANCELLED: set(),
    S.HELD: {S.HELD},
    S.NO_SHOW: set(),
}
