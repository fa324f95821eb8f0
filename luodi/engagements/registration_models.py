"""Registration options of an event: categories (delegate, speaker, student, company…) with
their fee, the organiser's own questions and each registrant's answers. The registrant's
choice of category, the consent to personal-information processing (PIPL) and the invoice
details live on `Registration` itself (one row per person, no join to read a badge)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from luodi.catalog.models import Bilingual


class RegistrationCategory(Bilingual):
    event = models.ForeignKey(
        "engagements.Event", on_delete=models.CASCADE, related_name="registration_categories"
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=80, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    # Fees are recorded, not collected: payment stays outside Luodi (bank transfer, on site).
    fee_fen = models.PositiveBigIntegerField(_("fee (fen)"), default=0)
    capacity = models.PositiveIntegerField(
        _("places"), null=True, blank=True, help_text=_("Empty: no limit of its own.")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    # Two organisers editing one category: the second save conflicts (luodi/concurrency.py).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("registration category")
        verbose_name_plural = _("registration categories")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~(models.Q(name_zh="") & models.Q(name_en="")),
                name="registration_category_named",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.pick(self.name_zh, self.name_en)


class QuestionKind(models.TextChoices):
    TEXT = "text", _("Short answer")
    CHOICE = "choice", _("One of a list")
    YES_NO = "yesno", _("Yes or no")


class RegistrationQuestion(Bilingual):
    event = models.ForeignKey(
        "engagements.Event", on_delete=models.CASCADE, related_name="registration_questions"
    )
    label_zh = models.CharField(_("question (Chinese)"), max_length=200, blank=True)
    label_en = models.CharField(_("question (English)"), max_length=200, blank=True)
    kind = models.CharField(
        _("answer type"), max_length=8, choices=QuestionKind.choices, default=QuestionKind.TEXT
    )
    choices = models.TextField(_("choices"), blank=True, help_text=_("One choice per line."))
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("registration question")
        verbose_name_plural = _("registration questions")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.pick(self.label_zh, self.label_en)

    @property
    def choice_list(self) -> list[str]:
        return [c.strip() for c in self.choices.splitlines() if c.strip()]


class RegistrationAnswer(models.Model):
    registration = models.ForeignKey(
        "engagements.Registration", on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        RegistrationQuestion, on_delete=models.CASCADE, related_name="answers"
    )
    value = models.TextField(_("answer"), blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["registration", "question"], name="one_answer_each")
        ]

    def __str__(self) -> str:
        return self.value


class ConsentText(models.Model):
    """The exact text of a personal-information notice a registrant agreed to, stored once
    per version (the first 16 hex digits of its SHA-256): `Registration.consent_version`
    names it, so the evidence says which words were agreed to even after the organiser
    rewrites the notice or a translation changes."""

    version = models.CharField(_("version"), max_length=64, unique=True)
    language = models.CharField(_("language"), max_length=8)
    text = models.TextField(_("text"))
    first_agreed_at = models.DateTimeField(_("first agreed"), auto_now_add=True)

    class Meta:
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")
        ordering = ["first_agreed_at", "id"]

    def __str__(self) -> str:
        return self.version
