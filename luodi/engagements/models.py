"""Engagements: visits (考察) with their itinerary, meetings, events (论坛/学术会议/路演) with
agenda and registrations, news posts, and the records that follow them (participants,
outcomes, follow-ups).

Models stay slim: writes live in `domain.py`, permissions in `rules.py`.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luodi.catalog.models import Achievement, Bilingual, Organization

# News posts live in their own module (size); imported here, where Django and callers look.
from luodi.engagements.news_models import LanguageState as LanguageState
from luodi.engagements.news_models import NewsPost as NewsPost
from luodi.engagements.news_models import PostStatus as PostStatus
from luodi.engagements.registration_models import ConsentText as ConsentText
from luodi.engagements.registration_models import QuestionKind as QuestionKind
from luodi.engagements.registration_models import RegistrationAnswer as RegistrationAnswer
from luodi.engagements.registration_models import RegistrationCategory as RegistrationCategory
from luodi.engagements.registration_models import RegistrationQuestion as RegistrationQuestion

_USER = settings.AUTH_USER_MODEL


class VisitStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class EventKind(models.TextChoices):
    FORUM = "forum", _("Forum")
    CONFERENCE = "conference", _("Academic conference")
    ROADSHOW = "roadshow", _("Roadshow")
    MATCHMAKING = "matchmaking", _("Matchmaking session")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("Waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class OutcomeKind(models.TextChoices):
    INTENTION = "intention", _("Cooperation intention")
    COMMITMENT = "commitment", _("Commitment")
    DECISION = "decision", _("Decision")
    NOTE = "note", _("Other outcome")


def new_code() -> str:
    """A registration code: short enough to type at the door, long enough not to be guessed."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
    return "".join(secrets.choice(alphabet) for _ in range(10))


