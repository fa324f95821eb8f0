"""News posts (models.py re-exports them): a Chinese and an English version, each with its own
review state, so that only a version a person approved is ever published (issue #18)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from luodi.catalog.models import Bilingual

_USER = settings.AUTH_USER_MODEL


class PostStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class LanguageState(models.TextChoices):
    """One language version of a news post. Only a version a person approved is published:
    drafts are assembled by the machine from records that may hold internal details."""

    DRAFT = "draft", _("Draft, not reviewed")
    APPROVED = "approved", _("Approved, not yet published")
    PUBLISHED = "published", _("Published")


class NewsPost(Bilingual):
    """A news item with a Chinese and an English version, each reviewed on its own: a version
    is published only when a person approved it (`zh_state`, `en_state`); `status` says
    whether any version is public."""

    title_zh = models.CharField(_("title (Chinese)"), max_length=255, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    body_zh = models.TextField(_("text (Chinese)"), blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=PostStatus.choices, default=PostStatus.DRAFT
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    zh_state = models.CharField(
        _("Chinese version"),
        max_length=16,
        choices=LanguageState.choices,
        default=LanguageState.DRAFT,
    )
    en_state = models.CharField(
        _("English version"),
        max_length=16,
        choices=LanguageState.choices,
        default=LanguageState.DRAFT,
    )
    zh_approved_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    en_approved_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    zh_approved_at = models.DateTimeField(null=True, blank=True)
    en_approved_at = models.DateTimeField(null=True, blank=True)
    visit = models.ForeignKey(
        "engagements.Visit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="news_posts",
    )
    event = models.ForeignKey(
        "engagements.Event",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="news_posts",
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Two editors, or an editor and an approver, must not overwrite each other's text
    # unseen (luodi/concurrency.py).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("news post")
        verbose_name_plural = _("news posts")
        ordering = ["-published_at", "-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.pick(self.title_zh, self.title_en)

    @property
    def body(self) -> str:
        return self.pick(self.body_zh, self.body_en)

    def state(self, lang: str) -> str:
        return str(getattr(self, f"{lang}_state"))

    def is_public(self, lang: str) -> bool:
        return self.status == PostStatus.PUBLISHED and self.state(lang) == LanguageState.PUBLISHED
