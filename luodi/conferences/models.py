"""A conference's call for abstracts and its timetable, on top of an engagements Event.

`Conference` is a settings row of one event (the event stays the one record with its dates,
venue, registration and agenda); an accepted abstract placed in the timetable *is* an
agenda `Session` of that event, so the event page, its .ics file and the agenda conflict
checks see it. Models stay slim: writes live in `domain.py`, permissions in `rules.py`."""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luodi.conferences.choices import ACCEPTED, AbstractStatus, Preference
from luodi.engagements.models import Event, Session

_USER = settings.AUTH_USER_MODEL


class Conference(models.Model):
    event = models.OneToOneField(
        Event, on_delete=models.CASCADE, related_name="conference", verbose_name=_("event")
    )
    call_opens_at = models.DateTimeField(_("call for abstracts opens"))
    call_closes_at = models.DateTimeField(_("call for abstracts closes"))
    topics = models.TextField(_("topics"), blank=True, help_text=_("One topic per line."))
    reviews_wanted = models.PositiveSmallIntegerField(_("reviews per abstract"), default=2)
    # Blind by default: a reviewer who knows whose work it is scores the name, not the work.
    blind_review = models.BooleanField(
        _("blind review"),
        default=True,
        help_text=_("Reviewers do not see the authors, their affiliations or the contact email."),
    )
    day_starts = models.TimeField(_("programme day starts"), default=time(9, 0))
    day_ends = models.TimeField(_("programme day ends"), default=time(18, 0))
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"), default=20)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("conference")
        verbose_name_plural = _("conferences")
        ordering = ["-event__starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(call_closes_at__gt=models.F("call_opens_at")),
                name="conference_call_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=models.Q(slot_minutes__gte=5), name="conference_slot_at_least_5"
            ),
        ]

    def __str__(self) -> str:
        return self.event.title

    @property
    def topic_list(self) -> list[str]:
        return [t.strip() for t in self.topics.splitlines() if t.strip()]

    def call_is_open(self, now: object = None) -> bool:
        moment = now or timezone.now()
        return bool(self.call_opens_at <= moment < self.call_closes_at)  # type: ignore[operator]


class Room(models.Model):
    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("room"), max_length=120)
    capacity = models.PositiveIntegerField(_("seats"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "name"], name="unique_room_name")
        ]

    def __str__(self) -> str:
        return self.name


class Abstract(models.Model):
    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="abstracts")
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("abstract"))
    topic = models.CharField(_("topic"), max_length=120, blank=True)
    preference = models.CharField(
        _("presentation preference"),
        max_length=8,
        choices=Preference.choices,
        default=Preference.EITHER,
    )
    contact_email = models.EmailField(_("contact email"))
    submitted_by = models.ForeignKey(
        _USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submitted_abstracts",
        verbose_name=_("submitted by (account)"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=AbstractStatus.choices, default=AbstractStatus.SUBMITTED
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    # Set when an accepted abstract is placed in the timetable: the agenda session.
    session = models.OneToOneField(
        Session,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="abstract",
        verbose_name=_("programme session"),
    )
    room = models.ForeignKey(
        Room, null=True, blank=True, on_delete=models.SET_NULL, related_name="abstracts"
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("submitted"), default=timezone.now)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("abstract")
        verbose_name_plural = _("abstracts")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def accepted(self) -> bool:
        return self.status in ACCEPTED

    @property
    def author_list(self) -> list[AbstractAuthor]:
        """The authors in their order on the abstract (prefetch `authors`)."""
        return list(self.authors.all())

    @property
    def presenter(self) -> AbstractAuthor | None:
        return next((a for a in self.author_list if a.presenting), None)


class AbstractAuthor(models.Model):
    """An author at their place in the author list; exactly one of them presents."""

    abstract = models.ForeignKey(Abstract, on_delete=models.CASCADE, related_name="authors")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("full name"), max_length=120)
    affiliation = models.CharField(_("affiliation"), max_length=200, blank=True)
    presenting = models.BooleanField(_("presenting author"), default=False)

    class Meta:
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class AbstractReview(models.Model):
    """A reviewer's assignment to an abstract; score and comment once they reviewed."""

    abstract = models.ForeignKey(Abstract, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(_USER, on_delete=models.CASCADE, related_name="abstract_reviews")
    score = models.PositiveSmallIntegerField(_("score (1–5)"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    assigned_at = models.DateTimeField(_("assigned"), default=timezone.now)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["abstract", "reviewer"], name="one_review_each"),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=1, score__lte=5),
                name="review_score_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.abstract_id}/{self.reviewer_id}"
