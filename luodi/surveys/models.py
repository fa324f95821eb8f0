"""A short survey after an event: its questions, one private invitation per attendee (a
confirmed registrant who checked in), and at most one response per invitation.

Responses are tied to the invitation only so that a registrant can replace their answers
while the survey is open; results and exports never read the registration behind them."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luodi.catalog.models import Bilingual

_USER = settings.AUTH_USER_MODEL

RATING_MIN, RATING_MAX = 1, 5


class QuestionKind(models.TextChoices):
    RATING = "rating", _("Rating 1–5")
    CHOICE = "choice", _("One of a list")
    TEXT = "text", _("Free text")


class Survey(Bilingual):
    event = models.OneToOneField(
        "engagements.Event",
        on_delete=models.CASCADE,
        related_name="survey",
        verbose_name=_("event"),
    )
    intro_zh = models.TextField(_("introduction (Chinese)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    # Empty until the organisers first send it; answers are taken from then on.
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    closes_at = models.DateTimeField(
        _("closes"), null=True, blank=True, help_text=_("Empty: open until closed by hand.")
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return str(self.event)

    @property
    def intro(self) -> str:
        return self.pick(self.intro_zh, self.intro_en)

    def is_closed(self, now: datetime | None = None) -> bool:
        return self.closes_at is not None and self.closes_at <= (now or timezone.now())

    def is_open(self) -> bool:
        """Taking answers: sent and not closed."""
        return self.sent_at is not None and not self.is_closed()

    @property
    def state(self) -> str:
        if self.sent_at is None:
            return "draft"
        return "closed" if self.is_closed() else "open"


class Question(Bilingual):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(
        _("answer type"), max_length=8, choices=QuestionKind.choices, default=QuestionKind.RATING
    )
    label_zh = models.CharField(_("question (Chinese)"), max_length=300, blank=True)
    label_en = models.CharField(_("question (English)"), max_length=300, blank=True)
    # Choices one per line in each language, paired by line; an answer stores the choice's
    # number (1, 2, …), so results count the same choice whatever language it was read in.
    choices_zh = models.TextField(_("choices (Chinese)"), blank=True)
    choices_en = models.TextField(_("choices (English)"), blank=True)
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~(models.Q(label_zh="") & models.Q(label_en="")),
                name="survey_question_labelled",
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.pick(self.label_zh, self.label_en)

    def choice_list(self) -> list[str]:
        """The choices in the reader's language; a line missing in it falls back to the
        other language's line."""
        zh = [c.strip() for c in self.choices_zh.splitlines() if c.strip()]
        en = [c.strip() for c in self.choices_en.splitlines() if c.strip()]
        return [
            self.pick(zh[i] if i < len(zh) else "", en[i] if i < len(en) else "")
            for i in range(max(len(zh), len(en)))
        ]


class Invitation(models.Model):
    """One attendee's invitation: the private link is this row's id, signed (tokens.py)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    registration = models.ForeignKey(
        "engagements.Registration", on_delete=models.CASCADE, related_name="survey_invitations"
    )
    language = models.CharField(_("language"), max_length=16, blank=True)
    # Set by the one conditional UPDATE that claims the mail: a second send finds it set.
    mailed_at = models.DateTimeField(_("mailed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "registration"], name="survey_one_invitation_each"
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.registration_id}"


class Response(models.Model):
    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="response")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    language = models.CharField(_("language"), max_length=16, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["submitted_at", "id"]

    def __str__(self) -> str:
        return f"response {self.pk}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.TextField(_("answer"), blank=True)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="survey_one_answer_each")
        ]

    def __str__(self) -> str:
        return self.value[:40]
