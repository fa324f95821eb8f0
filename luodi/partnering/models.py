"""Partnering at an event: the session (slot length, time windows, tables), the participants
(a user for an organization, with what they offer and seek), the slots each is free in, and
the one-to-one meetings between two participants.

No double booking is left to the code alone: a `SlotClaim` row per person and booked slot is
unique on (participant, slot), and a booked meeting's table is unique on (session, slot,
table) while it occupies it, so two concurrent bookings cannot both commit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from luodi.partnering.choices import OCCUPYING, MeetingState, Origin, Outcome

_USER = settings.AUTH_USER_MODEL


class PartneringSession(models.Model):
    event = models.OneToOneField(
        "engagements.Event",
        on_delete=models.CASCADE,
        related_name="partnering",
        verbose_name=_("event"),
    )
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"), default=20)
    tables = models.PositiveSmallIntegerField(_("tables"), default=10)
    table_prefix = models.CharField(_("table label"), max_length=20, default="T")
    is_open = models.BooleanField(_("open for requests"), default=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("partnering session")
        verbose_name_plural = _("partnering sessions")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(slot_minutes__gte=5), name="partnering_slot_min_5"
            ),
            models.CheckConstraint(condition=models.Q(tables__gte=1), name="partnering_tables_1"),
        ]

    def __str__(self) -> str:
        return str(self.event)

    def slots(self) -> list[datetime]:
        """Every slot start of every window, in order."""
        step = timedelta(minutes=self.slot_minutes)
        out: list[datetime] = []
        for w in self.windows.all():
            t = w.starts_at
            while t + step <= w.ends_at:
                out.append(t)
                t += step
        return sorted(set(out))

    def table_label(self, table: int | None) -> str:
        return f"{self.table_prefix}{table}" if table else ""


class Window(models.Model):
    """A stretch of time in which meetings are held (e.g. 14:00–17:00 on day one)."""

    session = models.ForeignKey(PartneringSession, on_delete=models.CASCADE, related_name="windows")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))

    class Meta:
        verbose_name = _("meeting window")
        verbose_name_plural = _("meeting windows")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="partnering_window_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M}"


class Participant(models.Model):
    session = models.ForeignKey(
        PartneringSession, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(_USER, on_delete=models.CASCADE, related_name="partnering")
    organization = models.ForeignKey(
        "catalog.Organization",
        on_delete=models.CASCADE,
        related_name="partnering",
        verbose_name=_("organization"),
    )
    offer = models.TextField(_("what we offer"), blank=True)
    seek = models.TextField(_("what we seek"), blank=True)
    is_published = models.BooleanField(_("listed for other participants"), default=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("partnering participant")
        verbose_name_plural = _("partnering participants")
        ordering = ["organization__name_zh", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="partnering_one_seat_each")
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.user}"


class Availability(models.Model):
    """A slot the participant is free for meetings in."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="availability"
    )
    starts_at = models.DateTimeField(_("slot"))

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "starts_at"], name="partnering_availability_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}@{self.starts_at:%H:%M}"


class Meeting(models.Model):
    session = models.ForeignKey(
        PartneringSession, on_delete=models.CASCADE, related_name="meetings"
    )
    a = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="meetings_as_a", verbose_name=_("from")
    )
    b = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="meetings_as_b", verbose_name=_("with")
    )
    origin = models.CharField(_("origin"), max_length=12, choices=Origin.choices)
    state = models.CharField(
        _("state"), max_length=12, choices=MeetingState.choices, default=MeetingState.PROPOSED
    )
    a_accepted = models.BooleanField(default=False)
    b_accepted = models.BooleanField(default=False)
    starts_at = models.DateTimeField(_("slot"), null=True, blank=True)
    table = models.PositiveSmallIntegerField(_("table"), null=True, blank=True)
    message = models.TextField(_("message"), blank=True)
    score = models.DecimalField(_("match score"), max_digits=6, decimal_places=3, default=0)
    reasons = models.JSONField(_("why"), default=list, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, default="", blank=True
    )
    outcome_note = models.TextField(_("outcome note"), blank=True)
    no_show_of = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    match_record = models.ForeignKey(
        "matchmaking.MatchRecord",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    project = models.ForeignKey(
        "pipeline.Project", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("one-to-one meeting")
        verbose_name_plural = _("one-to-one meetings")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(a=models.F("b")), name="partnering_meeting_two_sides"
            ),
            models.UniqueConstraint(
                fields=["session", "starts_at", "table"],
                condition=models.Q(state__in=OCCUPYING),
                name="partnering_one_meeting_per_table",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.a.organization} ↔ {self.b.organization}"

    @property
    def ends_at(self) -> datetime | None:
        if self.starts_at is None:
            return None
        return self.starts_at + timedelta(minutes=self.session.slot_minutes)

    @property
    def table_label(self) -> str:
        return self.session.table_label(self.table)

    def side_of(self, participant: Participant) -> str:
        return "a" if participant.pk == self.a_id else ("b" if participant.pk == self.b_id else "")

    def other(self, participant: Participant) -> Participant:
        return self.b if participant.pk == self.a_id else self.a

    def accepted_by(self, participant: Participant) -> bool:
        side = self.side_of(participant)
        return bool(side and getattr(self, f"{side}_accepted"))


class SlotClaim(models.Model):
    """A person's slot taken by a booked meeting: unique, so no one is in two meetings at
    once, whatever two requests race."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="claims")
    starts_at = models.DateTimeField()
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="claims")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "starts_at"], name="partnering_one_meeting_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}@{self.starts_at:%H:%M}"