class Visit(Bilingual):
    """A delegation's inspection visit (考察/调研) with an itinerary of stops."""

    title_zh = models.CharField(_("title (Chinese)"), max_length=255, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    purpose = models.TextField(_("purpose"), blank=True)
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("departure time"), default="09:00")
    start_label = models.CharField(_("start point"), max_length=200, blank=True)
    start_latitude = models.FloatField(_("start latitude"), null=True, blank=True)
    start_longitude = models.FloatField(_("start longitude"), null=True, blank=True)
    organizer = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="organized_visits",
        verbose_name=_("organizer"),
    )
    organizations = models.ManyToManyField(
        Organization,
        blank=True,
        related_name="visits",
        verbose_name=_("delegation organizations"),
    )
    # "Precise inspection": the company or achievement whose best-fitting parks are visited.
    company = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("company visiting"),
    )
    achievement = models.ForeignKey(
        Achievement,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("achievement"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=VisitStatus.choices, default=VisitStatus.PLANNED
    )
    projects = models.ManyToManyField(
        "pipeline.Project",
        blank=True,
        related_name="%(class)ss",
        verbose_name=_("projects advanced"),
    )
    agreements = models.ManyToManyField(
        "pipeline.Agreement",
        blank=True,
        related_name="%(class)ss",
        verbose_name=_("agreements advanced"),
    )
    summary = models.TextField(_("visit summary"), blank=True)
    order_accepted_at = models.DateTimeField(_("itinerary order accepted"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Incremented by every saved edit (luodi/concurrency.py): a second editor who loaded
    # an older version gets a conflict instead of silently reverting the first.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.pick(self.title_zh, self.title_en)


class VisitStop(models.Model):
    """One stop of an itinerary: a park, hospital or company, with its time window."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="stops")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("place (organization)"),
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    window_start = models.TimeField(_("available from"), null=True, blank=True)
    window_end = models.TimeField(_("available until"), null=True, blank=True)
    duration_min = models.PositiveSmallIntegerField(_("duration (minutes)"), default=60)
    arrive_at = models.TimeField(_("planned arrival"), null=True, blank=True)
    hosts = models.CharField(_("hosts"), max_length=255, blank=True)
    fit_summary = models.TextField(_("fit summary"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)

    class Meta:
        verbose_name = _("itinerary stop")
        verbose_name_plural = _("itinerary stops")
        ordering = ["visit_id", "position", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.place or (self.organization.display_name if self.organization else "?")


class Meeting(models.Model):
    """A lighter record: date, participants, organizations, minutes, decisions, tasks."""

    title = models.CharField(_("title"), max_length=255)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=255, blank=True)
    organizations = models.ManyToManyField(
        Organization, blank=True, related_name="meetings", verbose_name=_("organizations")
    )
    visit = models.ForeignKey(
        Visit,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
        verbose_name=_("during visit"),
    )
    minutes = models.TextField(_("minutes"), blank=True)
    projects = models.ManyToManyField(
        "pipeline.Project",
        blank=True,
        related_name="%(class)ss",
        verbose_name=_("projects advanced"),
    )
    agreements = models.ManyToManyField(
        "pipeline.Agreement",
        blank=True,
        related_name="%(class)ss",
        verbose_name=_("agreements advanced"),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Event(Bilingual):
    """A forum, academic conference, roadshow or matchmaking session."""

    kind = models.CharField(
        _("type"), max_length=16, choices=EventKind.choices, default=EventKind.FORUM
    )
    title_zh = models.CharField(_("title (Chinese)"), max_length=255, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    organizer = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="organized_events",
        verbose_name=_("organizer"),
    )
    co_organizers = models.ManyToManyField(
        Organization, blank=True, related_name="co_events", verbose_name=_("co-organizers")
    )
    venue = models.CharField(_("venue"), max_length=255)
    address = models.CharField(_("address"), max_length=255, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    registration_open = models.BooleanField(_("registration open"), default=True)
    status = models.CharField(
        _("status"), max_length=16, choices=EventStatus.choices, default=EventStatus.DRAFT
    )
    outcome_notes = models.TextField(_("post-event outcomes"), blank=True)
    # A roadshow's or matchmaking session's lineup, e.g. pulled from match results.
    achievements = models.ManyToManyField(
        Achievement, blank=True, related_name="events", verbose_name=_("achievements presented")
    )
    invitees = models.ManyToManyField(
        Organization,
        blank=True,
        related_name="invited_to_events",
        verbose_name=_("invited organizations"),
    )
    # E.g. the co-hosting or strategic cooperation agreement a forum carries out.
    agreements = models.ManyToManyField(
        "pipeline.Agreement",
        blank=True,
        related_name="events",
        verbose_name=_("agreements carried out"),
    )
    # The organiser's own personal-information notice for registrants (PIPL); empty: the
    # standard notice (engagements/domain/registration_options.py) in the reader's language.
    privacy_notice_zh = models.TextField(_("privacy notice (Chinese)"), blank=True)
    privacy_notice_en = models.TextField(_("privacy notice (English)"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")),
                name="event_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.pick(self.title_zh, self.title_en)

    @property
    def description(self) -> str:
        return self.pick(self.description_zh, self.description_en)


class Speaker(models.Model):
    """A person speaking at an event; their order within a session is `SessionSpeaker`'s."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="speakers")
    name = models.CharField(_("full name"), max_length=120)
    affiliation = models.CharField(_("affiliation"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["event", "name"], name="unique_speaker_per_event")
        ]

    def __str__(self) -> str:
        return self.name


class Session(Bilingual):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    title_zh = models.CharField(_("title (Chinese)"), max_length=255, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    room = models.CharField(_("room"), max_length=120, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    speakers = models.ManyToManyField(
        Speaker,
        blank=True,
        related_name="sessions",
        verbose_name=_("speakers"),
        through="SessionSpeaker",
    )

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "room", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.pick(self.title_zh, self.title_en)

    @property
    def speaker_list(self) -> list[Speaker]:
        """The speakers in protocol order, as entered or moved (prefetch `speaker_links`)."""
        return [link.speaker for link in self.speaker_links.all()]


class SessionSpeaker(models.Model):
    """A speaker of a session at their place in the order: in China the order of speakers
    follows protocol (rank), so it is kept as entered and never sorted by name."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="speaker_links")
    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="session_links")
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        # The table of the former plain many-to-many field (migration 0004 keeps it).
        db_table = "engagements_session_speakers"
        ordering = ["position", "id"]
        unique_together = [("session", "speaker")]

    def __str__(self) -> str:
        return f"{self.position}: {self.speaker_id}"


class Registration(models.Model):
    """A public registration: no account needed; the code is the ticket (QR at the door)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    name = models.CharField(_("full name"), max_length=120)
    email = models.EmailField(_("email"))
    organization_name = models.CharField(_("organization"), max_length=200, blank=True)
    position = models.CharField(_("title / position"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.CONFIRMED,
    )
    code = models.CharField(_("registration code"), max_length=16, unique=True, default=new_code)
    category = models.ForeignKey(
        RegistrationCategory,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name=_("category"),
    )
    # The fee of the category when the person registered (a later fee change never rewrites
    # what was owed), and the invoice details (发票抬头, 纳税人识别号) for the organiser.
    fee_fen = models.PositiveBigIntegerField(_("fee (fen)"), default=0)
    invoice_title = models.CharField(_("invoice title (发票抬头)"), max_length=200, blank=True)
    tax_id = models.CharField(_("taxpayer ID (税号)"), max_length=20, blank=True)
    paid_at = models.DateTimeField(_("fee received"), null=True, blank=True)
    # PIPL: when the person agreed, and to which text (its version), kept as evidence.
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    consent_version = models.CharField(_("consent text version"), max_length=64, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered"), default=timezone.now)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "id"]
        constraints = [
            # Emails are stored lower-cased by the domain, so this refuses duplicates.
            models.UniqueConstraint(fields=["event", "email"], name="unique_registration_email")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Participant(models.Model):
    """Someone in a visit's delegation or at a meeting; `present` is recorded afterwards."""

    visit = models.ForeignKey(
        Visit, null=True, blank=True, on_delete=models.CASCADE, related_name="participants"
    )
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="participants"
    )
    name = models.CharField(_("full name"), max_length=120)
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("organization"),
    )
    role = models.CharField(_("title / role"), max_length=120, blank=True)
    present = models.BooleanField(_("present"), null=True, blank=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(visit__isnull=False, meeting__isnull=True)
                | models.Q(visit__isnull=True, meeting__isnull=False),
                name="participant_of_one_record",
            )
        ]

    def __str__(self) -> str:
        return self.name


class _RecordLinks(models.Model):
    """Attached to exactly one visit, meeting or event."""

    visit = models.ForeignKey(
        Visit, null=True, blank=True, on_delete=models.CASCADE, related_name="%(class)ss"
    )
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="%(class)ss"
    )
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.CASCADE, related_name="%(class)ss"
    )
    stop = models.ForeignKey(
        VisitStop,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="%(class)ss",
        verbose_name=_("at stop"),
    )

    class Meta:
        abstract = True


_ONE_RECORD = (
    models.Q(visit__isnull=False, meeting__isnull=True, event__isnull=True)
    | models.Q(visit__isnull=True, meeting__isnull=False, event__isnull=True)
    | models.Q(visit__isnull=True, meeting__isnull=True, event__isnull=False)
)


class Outcome(_RecordLinks):
    """A cooperation intention, commitment or decision reached."""

    kind = models.CharField(_("type"), max_length=16, choices=OutcomeKind.choices)
    text = models.TextField(_("what was agreed"))
    counterpart = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("with organization"),
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=_ONE_RECORD, name="outcome_of_one")]

    def __str__(self) -> str:
        return self.text[:80]


class FollowUp(_RecordLinks):
    """A follow-up agreed at a visit, meeting or event. When its owner is a user, the work
    itself is a pipeline Task (created through the pipeline's domain, so it shows in the
    owner's task list, reminders and feed); an owner outside the platform is kept by name."""

    title = models.CharField(_("task"), max_length=255)
    owner = models.ForeignKey(
        _USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="engagement_followups",
        verbose_name=_("person responsible"),
    )
    owner_name = models.CharField(
        _("person responsible (if not a user)"), max_length=120, blank=True
    )
    task = models.OneToOneField(
        "pipeline.Task",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="engagement_follow_up",
        verbose_name=_("pipeline task"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_date", "id"]
        constraints = [models.CheckConstraint(condition=_ONE_RECORD, name="followup_of_one")]

    def __str__(self) -> str:
        return self.title

    @property
    def owner_label(self) -> str:
        return str(self.owner) if self.owner else self.owner_name


class FeedToken(models.Model):
    """The secret in a person's calendar feed URL (visits, meetings, events, agreement
    obligations and their own task due dates); only its SHA-256 is stored. A person holds
    one, or two while the address of the former task-only feed still works (carried over
    when the two feeds became one); a reset replaces them all."""

    user = models.ForeignKey(_USER, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"feed token of {self.user_id}"
