"""Users, their memberships in organizations, API tokens and the audit log."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Global role of a user; what each may do is decided in the apps' rules modules."""

    STAFF = "staff", _("Association staff")
    PARTNER = "partner", _("Partner")
    VIEWER = "viewer", _("Viewer")


def language_codes() -> list[str]:
    """The languages a user may choose (settings.LANGUAGES), in settings order."""
    return [code for code, _name in settings.LANGUAGES]


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.PARTNER)
    display_name = models.CharField(_("display name"), max_length=120, blank=True)
    # Set by the language switcher; mails and generated reports are written in it, and
    # signing in restores it on a new browser. Blank: the site's default.
    language = models.CharField(
        _("language"), max_length=16, choices=settings.LANGUAGES, blank=True
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.get_username()

    def preferred_language(self) -> str:
        """The language to write to this user in (emails, generated reports): the one they
        last chose, otherwise the site's default (zh-hans)."""
        return self.language if self.language in language_codes() else settings.LANGUAGE_CODE

    @property
    def is_association_staff(self) -> bool:
        return self.is_active and (self.role == Role.STAFF or self.is_superuser)

    def save(self, *args: Any, **kwargs: Any) -> None:
        # AbstractBaseUser keeps the new raw password in `_password` between set_password()
        # and save(), on every path (password change, reset link, admin, `changepassword`),
        # and not when check_password() merely re-hashes the same password. A new password
        # must end the API tokens made under the old one.
        password_changed = getattr(self, "_password", None) is not None and self.pk is not None
        super().save(*args, **kwargs)
        if password_changed:
            from luodi.accounts.domain import revoke_tokens_after_password_change

            revoke_tokens_after_password_change(user=self)


class MembershipRole(models.TextChoices):
    ADMIN = "admin", _("Organization admin")
    MEMBER = "member", _("Member")


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        "catalog.Organization", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        _("role"), max_length=16, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="unique_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class TokenScope(models.TextChoices):
    """What a token may do: read (GET and HEAD) or also write (POST, PUT, PATCH, DELETE)."""

    READ = "read", _("Read only")
    WRITE = "write", _("Read and write")


class TokenRevocation(models.TextChoices):
    BY_OWNER = "owner", _("Revoked")
    PASSWORD_CHANGED = "password", _("Revoked: password changed")


def default_token_expiry() -> datetime:
    return timezone.now() + timedelta(days=settings.LUODI_TOKEN_DAYS)


class ApiToken(models.Model):
    """A bearer token for scripts. Only its hash is stored; the raw value is shown once.
    It works until `expires_at`, within its scope, unless revoked (by its owner, or by a
    password change); revoked and expired rows stay as a record."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=8, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    scope = models.CharField(
        _("scope"), max_length=8, choices=TokenScope.choices, default=TokenScope.READ
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), default=default_token_expiry)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_reason = models.CharField(
        max_length=16, choices=TokenRevocation.choices, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_live(self, now: datetime | None = None) -> bool:
        return self.revoked_at is None and self.expires_at > (now or timezone.now())


class IdempotencyKey(models.Model):
    """The first answer to an API create sent with an `Idempotency-Key` header (luodi/api.py):
    the same key, user and request get this answer again instead of a second record."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # sha256 of method, path and body: the same key with another request is refused.
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=100)
    body = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="unique_idempotency_key")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class AuditEntry(models.Model):
    """One recorded action: who did what to which object, from where, with which changes."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(max_length=150, blank=True)
    verb = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(_("object"), max_length=255, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.verb} {self.target_repr}"


class AccountApplication(models.Model):
    """A researcher, clinician or company asks for an account for their organization."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    name = models.CharField(_("your name"), max_length=120)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    organization_name = models.CharField(_("organization"), max_length=200)
    organization_kind = models.CharField(_("organization kind"), max_length=16)
    position = models.CharField(_("title / position"), max_length=120, blank=True)
    message = models.TextField(_("what you would like to do on Luodi"), blank=True)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    organization = models.ForeignKey(
        "catalog.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("organization"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_note = models.TextField(_("note to the applicant"), blank=True)
    created_at = models.DateTimeField(_("applied"), auto_now_add=True)

    class Meta:
        verbose_name = _("account application")
        verbose_name_plural = _("account applications")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}> · {self.organization_name}"
